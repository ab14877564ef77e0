package calibration

import (
	"context"
	"fmt"
	"time"

	"integstat/extract/reference"
)

// Reproduced is one figure of published_figures.csv with what the
// deliveries give for it.
type Reproduced struct {
	reference.Figure
	Computed Value // zero when not Found
	Found    bool  // the deliveries give a value for the indicator and year
}

// OK reports whether the deliveries reproduce the figure: a value was
// computed and it matches under the figure's kind's rule.
func (r Reproduced) OK() bool { return r.Found && r.Matches(r.Computed.Value) }

// Reproduce computes every figure of published_figures.csv from the
// deliveries in inbox (without those in skip, see Compute) at the data
// state the figure names, each data state once, and returns them in the
// file's order. When a data state cannot be computed it returns the
// figures before the first of that state with the error.
func Reproduce(ctx context.Context, inbox string, skip []string) ([]Reproduced, error) {
	figures, err := reference.PublishedFigures()
	if err != nil {
		return nil, err
	}
	states := map[time.Time]map[Key]Value{}
	out := make([]Reproduced, 0, len(figures))
	for _, f := range figures {
		got, ok := states[f.AsOf]
		if !ok {
			if got, err = Compute(ctx, inbox, f.AsOf, skip); err != nil {
				return out, err
			}
			states[f.AsOf] = got
		}
		v, found := got[Key{f.Indicator, f.Year}]
		out = append(out, Reproduced{Figure: f, Computed: v, Found: found})
	}
	return out, nil
}

// CheckPublished reproduces the published figures (Reproduce) and returns
// one line for each that the deliveries do not reproduce (none: all
// reproduced).
func CheckPublished(ctx context.Context, inbox string, skip []string) ([]string, error) {
	rs, err := Reproduce(ctx, inbox, skip)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, r := range rs {
		if !r.OK() {
			bad = append(bad, fmt.Sprintf("%s %d as of %s: computed %+v (found %v), published %v (%s)",
				r.Indicator, r.Year, asOfText(r.AsOf), r.Computed, r.Found, r.Value, r.Kind))
		}
	}
	return bad, nil
}
