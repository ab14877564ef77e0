package calibration

import (
	"context"
	"fmt"
	"time"

	"integstat/extract/reference"
)

// CheckPublished computes every figure of published_figures.csv from the
// deliveries in inbox at the data state the figure names and returns one
// line for each that does not match under its kind's rule (none: all
// reproduced).
func CheckPublished(ctx context.Context, inbox string, skip []string) ([]string, error) {
	figures, err := reference.PublishedFigures()
	if err != nil {
		return nil, err
	}
	states := map[time.Time]map[Key]Value{}
	var bad []string
	for _, f := range figures {
		got, ok := states[f.AsOf]
		if !ok {
			if got, err = Compute(ctx, inbox, f.AsOf, skip); err != nil {
				return nil, err
			}
			states[f.AsOf] = got
		}
		v, ok := got[Key{f.Indicator, f.Year}]
		if !ok || !f.Matches(v.Value) {
			bad = append(bad, fmt.Sprintf("%s %d as of %s: computed %+v (found %v), published %v (%s)",
				f.Indicator, f.Year, asOfText(f.AsOf), v, ok, f.Value, f.Kind))
		}
	}
	return bad, nil
}
