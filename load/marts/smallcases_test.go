package marts_test

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
)

// smallcases is the hand-written inbox with hand-computed figures.
var smallcases = testkit.SmallCases()

// TestSmallCases ingests the small cases, builds the marts and checks every
// hand-computed figure of expected.csv, at every level and data state it
// names, from the analysis mart's tables alone.
func TestSmallCases(t *testing.T) {
	wh := fixture.Ingest(t, filepath.Join(smallcases, "inbox"))
	fixture.Build(t, wh, time.Time{})
	db := fixture.OpenMart(t, wh, "analyse.duckdb")
	f, err := os.Open(filepath.Join(smallcases, "expected.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		ind, level, region := r[0], r[2], r[3]
		year, _ := strconv.Atoi(r[1])
		var asOf time.Time
		if r[4] != "" {
			asOf, _ = time.Parse(time.DateOnly, r[4])
		}
		name := ind + "/" + r[1] + "/" + level + "/" + region + "/" + r[4]
		got := fixture.ValueAsOf(t, db, ind, year, level, region, asOf)
		if !got.Found {
			t.Errorf("%s: no value in the mart", name)
			continue
		}
		want, _ := strconv.ParseFloat(r[5], 64)
		if math.Abs(got.Verdi.Float64-want) > 1e-9 || !got.Verdi.Valid {
			t.Errorf("%s: verdi %v, want %v", name, got.Verdi, want)
		}
		checkInt(t, name+" teller", got.Teller.Valid, got.Teller.Int64, r[6])
		checkInt(t, name+" nevner", got.Nevner.Valid, got.Nevner.Int64, r[7])
	}
}

func checkInt(t *testing.T, name string, valid bool, got int64, want string) {
	t.Helper()
	if want == "" {
		if valid {
			t.Errorf("%s: %d, want NULL", name, got)
		}
		return
	}
	w, _ := strconv.ParseInt(want, 10, 64)
	if !valid || got != w {
		t.Errorf("%s: %d (valid %v), want %d", name, got, valid, w)
	}
}
