package calibration

import (
	"context"
	"os"
	"testing"
	"time"

	"integstat/reference"
)

// TestPublishedFigures checks a generated demo inbox against the figures
// of the annual report (reference/data/published_figures.csv). It runs when
// INTEGSTAT_DEMO_INBOX names such an inbox (make demo writes
// demo-data/inbox); the demo generator's own test calls Compute directly.
func TestPublishedFigures(t *testing.T) {
	inbox := os.Getenv("INTEGSTAT_DEMO_INBOX")
	if inbox == "" {
		t.Skip("INTEGSTAT_DEMO_INBOX is not set: no generated inbox to check")
	}
	figures, err := reference.PublishedFigures()
	if err != nil {
		t.Fatal(err)
	}
	states := map[time.Time]map[Key]Value{}
	for _, f := range figures {
		got, ok := states[f.AsOf]
		if !ok {
			if got, err = Compute(context.Background(), inbox, f.AsOf, nil); err != nil {
				t.Fatal(err)
			}
			states[f.AsOf] = got
		}
		v, ok := got[Key{f.Indicator, f.Year}]
		if !ok || !f.Matches(v.Value) {
			t.Errorf("%s %d as of %s: computed %+v (found %v), published %v (%s)", f.Indicator, f.Year, asOfText(f.AsOf), v, ok, f.Value, f.Kind)
		}
	}
}
