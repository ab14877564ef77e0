package demo

import (
	"path/filepath"
	"testing"
	"time"

	"integstat/load/publish"

	"integstat/extract/reference"
	"integstat/internal/testkit/fixture"
)

// TestThroughThePipeline runs the demo registers (seed 1, scale 1, the set
// TestPublishedFigures checks) through the whole pipeline: ingest, build,
// publish. It checks, from
// the marts' tables alone, that the analysis mart reproduces every figure
// IMDi published at its as-of date; that the 2017 NIR figures as of
// 2017-12-31 are the preliminary ones and indikator_historikk shows their
// revision to final; that the published mart holds no microdata and no
// suppressed value and withstands the attack; and that a second build
// computes nothing again.
func TestThroughThePipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds the scale-1 demo registers (minutes)")
	}
	set, _ := generate(t, Options{Seed: 1, Scale: 1, BadRate: 0})
	wh := fixture.Ingest(t, filepath.Join(set, "inbox"))
	res := fixture.Build(t, wh, time.Time{})
	if len(res.States) == 0 || res.Publication == "" {
		t.Fatalf("nothing built: %+v", res)
	}
	analyse := fixture.OpenMart(t, wh, publish.AnalysisFile)

	figures, err := reference.PublishedFigures()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figures {
		v := fixture.ValueAsOf(t, analyse, f.Indicator, f.Year, "land", "0", f.AsOf)
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
		p := fixture.ValueAsOf(t, analyse, ind, 2017, "land", "0", prelim)
		f := fixture.ValueAsOf(t, analyse, ind, 2017, "land", "0", final)
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

	fixture.CheckPublished(t, wh)

	// Nothing new: a second build computes no state and publishes the same figures.
	again := fixture.Build(t, wh, time.Time{})
	if len(again.States) != 0 {
		t.Errorf("second build computed %d states again", len(again.States))
	}

	// As of 2017-12-31 the current figures are the preliminary ones.
	asOf := fixture.Build(t, wh, prelim)
	if asOf.Publication == "" {
		t.Fatal("no publication as of 2017-12-31")
	}
	cur := fixture.OpenMart(t, wh, publish.AnalysisFile)
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
