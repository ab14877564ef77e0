package calibration

import (
	"context"
	"os"
	"testing"
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
	bad, err := CheckPublished(context.Background(), inbox, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
}
