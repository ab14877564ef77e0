package schedules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"integstat/load/publish"
	"integstat/load/releases"
)

// releaseRunner is a time of the release calendar: at an announced time
// it makes the newest candidate current, unless it is held (then the run
// fails with releases.ErrHeld, is not retried, and the release waits for
// a person) or there is none (then it succeeds and says so). Setting:
// note, recorded in the ledger.
type releaseRunner struct{}

func (releaseRunner) Check(job *Job) error {
	for k := range job.Settings {
		if k != "note" {
			return &SettingError{k, errors.New("not a setting of a release job (note)")}
		}
	}
	if job.At == "" {
		return &SettingError{"at", errors.New("a release job needs its announced time (at)")}
	}
	return nil
}

func (releaseRunner) Run(ctx context.Context, job *Job, env Env) (Result, error) {
	dir := env.Warehouse.Dir
	if err := publish.Clean(dir); err != nil {
		return Result{}, err
	}
	note := job.Settings["note"]
	if note == "" {
		note = "release calendar: " + job.Name
	}
	r, err := releases.Release(dir, releases.Request{By: "calendar", Note: note})
	switch {
	case errors.Is(err, releases.ErrNoCandidate):
		return Result{Detail: "nothing to release: no candidate waiting"}, nil
	case err != nil:
		return Result{}, err
	}
	info, err := releases.ReadInfo(dir, r.ID)
	if err != nil {
		return Result{Detail: "released " + r.ID}, err
	}
	return Result{Rows: info.Figures, Detail: fmt.Sprintf("released %s", r.ID)}, nil
}

func init() { Register("release", releaseRunner{}) }

// writeReleaseMetrics writes the release figures of /metrics: when the
// current release was made, whether a candidate waits and whether it is
// held (with how many warnings), and the next time of the calendar.
func (d *Daemon) writeReleaseMetrics(p func(format string, a ...any)) {
	rs, err := publish.Releases(d.opt.Warehouse)
	if err == nil && len(rs) > 0 {
		p("# HELP integstat_release_current_timestamp_seconds When the current release was made current (Unix time).\n")
		p("# TYPE integstat_release_current_timestamp_seconds gauge\n")
		last := rs[len(rs)-1]
		p("integstat_release_current_timestamp_seconds{publication=%q} %g\n", last.ID, float64(last.At.UnixMilli())/1000)
	}
	if w, err := releases.Waiting(d.opt.Warehouse); err == nil {
		waiting, held, warnings := 0, 0, 0
		if w != nil {
			waiting, warnings = 1, len(w.Warnings)
			if w.Held() {
				held = 1
			}
		}
		p("# HELP integstat_candidate_waiting 1 while a verified candidate waits for release.\n# TYPE integstat_candidate_waiting gauge\n")
		p("integstat_candidate_waiting %d\n", waiting)
		p("# HELP integstat_candidate_held 1 while the waiting candidate is held by its checks for a person to look at.\n# TYPE integstat_candidate_held gauge\n")
		p("integstat_candidate_held %d\n", held)
		p("# HELP integstat_candidate_warnings The warnings of the checks on the waiting candidate.\n# TYPE integstat_candidate_warnings gauge\n")
		p("integstat_candidate_warnings %d\n", warnings)
	}
	if next := d.sched.NextRelease(d.opt.Now()); !next.IsZero() {
		p("# HELP integstat_release_next_timestamp_seconds The next announced time of the release calendar (Unix time).\n")
		p("# TYPE integstat_release_next_timestamp_seconds gauge\n")
		p("integstat_release_next_timestamp_seconds %d\n", next.Unix())
	}
}

// NextRelease returns the first time after t at which a release job of the
// calendar runs, zero when the schedule announces none.
func (s *Schedule) NextRelease(t time.Time) time.Time {
	var next time.Time
	for _, j := range s.Jobs {
		if n := j.Next(t); j.Kind == "release" && !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return next
}
