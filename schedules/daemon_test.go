package schedules_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"integstat/load/marts"
	"integstat/load/warehouse"
	"integstat/pipeline"
	"integstat/schedules"
)

// testRunners holds the work of the jobs of kind "test", by warehouse
// directory and job name, so tests running at once do not meet.
var testRunners sync.Map

func init() {
	schedules.Register("test", schedules.RunnerFunc(func(ctx context.Context, job *schedules.Job, env schedules.Env) (schedules.Result, error) {
		f, ok := testRunners.Load(env.Warehouse.Dir + "/" + job.Name)
		if !ok {
			return schedules.Result{}, errors.New("no test runner for " + job.Name)
		}
		return f.(schedules.RunnerFunc)(ctx, job, env)
	}))
}

// setup parses a schedule of test jobs, registers their work on a new
// warehouse, and returns the warehouse directory.
func setup(t *testing.T, text string, work map[string]schedules.RunnerFunc) (*schedules.Schedule, string) {
	t.Helper()
	s, err := schedules.Parse("test.conf", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, f := range work {
		testRunners.Store(dir+"/"+name, f)
	}
	return s, dir
}

// runs reads the job runs of the warehouse at dir, oldest first.
func runs(t *testing.T, dir string) []warehouse.JobRun {
	t.Helper()
	wh, err := warehouse.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	rs, err := wh.JobRuns(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return rs
}

// quiet is a logger for daemons under test; signal, when not nil, gets
// every message.
func quiet(signal func(msg string)) *slog.Logger {
	return slog.New(&msgHandler{Handler: slog.NewTextHandler(io.Discard, nil), f: signal})
}

type msgHandler struct {
	slog.Handler
	f func(string)
}

func (h *msgHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.f != nil {
		h.f(r.Message)
	}
	return nil
}
func (h *msgHandler) WithAttrs(as []slog.Attr) slog.Handler { return h }

// eventually polls cond until it holds, failing the test after a while.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

func count(rs []warehouse.JobRun, outcome warehouse.JobOutcome) int {
	n := 0
	for _, r := range rs {
		if r.Outcome == outcome {
			n++
		}
	}
	return n
}

func TestNoOverlapUnderSlowJob(t *testing.T) {
	release := make(chan struct{})
	var active, maxActive, started atomic.Int32
	s, dir := setup(t, "[slow]\nkind = test\nat = * * * * * *\n", map[string]schedules.RunnerFunc{
		"slow": func(ctx context.Context, job *schedules.Job, env schedules.Env) (schedules.Result, error) {
			n := active.Add(1)
			defer active.Add(-1)
			if n > maxActive.Load() {
				maxActive.Store(n)
			}
			if started.Add(1) == 1 {
				<-release // the first run outlasts several times of its schedule
			}
			return schedules.Result{Rows: 1}, nil
		}})
	d := schedules.New(s, schedules.Options{Warehouse: dir, Log: quiet(nil), LockPoll: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	eventually(t, "two times skipped while the first run goes on", func() bool {
		var b bytes.Buffer
		d.WriteMetrics(&b)
		return strings.Contains(b.String(), `integstat_job_runs_total{job="slow",outcome="skipped-overlap"} 2`)
	})
	close(release)
	eventually(t, "a second run after the slow one", func() bool { return started.Load() >= 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if maxActive.Load() != 1 {
		t.Errorf("%d runs of the job at once", maxActive.Load())
	}
	rs := runs(t, dir)
	if count(rs, warehouse.JobSkipped) < 2 || count(rs, warehouse.JobOK) < 2 {
		t.Fatalf("runs %+v: want the skips and at least two ok runs recorded", rs)
	}
	first := rs[0]
	if first.Outcome != warehouse.JobOK {
		t.Fatalf("first run %+v", first)
	}
	for _, r := range rs[1:] {
		if r.Outcome == warehouse.JobOK && r.Started.Before(first.Finished) {
			t.Errorf("run %+v started before the first one finished at %v", r, first.Finished)
		}
		if r.Outcome == warehouse.JobSkipped && (r.Started.Before(first.Started) || r.Started.After(first.Finished)) {
			t.Errorf("skip %+v outside the first run (%v–%v)", r, first.Started, first.Finished)
		}
	}
}

func TestRetries(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	cases := []struct {
		name      string
		retries   string
		errs      []error // the attempts' errors, then success
		always    error   // every attempt's error, when set
		outcome   warehouse.JobOutcome
		attempts  int
		sleeps    []time.Duration
		wantError bool
	}{
		{"transient then success", "5", []error{refused, refused, refused}, nil, warehouse.JobOK, 4,
			[]time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, false},
		{"transient through every retry", "2", nil, refused, warehouse.JobGaveUp, 3,
			[]time.Duration{time.Second, 2 * time.Second}, true},
		{"inbox unreadable for now", "1", []error{&os.PathError{Op: "open", Path: "/inbox/nir", Err: os.ErrPermission}}, nil,
			warehouse.JobOK, 2, []time.Duration{time.Second}, false},
		{"a refused delivery is a data error", "5", nil, fmt.Errorf("nir: %w", pipeline.ErrRefused), warehouse.JobFailed, 1, nil, true},
		{"a failed verification is a data error", "5", nil, fmt.Errorf("build: %w", marts.ErrVerify), warehouse.JobFailed, 1, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			s, dir := setup(t, "[j]\nkind = test\nat = @yearly\nbackoff = 1s\nbackoff-max = 3s\nretries = "+c.retries+"\n",
				map[string]schedules.RunnerFunc{"j": func(ctx context.Context, job *schedules.Job, env schedules.Env) (schedules.Result, error) {
					calls++
					if c.always != nil {
						return schedules.Result{}, c.always
					}
					if calls <= len(c.errs) {
						return schedules.Result{}, c.errs[calls-1]
					}
					return schedules.Result{Rows: 7}, nil
				}})
			var slept []time.Duration
			d := schedules.New(s, schedules.Options{Warehouse: dir, Log: quiet(nil),
				Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }})
			rec, err := d.RunOnce(context.Background(), "j", false)
			if (err != nil) != c.wantError {
				t.Fatalf("err = %v", err)
			}
			if rec.Outcome != c.outcome || rec.Attempts != c.attempts || calls != c.attempts {
				t.Errorf("outcome %s after %d attempts (%d calls), want %s after %d", rec.Outcome, rec.Attempts, calls, c.outcome, c.attempts)
			}
			if fmt.Sprint(slept) != fmt.Sprint(c.sleeps) {
				t.Errorf("waits %v, want %v", slept, c.sleeps)
			}
			rs := runs(t, dir)
			if len(rs) != 1 || rs[0].Outcome != c.outcome || rs[0].Attempts != c.attempts || rs[0].Finished.IsZero() || rs[0].Reason != "once" {
				t.Fatalf("ledger %+v, want one %s run of %d attempts", rs, c.outcome, c.attempts)
			}
			if c.outcome == warehouse.JobOK && rs[0].Rows != 7 {
				t.Errorf("rows %d, want 7", rs[0].Rows)
			}
			if c.outcome != warehouse.JobOK && !strings.Contains(rs[0].Detail, "refused") && !strings.Contains(rs[0].Detail, "verified") {
				t.Errorf("the error is not recorded: %q", rs[0].Detail)
			}
		})
	}
}

func TestCatchUp(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, schedules.Oslo)
	var mu sync.Mutex
	ran := map[string]int{}
	work := func(ctx context.Context, job *schedules.Job, env schedules.Env) (schedules.Result, error) {
		mu.Lock()
		ran[job.Name]++
		mu.Unlock()
		return schedules.Result{}, nil
	}
	s, dir := setup(t, `
[missed]
kind = test
at = 30 2 * * *
[recent]
kind = test
at = 30 2 * * *
[never]
kind = test
at = 30 2 * * *
[crashed]
kind = test
after = recent
[off]
kind = test
at = 30 2 * * *
catch-up = no
`, map[string]schedules.RunnerFunc{"missed": work, "recent": work, "never": work, "crashed": work, "off": work})
	ctx := context.Background()
	wh, err := warehouse.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []warehouse.JobRun{
		{Job: "missed", Started: now.AddDate(0, 0, -3), Outcome: warehouse.JobOK},   // three nights missed
		{Job: "recent", Started: now.Add(-9 * time.Hour), Outcome: warehouse.JobOK}, // ran at 03:00 today
		{Job: "crashed", Started: now.Add(-time.Hour), Outcome: warehouse.JobRunning},
		{Job: "off", Started: now.AddDate(0, 0, -3), Outcome: warehouse.JobOK},
	} {
		r.Kind, r.Reason = "test", "schedule"
		if err := wh.RecordJob(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	wh.Close()

	rctx, cancel := context.WithCancel(ctx)
	var catchUps atomic.Int32
	startedUp := make(chan struct{})
	d := schedules.New(s, schedules.Options{Warehouse: dir, Now: func() time.Time { return now },
		Log: quiet(func(msg string) {
			switch msg {
			case "catching up":
				catchUps.Add(1)
			case "schedule started": // every catch-up run is triggered
				close(startedUp)
			}
		})})
	done := make(chan error)
	go func() { done <- d.Run(rctx) }()
	<-startedUp
	eventually(t, "the catch-up runs", func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, k := range ran {
			n += k
		}
		return n == int(catchUps.Load())
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"missed": 1, "crashed": 1}
	if fmt.Sprint(ran) != fmt.Sprint(want) {
		t.Errorf("caught up %v, want %v", ran, want)
	}
	rs := runs(t, dir)
	if count(rs, warehouse.JobInterrupted) != 1 {
		t.Errorf("the crashed run is not recorded as interrupted: %+v", rs)
	}
	for _, r := range rs[4:] {
		if r.Reason != "catch-up" || r.Outcome != warehouse.JobOK {
			t.Errorf("catch-up run %+v", r)
		}
	}
}

func TestTwoDaemonsOnOneWarehouse(t *testing.T) {
	var active, overlaps, total atomic.Int32
	work := func(ctx context.Context, job *schedules.Job, env schedules.Env) (schedules.Result, error) {
		if active.Add(1) > 1 {
			overlaps.Add(1)
		}
		time.Sleep(300 * time.Millisecond) // long enough for the other daemon's time to come
		active.Add(-1)
		total.Add(1)
		return schedules.Result{}, nil
	}
	s, dir := setup(t, "[j]\nkind = test\nat = * * * * * *\n[k]\nkind = test\nat = * * * * * *\n",
		map[string]schedules.RunnerFunc{"j": work, "k": work})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		d := schedules.New(s, schedules.Options{Warehouse: dir, Log: quiet(nil), LockPoll: 5 * time.Millisecond})
		wg.Add(1)
		go func() { defer wg.Done(); d.Run(ctx) }()
	}
	eventually(t, "six runs", func() bool { return total.Load() >= 6 })
	cancel()
	wg.Wait()
	if overlaps.Load() > 0 {
		t.Errorf("%d runs started while another ran", overlaps.Load())
	}
	if rs := runs(t, dir); count(rs, warehouse.JobOK) < 6 {
		t.Errorf("%d ok runs recorded, want at least 6", count(rs, warehouse.JobOK))
	}

	// A run that will not wait is refused, naming the holder.
	unlock, err := warehouse.Lock(context.Background(), dir, warehouse.LockOptions{Job: "manual run"})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = schedules.New(s, schedules.Options{Warehouse: dir, Log: quiet(nil)}).RunOnce(context.Background(), "j", false)
	if !errors.Is(err, warehouse.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("locked by pid %d", os.Getpid())) ||
		!strings.Contains(err.Error(), "job manual run") {
		t.Errorf("RunOnce on a locked warehouse: %v", err)
	}
}

func TestMetricsAndHealth(t *testing.T) {
	s, dir := setup(t, "[j]\nkind = test\nat = 30 2 * * *\n[k]\nkind = test\nafter = j\n", map[string]schedules.RunnerFunc{
		"j": func(ctx context.Context, job *schedules.Job, env schedules.Env) (schedules.Result, error) {
			return schedules.Result{Rows: 42, Quarantined: 3}, nil
		}})
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, schedules.Oslo)
	d := schedules.New(s, schedules.Options{Warehouse: dir, Log: quiet(nil), Now: func() time.Time { return now }})
	if _, err := d.RunOnce(context.Background(), "j", false); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	_, body := get("/metrics")
	for _, want := range []string{
		"# TYPE integstat_job_runs_total counter",
		`integstat_job_runs_total{job="j",outcome="ok"} 1`,
		`integstat_job_last_rows{job="j"} 42`,
		`integstat_job_quarantined_rows_total{job="j"} 3`,
		`integstat_job_failures_total{job="j"} 0`,
		`integstat_job_running{job="j"} 0`,
		fmt.Sprintf(`integstat_job_last_success_timestamp_seconds{job="j"} %g`, float64(now.Unix())),
		fmt.Sprintf(`integstat_job_next_run_timestamp_seconds{job="j"} %d`, time.Date(2026, 11, 21, 2, 30, 0, 0, schedules.Oslo).Unix()),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `integstat_job_next_run_timestamp_seconds{job="k"}`) || strings.Contains(body, `integstat_job_last_rows{job="k"}`) {
		t.Errorf("/metrics shows figures a job does not have:\n%s", body)
	}
}

func TestTransient(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("tolk: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{"deadline", fmt.Errorf("read: %w", context.DeadlineExceeded), true},
		{"inbox missing", &os.PathError{Op: "open", Path: "/inbox", Err: os.ErrNotExist}, true},
		{"inbox not readable", &os.PathError{Op: "open", Path: "/inbox", Err: os.ErrPermission}, true},
		{"warehouse unavailable", fmt.Errorf("%w: ledger busy", schedules.ErrUnavailable), true},
		{"refused delivery", fmt.Errorf("%w: 1 delivery id", pipeline.ErrRefused), false},
		{"refused delivery with a path error", errors.Join(pipeline.ErrRefused, &os.PathError{Op: "open", Err: os.ErrNotExist}), false},
		{"failed verification", fmt.Errorf("%w: attack", marts.ErrVerify), false},
		{"not configured", fmt.Errorf("%w: no key", schedules.ErrConfig), false},
		{"stopped", context.Canceled, false},
		{"unknown", errors.New("line 3: bad date"), false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		if got := schedules.Transient(c.err); got != c.want {
			t.Errorf("%s: Transient(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
