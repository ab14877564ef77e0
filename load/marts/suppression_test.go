package marts_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
	"integstat/load/publish"
	"integstat/load/warehouse"
)

// TestSuppressionShares builds the small cases and checks the build's
// measure of suppression against the published mart, counted here
// independently: per source, level below the nation and indicator, the
// current rows of indicators about persons and those shown as ':', and
// their sums per source and level. Every count of 1 to
// 4 persons (the default threshold) that is suppressed is suppressed by
// the primary rules. The ledger records the same numbers for the
// publication, and a build that finds nothing new records them again.
func TestSuppressionShares(t *testing.T) {
	wh := fixture.Ingest(t, testkit.SmallInbox())
	res := fixture.Build(t, wh, time.Time{})
	if len(res.Suppression) == 0 {
		t.Fatal("no suppression measured")
	}
	type key struct{ source, level string }
	want := map[key]warehouse.Suppression{}
	wantInd := map[warehouse.Suppression]bool{} // Primary left 0
	smallCounts := map[key]int64{}
	rs, err := fixture.OpenMart(t, wh, publish.PublishedFile).Query(`
		WITH d AS (SELECT * FROM indikator_dagens_inndeling x
		           WHERE data_per = (SELECT max(data_per) FROM indikator_dagens_inndeling y WHERE y.indikator = x.indikator)),
		     r AS (SELECT indikator, aar, niva, region, status FROM indikator WHERE niva IN ('kommune', 'fylke')
		           UNION ALL SELECT indikator, aar, 'dagens', region, status FROM d)
		SELECT k.kilde, r.niva, r.indikator, count(*), count(*) FILTER (WHERE r.status = ':')
		FROM r JOIN indikator_katalog k USING (indikator)
		WHERE CAST(k.om_personer AS VARCHAR) IN ('true', 'J') AND r.status <> '.'
		GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var s warehouse.Suppression
		if err := rs.Scan(&s.Source, &s.Level, &s.Indicator, &s.Rows, &s.Suppressed); err != nil {
			t.Fatal(err)
		}
		wantInd[s] = true
		w := want[key{s.Source, s.Level}]
		w.Rows += s.Rows
		w.Suppressed += s.Suppressed
		want[key{s.Source, s.Level}] = w
	}
	rs.Close()
	// Suppressed counts of 1 to 4 persons, from the truth of the analysis mart.
	rs, err = fixture.OpenMart(t, wh, publish.AnalysisFile).Query(`
		SELECT k.kilde, a.niva, count(*) FROM indikator a JOIN indikator_katalog k USING (indikator)
		WHERE CAST(k.om_personer AS VARCHAR) IN ('true', 'J') AND k.type = 'antall'
		  AND a.niva IN ('kommune', 'fylke') AND a.teller BETWEEN 1 AND 4
		GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var k key
		var n int64
		if err := rs.Scan(&k.source, &k.level, &n); err != nil {
			t.Fatal(err)
		}
		smallCounts[k] = n
	}
	rs.Close()
	got := map[key]warehouse.Suppression{}
	for _, s := range res.Suppression {
		got[key{s.Source, s.Level}] = s
		w := want[key{s.Source, s.Level}]
		if s.Rows != w.Rows || s.Suppressed != w.Suppressed {
			t.Errorf("%s %s: measured %d of %d rows suppressed, the mart shows %d of %d", s.Source, s.Level, s.Suppressed, s.Rows, w.Suppressed, w.Rows)
		}
		if s.Primary > s.Suppressed || s.Primary < smallCounts[key{s.Source, s.Level}] {
			t.Errorf("%s %s: %d primary of %d suppressed, but %d counts of 1 to 4", s.Source, s.Level, s.Primary, s.Suppressed, smallCounts[key{s.Source, s.Level}])
		}
		t.Logf("%s %s: %d of %d rows suppressed (%.1f %%), %d primary", s.Source, s.Level, s.Suppressed, s.Rows, s.Share(), s.Primary)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("%s %s: not measured", k.source, k.level)
		}
	}
	if len(res.SuppressionByIndicator) != len(wantInd) {
		t.Errorf("measured %d indicator rows, the mart has %d", len(res.SuppressionByIndicator), len(wantInd))
	}
	for _, s := range res.SuppressionByIndicator {
		bare := s
		bare.Primary = 0
		if !wantInd[bare] || s.Primary > s.Suppressed {
			t.Errorf("measured %+v, not what the mart shows", s)
		}
	}
	byInd, err := wh.SuppressionByIndicator(context.Background(), res.Publication)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(byInd, res.SuppressionByIndicator) {
		t.Errorf("ledger holds %v per indicator, the build measured %v", byInd, res.SuppressionByIndicator)
	}
	ledger, err := wh.SuppressionOf(context.Background(), []string{res.Publication})
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger[res.Publication]) != len(res.Suppression) {
		t.Fatalf("ledger holds %v, the build measured %v", ledger[res.Publication], res.Suppression)
	}
	for i, s := range ledger[res.Publication] {
		if s != res.Suppression[i] {
			t.Errorf("ledger holds %+v, the build measured %+v", s, res.Suppression[i])
		}
	}
	again := fixture.Build(t, wh, time.Time{})
	if !again.Unchanged || !slices.Equal(again.Suppression, res.Suppression) || !slices.Equal(again.SuppressionByIndicator, res.SuppressionByIndicator) {
		t.Errorf("a build with nothing new: unchanged %v, suppression %v", again.Unchanged, again.Suppression)
	}
}
