package schedules_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"integstat/load/publish"
	"integstat/load/releases"
	"integstat/load/warehouse"
	"integstat/schedules"
)

// writePublication makes a complete publication in the warehouse at dir:
// a published mart naming it and the info file, with warnings if given.
// It is released when release is true, else left a candidate.
func writePublication(t *testing.T, dir string, release bool, warnings ...string) string {
	t.Helper()
	d, err := publish.Begin(dir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(d.Dir(), publish.PublishedFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE publikasjon AS SELECT ? AS publikasjon", d.ID()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := releases.WriteInfo(d.Dir(), releases.Info{ID: d.ID(), Warnings: warnings}); err != nil {
		t.Fatal(err)
	}
	if err := d.Complete(); err != nil {
		t.Fatal(err)
	}
	if release {
		if err := publish.MakeCurrent(dir, publish.Release{ID: d.ID(), By: "auto"}); err != nil {
			t.Fatal(err)
		}
	}
	return d.ID()
}

// TestCalendarRelease runs a job of the release calendar: with nothing
// waiting it succeeds and changes nothing; a held candidate is not
// released and the run fails with the reason, not retried; once a newer
// candidate without warnings waits, the job releases it, recorded as by
// the calendar with the job's note.
func TestCalendarRelease(t *testing.T) {
	s, err := schedules.Parse("test.conf", strings.NewReader("[nir-final]\nkind = release\nat = 0 8 10 3 *\nretries = 3\nnote = NIR final figures\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	old := writePublication(t, dir, true)
	d := schedules.New(s, schedules.Options{Warehouse: dir, Log: quiet(nil)})
	once := func() warehouse.JobRun {
		t.Helper()
		rec, err := d.RunOnce(context.Background(), "nir-final", false)
		if (err != nil) != (rec.Outcome != warehouse.JobOK) {
			t.Fatalf("outcome %s, error %v", rec.Outcome, err)
		}
		return rec
	}
	if rec := once(); rec.Outcome != warehouse.JobOK || !strings.Contains(rec.Detail, "nothing to release") {
		t.Errorf("with nothing waiting: %s %q", rec.Outcome, rec.Detail)
	}
	held := writePublication(t, dir, false, "12 kommune figures move by more than 50 %")
	rec := once()
	if rec.Outcome != warehouse.JobFailed || rec.Attempts != 1 || !strings.Contains(rec.Detail, "held") || !strings.Contains(rec.Detail, held) {
		t.Errorf("with a held candidate: %s after %d attempts, %q; want failed at once, naming it", rec.Outcome, rec.Attempts, rec.Detail)
	}
	if cur, _ := publish.Current(dir); cur != old {
		t.Fatalf("the calendar released the held candidate: current %s, want %s", cur, old)
	}
	var m strings.Builder
	if err := d.WriteMetrics(&m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"integstat_candidate_held 1\n", "integstat_candidate_warnings 1\n", "integstat_release_next_timestamp_seconds ",
		`integstat_release_current_timestamp_seconds{publication="` + old + `"}`, `integstat_source_overdue{source="nir"} 1`} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, m.String())
		}
	}
	if !errors.Is(releasesErr(dir), releases.ErrHeld) {
		t.Errorf("a release without a name does not refuse the held candidate")
	}
	next := writePublication(t, dir, false)
	if rec := once(); rec.Outcome != warehouse.JobOK || !strings.Contains(rec.Detail, "released "+next) {
		t.Errorf("with a candidate waiting: %s %q", rec.Outcome, rec.Detail)
	}
	rs, err := publish.Releases(dir)
	if err != nil {
		t.Fatal(err)
	}
	last := rs[len(rs)-1]
	if cur, _ := publish.Current(dir); cur != next || last.ID != next || last.By != "calendar" || last.Note != "NIR final figures" {
		t.Errorf("current %s, last release %+v; want %s released by the calendar with its note", cur, last, next)
	}
}

// releasesErr asks for a release of the newest candidate and returns why
// not; it releases nothing when the candidate is held.
func releasesErr(dir string) error {
	_, err := releases.Release(dir, releases.Request{By: "test"})
	return err
}

func TestReleaseJobNeedsTime(t *testing.T) {
	_, err := schedules.Parse("test.conf", strings.NewReader("[r]\nkind = release\nafter = x\n[x]\nkind = build\nat = @daily\n"))
	if err == nil || !strings.Contains(err.Error(), "announced time") {
		t.Errorf("a release job without at: %v", err)
	}
}
