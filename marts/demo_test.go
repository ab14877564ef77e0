package marts_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"integstat/demo"
	"integstat/marts"
	"integstat/reference"
)

// TestDemoRegisters runs the whole chain on the demo registers (seed 1,
// scale 1, with planted faults): ingest, build, publish. It checks, from
// the marts' tables alone, that the analysis mart reproduces every figure
// IMDi published at its as-of date; that the 2017 NIR figures as of
// 2017-12-31 are the preliminary ones and indikator_historikk shows their
// revision to final; that the published mart holds no microdata and no
// suppressed value and withstands the attack; and that a second build
// computes nothing again.
func TestDemoRegisters(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds the scale-1 demo registers (minutes)")
	}
	ctx := context.Background()
	set := t.TempDir()
	if _, err := demo.Generate(ctx, demo.Options{Out: set, Seed: 1, Scale: 1, BadRate: 0.001}); err != nil {
		t.Fatal(err)
	}
	wh := ingest(t, filepath.Join(set, "inbox"))
	res := build(t, wh, time.Time{})
	if len(res.States) == 0 || res.Publication == "" {
		t.Fatalf("nothing built: %+v", res)
	}
	analyse := openMart(t, wh, marts.AnalysisFile)

	figures, err := reference.PublishedFigures()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figures {
		v := valueAsOf(t, analyse, f.Indicator, f.Year, "land", "0", f.AsOf)
		if !v.Found || !f.Matches(v.Verdi.Float64) {
			t.Errorf("%s %d as of %v: mart has %+v, published %v (%s)", f.Indicator, f.Year, f.AsOf, v, f.Value, f.Kind)
		}
		if !f.AsOf.IsZero() && !v.DataPer.Equal(f.AsOf) {
			t.Errorf("%s %d: data_per %v, want the state of %v", f.Indicator, f.Year, v.DataPer, f.AsOf)
		}
	}

	// The revision of the 2017 NIR figures: preliminary at 2017-12-31,
	// final and higher at 2018-02-28.
	prelim := time.Date(2017, 12, 31, 0, 0, 0, 0, time.UTC)
	final := time.Date(2018, 2, 28, 0, 0, 0, 0, time.UTC)
	for _, ind := range []string{"intro_deltakere", "intro_avsluttet", "norsk_deltakere"} {
		p := valueAsOf(t, analyse, ind, 2017, "land", "0", prelim)
		f := valueAsOf(t, analyse, ind, 2017, "land", "0", final)
		if p.Status != "p" || f.Status != "" || f.Verdi.Float64 < p.Verdi.Float64 {
			t.Errorf("%s 2017: preliminary %+v, final %+v", ind, p, f)
		}
	}
	revised := 0
	if err := analyse.QueryRow(`SELECT count(*) FROM indikator_historikk p JOIN indikator_historikk f USING (indikator, aar, niva, region)
		WHERE p.aar = 2017 AND p.data_per = DATE '2017-12-31' AND f.data_per = DATE '2018-02-28'
		  AND p.niva = 'land' AND p.status = 'p' AND f.status = '' AND p.verdi <> f.verdi`).Scan(&revised); err != nil {
		t.Fatal(err)
	}
	if revised < 5 {
		t.Errorf("only %d national 2017 figures revised from preliminary to final", revised)
	}

	checkPublished(t, wh)

	// Nothing new: a second build computes no state and publishes the same figures.
	again := build(t, wh, time.Time{})
	if len(again.States) != 0 {
		t.Errorf("second build computed %d states again", len(again.States))
	}

	// As of 2017-12-31 the current figures are the preliminary ones.
	asOf := build(t, wh, prelim)
	if asOf.Publication == "" {
		t.Fatal("no publication as of 2017-12-31")
	}
	cur := openMart(t, wh, marts.AnalysisFile)
	for _, f := range figures {
		if !f.AsOf.Equal(prelim) {
			continue
		}
		var v float64
		var status string
		if err := cur.QueryRow(`SELECT verdi, status FROM indikator WHERE indikator = ? AND aar = ? AND niva = 'land'`,
			f.Indicator, f.Year).Scan(&v, &status); err != nil {
			t.Fatalf("%s %d: %v", f.Indicator, f.Year, err)
		}
		// NIR figures for 2017 are preliminary as of 31.12.2017; those
		// for 2016 were final from the end of February 2017.
		if wantStatus := map[bool]string{true: "p", false: ""}[f.Year == 2017]; !f.Matches(v) || status != wantStatus {
			t.Errorf("as of 2017-12-31: %s %d = %v (%q), published %v", f.Indicator, f.Year, v, status, f.Value)
		}
	}
}

// checkPublished checks the current publication's published mart: only
// the tables the portal reads, no column of microdata, no value where the
// status is ':', statuses from the documented set, and no suppressed
// value the attack can derive exactly.
func checkPublished(t *testing.T, wh interface{ Marts() string }) {
	t.Helper()
	pub, err := sql.Open("duckdb", filepath.Join(wh.Marts(), marts.PublishedFile)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ana, err := sql.Open("duckdb", filepath.Join(wh.Marts(), marts.AnalysisFile)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer ana.Close()
	rows, err := pub.Query(`SELECT table_name, column_name FROM information_schema.columns ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]bool{}
	for rows.Next() {
		var tb, col string
		if err := rows.Scan(&tb, &col); err != nil {
			t.Fatal(err)
		}
		tables[tb] = true
		switch col {
		case "person", "fnr", "duf", "tolk_id", "fodselsaar", "familie_id", "source_line":
			t.Errorf("published mart has microdata column %s.%s", tb, col)
		}
	}
	rows.Close()
	for tb := range tables {
		switch tb {
		case "indikator", "indikator_historikk", "region", "indikator_katalog", "tilstand", "publikasjon", "indikator_dagens_inndeling":
		default:
			t.Errorf("published mart has table %s", tb)
		}
	}
	var leaks, bad, suppressed int
	if err := pub.QueryRow(`SELECT count(*) FILTER (WHERE status = ':' AND (verdi IS NOT NULL OR teller IS NOT NULL OR nevner IS NOT NULL)),
		count(*) FILTER (WHERE status NOT IN ('', 'p', ':')), count(*) FILTER (WHERE status = ':')
		FROM indikator_historikk`).Scan(&leaks, &bad, &suppressed); err != nil {
		t.Fatal(err)
	}
	if leaks > 0 || bad > 0 || suppressed == 0 {
		t.Errorf("published mart: %d suppressed values with a value, %d bad statuses, %d suppressed", leaks, bad, suppressed)
	}
	if err := pub.QueryRow(`SELECT count(*) FROM indikator_dagens_inndeling WHERE status = ':' AND verdi IS NOT NULL`).Scan(&leaks); err != nil || leaks > 0 {
		t.Errorf("today's structure: %d suppressed sums with a value (%v)", leaks, err)
	}
	// National figures are never suppressed.
	var national int
	if err := pub.QueryRow(`SELECT count(*) FROM indikator_historikk WHERE niva = 'land' AND status = ':'`).Scan(&national); err != nil {
		t.Fatal(err)
	}
	if national > 0 {
		t.Errorf("%d national figures suppressed", national)
	}
	cat, err := marts.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	derivable, _, err := marts.AttackPublished(context.Background(), pub, ana, cat)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range derivable {
		if i < 10 {
			t.Errorf("suppressed value derivable from the published ones: %s %d %s %s", f.Indicator, f.Year, f.Level, f.Region)
		}
	}
}
