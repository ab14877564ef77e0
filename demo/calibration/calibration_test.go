package calibration

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// expectedRow is one row of testdata/smallcases/expected.csv.
type expectedRow struct {
	line                 int
	indicator            string
	year                 int
	niva, region, asOf   string
	verdi                float64
	teller, nevner       int64
	hasTeller, hasNevner bool
}

// readExpected reads the hand-computed figures of the small cases.
func readExpected(t *testing.T) []expectedRow {
	t.Helper()
	f, err := os.Open(filepath.Join(smallCases, "expected.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"indicator", "year", "niva", "region", "as_of", "verdi", "teller", "nevner"}; !slices.Equal(recs[0], want) {
		t.Fatalf("expected.csv header = %v, want %v", recs[0], want)
	}
	var rows []expectedRow
	for i, rec := range recs[1:] {
		r := expectedRow{line: i + 2, indicator: rec[0], niva: rec[2], region: rec[3], asOf: rec[4]}
		var err error
		if r.year, err = strconv.Atoi(rec[1]); err != nil {
			t.Fatalf("expected.csv:%d: year: %v", r.line, err)
		}
		if r.verdi, err = strconv.ParseFloat(rec[5], 64); err != nil {
			t.Fatalf("expected.csv:%d: verdi: %v", r.line, err)
		}
		if rec[6] != "" {
			r.hasTeller = true
			if r.teller, err = strconv.ParseInt(rec[6], 10, 64); err != nil {
				t.Fatalf("expected.csv:%d: teller: %v", r.line, err)
			}
		}
		if rec[7] != "" {
			r.hasNevner = true
			if r.nevner, err = strconv.ParseInt(rec[7], 10, 64); err != nil {
				t.Fatalf("expected.csv:%d: nevner: %v", r.line, err)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// parseAsOf reads an as_of of expected.csv; blank is the newest state.
func parseAsOf(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("as_of %q: %v", s, err)
	}
	return d
}

// TestSmallCases computes the small cases at every as_of of expected.csv
// and checks every national row against the value computed by hand.
func TestSmallCases(t *testing.T) {
	ctx := context.Background()
	inbox := filepath.Join(smallCases, "inbox")
	byAsOf := map[string][]expectedRow{}
	for _, r := range readExpected(t) {
		if r.niva == "land" {
			byAsOf[r.asOf] = append(byAsOf[r.asOf], r)
		}
	}
	for asOf, rows := range byAsOf {
		name := asOf
		if name == "" {
			name = "newest"
		}
		t.Run(name, func(t *testing.T) {
			got, err := Compute(ctx, inbox, parseAsOf(t, asOf), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				v, ok := got[Key{r.indicator, r.year}]
				if !ok {
					t.Errorf("expected.csv:%d: %s %d missing", r.line, r.indicator, r.year)
					continue
				}
				if math.Abs(v.Value-r.verdi) > 1e-9 || v.Teller != r.teller || v.Nevner != r.nevner {
					t.Errorf("expected.csv:%d: %s %d = %v (teller %d, nevner %d), want %v (teller %d, nevner %d)",
						r.line, r.indicator, r.year, v.Value, v.Teller, v.Nevner, r.verdi, r.teller, r.nevner)
				}
			}
		})
	}
}

// TestSmallCasesCoverEveryIndicator checks that expected.csv holds a
// national row for every indicator Compute knows, and no unknown one.
func TestSmallCasesCoverEveryIndicator(t *testing.T) {
	got, err := Compute(context.Background(), filepath.Join(smallCases, "inbox"), time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	computed := map[string]bool{}
	for k := range got {
		computed[k.Indicator] = true
	}
	if len(computed) != 57 {
		t.Errorf("Compute gives %d indicators, indicators.md defines 57", len(computed))
	}
	expected := map[string]bool{}
	for _, r := range readExpected(t) {
		if r.niva == "land" {
			expected[r.indicator] = true
		}
		if !computed[r.indicator] {
			t.Errorf("expected.csv:%d: %s is not an indicator Compute gives", r.line, r.indicator)
		}
	}
	for ind := range computed {
		if !expected[ind] {
			t.Errorf("expected.csv has no national row for %s", ind)
		}
	}
}

// TestDeliveryChoice checks which delivery each source's figures come from.
func TestDeliveryChoice(t *testing.T) {
	ctx := context.Background()
	inbox := filepath.Join(smallCases, "inbox")
	date := func(s string) time.Time { return parseAsOf(t, s) }
	tests := []struct {
		name  string
		asOf  time.Time
		skip  []string
		key   Key
		want  float64
		found bool
	}{
		// 20180305T020000 is corrupt and passed over: 20180228T020000 gives 11
		{"corrupt passed over", time.Time{}, nil, Key{"intro_deltakere", 2017}, 11, true},
		{"corrupt skipped", time.Time{}, []string{"nir/20180305T020000"}, Key{"intro_deltakere", 2017}, 11, true},
		{"final skipped, bare id", date("2018-02-28"), []string{"20180228T020000"}, Key{"intro_deltakere", 2017}, 10, true},
		{"preliminary at the end of its day", date("2017-12-31"), nil, Key{"intro_deltakere", 2017}, 10, true},
		{"the day before the final one", date("2018-02-27"), nil, Key{"intro_deltakere", 2017}, 10, true},
		{"no NIR delivery yet", date("2017-06-30"), nil, Key{"intro_deltakere", 2017}, 0, false},
		{"old settlement delivery", date("2017-06-30"), nil, Key{"vedtatt", 2017}, 9, true},
		{"newest settlement delivery", time.Time{}, nil, Key{"vedtatt", 2017}, 14, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(ctx, inbox, tt.asOf, tt.skip)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := got[tt.key]
			if ok != tt.found || v.Value != tt.want {
				t.Errorf("%v = %v (found %v), want %v (found %v)", tt.key, v.Value, ok, tt.want, tt.found)
			}
		})
	}
}

// TestNoDelivery checks that an inbox without any usable delivery is an error.
func TestNoDelivery(t *testing.T) {
	_, err := Compute(context.Background(), filepath.Join(smallCases, "inbox"), parseAsOf(t, "2016-12-31"), nil)
	if err == nil {
		t.Fatal("Compute before the first delivery: no error")
	}
}

// BenchmarkCompute measures Compute on the small cases end to end: opening
// DuckDB, checking manifests, loading, typing and running every SQL file.
func BenchmarkCompute(b *testing.B) {
	ctx := context.Background()
	inbox := filepath.Join(smallCases, "inbox")
	for b.Loop() {
		if _, err := Compute(ctx, inbox, time.Time{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
