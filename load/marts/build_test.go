package marts_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"integstat/internal/testkit/fixture"
	"integstat/load/marts"
	"integstat/load/publish"
	"integstat/load/sqlmodel"
	"integstat/pipeline"
)

// TestIncrementalBuild checks that a delivery added later computes only
// the data state it makes, leaving the states computed before untouched.
func TestIncrementalBuild(t *testing.T) {
	inbox := filepath.Join(smallcases, "inbox")
	early := fixture.CopyInbox(t, inbox, func(source, id string) bool { return id < "20180201" })
	wh, key := fixture.IngestWithKey(t, early)
	first := fixture.Build(t, wh, time.Time{})
	var firstStates []string
	for _, s := range first.States {
		firstStates = append(firstStates, s.Source+" "+s.Date.Format(time.DateOnly))
	}
	want := []string{"bosetting 2017-01-05", "nir 2017-12-31", "tolk 2018-01-05"}
	if !slices.Equal(firstStates, want) {
		t.Fatalf("first build computed %v, want %v", firstStates, want)
	}
	if _, err := pipeline.Ingest(context.Background(), pipeline.IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true}); err != nil {
		t.Fatal(err)
	}
	second := fixture.Build(t, wh, time.Time{})
	var got []string
	for _, s := range second.States {
		got = append(got, s.Source+" "+s.Date.Format(time.DateOnly))
	}
	// nir/20180305T020000 is corrupt and rejected: no state of its own.
	want = []string{"bosetting 2018-03-05", "nir 2018-02-28"}
	if !slices.Equal(got, want) {
		t.Fatalf("second build computed %v, want only %v", got, want)
	}
	if second.Publication == first.Publication {
		t.Error("the second build did not publish anew")
	}
	db := fixture.OpenMart(t, wh, publish.AnalysisFile)
	var states int
	if err := db.QueryRow(`SELECT count(*) FROM tilstand`).Scan(&states); err != nil || states != 5 {
		t.Errorf("tilstand has %d states (%v), want 5", states, err)
	}
}

// TestFailingDataTestKeepsPublication breaks the history so that a data
// test fails: the build reports which test failed with example rows, and
// the previous publication stays live.
func TestFailingDataTestKeepsPublication(t *testing.T) {
	wh := fixture.Ingest(t, filepath.Join(smallcases, "inbox"))
	fixture.Build(t, wh, time.Time{})
	before, err := publish.Current(wh.Dir)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := sql.Open("duckdb", wh.IndicatorHistory())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hist.Exec(`UPDATE historikk SET verdi = 1.5 WHERE indikator = 'andel_bosatt_6mnd' AND niva = 'land'`); err != nil {
		t.Fatal(err)
	}
	hist.Close()
	// Nothing new would publish nothing; a publication as of another day
	// is built and tested.
	_, err = marts.Build(context.Background(), marts.Options{Warehouse: wh, AsOf: time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC)})
	var tf *sqlmodel.TestFailure
	if !errors.Is(err, marts.ErrVerify) || !errors.As(err, &tf) {
		t.Fatalf("build error %v, want a data test failure", err)
	}
	if len(tf.Failed) != 1 || tf.Failed[0].Test.Name != "shares_within_bounds" || tf.Failed[0].Failing == 0 {
		t.Fatalf("failed tests %+v", tf.Failed)
	}
	after, err := publish.Current(wh.Dir)
	if err != nil || after != before {
		t.Fatalf("publication %q after a failed build, was %q (%v)", after, before, err)
	}
}

// TestProtectedIdentityAlone checks that a person with protected identity,
// the only one settled in kommune 1601 in 2017, counts nationally and
// nowhere below: kommune 1601 and fylke 16 show no settlement and no
// kommune is counted for them.
func TestProtectedIdentityAlone(t *testing.T) {
	wh := fixture.Ingest(t, filepath.Join(smallcases, "inbox"))
	fixture.Build(t, wh, time.Time{})
	for _, file := range []string{publish.AnalysisFile, publish.PublishedFile} {
		db := fixture.OpenMart(t, wh, file)
		for _, c := range []struct {
			ind, level, region string
			want               int64
		}{
			{"bosatte", "kommune", "1601", 0},
			{"bosatte", "fylke", "16", 0},
			{"bosatte_selvbosatt", "kommune", "1601", 0},
			{"kommuner_selvbosatt", "land", "0", 1},
			{"bosatte", "land", "0", 13},
			{"bosatte_selvbosatt", "land", "0", 2},
		} {
			var teller sql.NullInt64
			var status string
			err := db.QueryRow(`SELECT teller, status FROM indikator WHERE indikator = ? AND aar = 2017 AND niva = ? AND region = ?`,
				c.ind, c.level, c.region).Scan(&teller, &status)
			if err != nil || teller.Int64 != c.want || !teller.Valid {
				t.Errorf("%s: %s 2017 %s %s = %v %q (%v), want %d", file, c.ind, c.level, c.region, teller, status, err, c.want)
			}
		}
	}
}
