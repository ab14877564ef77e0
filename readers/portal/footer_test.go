package portal_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"integstat/extract/delivery"
	"integstat/readers/portal"
)

// TestFooterFreshness: every page's foot gives each source's newest data
// state in the publication, says which is overdue for its cadence, and
// announces the next release of the calendar, and states the licence.
func TestFooterFreshness(t *testing.T) {
	next := time.Date(2027, 3, 15, 8, 0, 0, 0, delivery.Oslo)
	srv, err := portal.New(context.Background(), portal.Options{
		Warehouse: shared(t), MaxValues: testMaxValues,
		// NIR's newest state (2018) is within a cadence of 100 000 days;
		// settlement's and the interpreters' are long overdue.
		Cadence:     map[string]time.Duration{"nir": 100000 * 24 * time.Hour, "bosetting": 24 * time.Hour, "tolk": 7 * 24 * time.Hour},
		NextRelease: func(time.Time) time.Time { return next },
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	db := published(t, shared(t))
	for _, path := range []string{"/", "/sted/0301", "/en/sted/0301"} {
		_, body := get(t, ts.URL+path)
		page := string(body)
		foot := page[strings.Index(page, `<p id="ferskhet">`):]
		for _, src := range []struct {
			kilde   string
			overdue bool
		}{{"nir", false}, {"bosetting", true}, {"tolk", true}} {
			var newest time.Time
			if err := db.QueryRow(`SELECT max(data_per) FROM tilstand WHERE kilde = ?`, src.kilde).Scan(&newest); err != nil {
				t.Fatal(err)
			}
			i := strings.Index(foot, newest.Format(time.DateOnly))
			if i < 0 {
				t.Errorf("%s: the footer lacks %s's newest state %s: %s", path, src.kilde, newest.Format(time.DateOnly), foot)
				continue
			}
			rest := foot[i+10:]
			if end := strings.IndexAny(rest, ",."); end >= 0 {
				rest = rest[:end]
			}
			if got := strings.Contains(rest, "forsinket") || strings.Contains(rest, "overdue"); got != src.overdue {
				t.Errorf("%s: %s overdue = %v, want %v: %s", path, src.kilde, got, src.overdue, foot)
			}
		}
		// The licence, linked to its text in the page's language.
		licence := `rel="license" href="https://data.norge.no/nlod/no/2.0">NLOD 2.0</a>`
		if strings.HasPrefix(path, "/en/") {
			licence = `rel="license" href="https://data.norge.no/nlod/en/2.0">NLOD 2.0</a>`
		}
		if !strings.Contains(page, licence) {
			t.Errorf("%s: the page does not state the licence %s", path, licence)
		}
		if !strings.Contains(foot, "2027-03-15 08:00") {
			t.Errorf("%s: the footer does not announce the next release: %s", path, foot)
		}
	}
}
