package intruder_test

import (
	"context"
	"database/sql"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"integstat/demo"
	"integstat/internal/intruder"
	"integstat/internal/martstest"
	"integstat/marts"
	"integstat/warehouse"
)

// attackPublication attacks the current publication of wh and checks the
// attack against the truth in analyse.duckdb. Without the assumption that
// a hidden count is at least 1, every range must hold the true value (the
// attack is sound); with it (a hidden zero can make it wrong), it returns
// the numbers recovered exactly and truly: the leaks.
func attackPublication(t *testing.T, wh *warehouse.Warehouse) (all, leaks []intruder.Range) {
	t.Helper()
	rows, cat, err := intruder.Load(context.Background(), martstest.OpenMart(t, wh, marts.PublishedFile))
	if err != nil {
		t.Fatal(err)
	}
	truth := truths(t, martstest.OpenMart(t, wh, marts.AnalysisFile), cat)
	start := time.Now()
	sound, err := intruder.Attack(rows, cat, intruder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d published rows, %d suppressed numbers attacked in %v", len(rows), len(sound), time.Since(start))
	for _, r := range sound {
		if v, ok := truth[r.Cell]; ok && (r.Lo.Cmp(v) > 0 || (r.Hi != nil && r.Hi.Cmp(v) < 0)) {
			t.Errorf("%s: [%v, %v] does not hold the true %v", r.Cell, r.Lo, r.Hi, v)
		}
	}
	all, err = intruder.Attack(rows, cat, intruder.Options{MinOneBelowLand: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if v, ok := truth[r.Cell]; ok && r.Exact() && r.Lo.Cmp(v) == 0 {
			leaks = append(leaks, r)
		}
	}
	return all, leaks
}

// truths reads every number of the analysis mart's history.
func truths(t *testing.T, db *sql.DB, cat map[string]intruder.Def) map[intruder.Cell]*big.Rat {
	t.Helper()
	rs, err := db.Query(`SELECT CAST(data_per AS VARCHAR), indikator, aar, niva, region, verdi, teller, nevner FROM indikator_historikk`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[intruder.Cell]*big.Rat{}
	for rs.Next() {
		var c intruder.Cell
		var v sql.NullFloat64
		var tl, n sql.NullInt64
		if err := rs.Scan(&c.State, &c.Indicator, &c.Year, &c.Level, &c.Region, &v, &tl, &n); err != nil {
			t.Fatal(err)
		}
		set := func(p intruder.Part, x int64) { c.Part = p; out[c] = big.NewRat(x, 1) }
		switch cat[c.Indicator].Kind {
		case intruder.Share:
			set(intruder.T, tl.Int64)
			set(intruder.N, n.Int64)
		case intruder.Mean:
			set(intruder.N, n.Int64)
			set(intruder.S, int64(v.Float64*float64(n.Int64)*30.4375+0.5))
		default:
			set(intruder.C, tl.Int64)
		}
	}
	return out
}

// TestAttackSmallCases attacks the small cases' publication: the attack
// is sound, and it recovers suppressed numbers the build's own attack
// (hierarchy and declared groups only) passes, through the identities of
// the definitions: the leaks the suppression still has to close.
func TestAttackSmallCases(t *testing.T) {
	wh := martstest.Ingest(t, filepath.Join("..", "..", "testdata", "smallcases", "inbox"))
	martstest.Build(t, wh, time.Time{})
	all, leaks := attackPublication(t, wh)
	if len(all) == 0 {
		t.Fatal("nothing suppressed to attack")
	}
	for _, r := range leaks {
		t.Logf("recovered %s = %v", r.Cell, r.Lo)
	}
	t.Logf("%d of %d suppressed numbers recovered exactly", len(leaks), len(all))
}

// TestAttackDemo attacks the publication of a generated demo set of real
// proportions (scale 0.02), as TestAttackSmallCases.
func TestAttackDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo set")
	}
	set := t.TempDir()
	if _, err := demo.Generate(context.Background(), demo.Options{Out: set, Seed: 7, Scale: 0.02, BadRate: 0.001}); err != nil {
		t.Fatal(err)
	}
	wh := martstest.Ingest(t, filepath.Join(set, "inbox"))
	martstest.Build(t, wh, time.Time{})
	all, leaks := attackPublication(t, wh)
	byInd := map[string]int{}
	for _, r := range leaks {
		byInd[r.Cell.Indicator]++
	}
	t.Logf("%d of %d suppressed numbers recovered exactly; by indicator %v", len(leaks), len(all), byInd)
}
