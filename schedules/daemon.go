package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"integstat/load/warehouse"
)

// Options configures a Daemon.
type Options struct {
	// Warehouse is the warehouse directory the jobs work on.
	Warehouse string
	// Cadence is how often each source should deliver, for /metrics;
	// nil means warehouse.DefaultCadence.
	Cadence map[string]time.Duration
	// Env holds what the jobs run with (inbox, key, database); its
	// Warehouse and Log are set per run.
	Env Env
	Log *slog.Logger // nil: slog.Default()
	// StopTimeout is how long a stop waits for a running job to finish
	// before it cancels it; 0 means DefaultStopTimeout.
	StopTimeout time.Duration
	// LockPoll is how often a job waiting for the warehouse lock tries
	// again; 0 means 250ms.
	LockPoll time.Duration
	// Now and Sleep stand in for the clock in tests; nil means the real one.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultStopTimeout is how long a stop waits for the running job.
const DefaultStopTimeout = 2 * time.Minute

// Reasons a run starts for, as the ledger records them (besides "after
// JOB" for a run its dependency's success started).
const (
	ReasonSchedule = "schedule"
	ReasonCatchUp  = "catch-up"
	ReasonOnce     = "once"
)

// Daemon runs the jobs of a schedule on the warehouse. A job is never
// started while its previous run is going (the skip is logged and
// recorded); runs of different jobs, and of other processes, take turns
// under the warehouse lock, each opening the warehouse for its run and
// closing it after, so other processes can read the ledger between runs.
type Daemon struct {
	sched *Schedule
	opt   Options
	log   *slog.Logger

	jobCtx context.Context // runs' context: cancelled only when a stop times out
	abort  context.CancelFunc

	mu       sync.Mutex
	stopping bool
	jobs     map[string]*jobState
	pending  []warehouse.JobRun // records waiting for the ledger to be open
	wg       sync.WaitGroup
	started  time.Time
	// deliveries are the loaded deliveries as of the last job, read while
	// it had the warehouse open, for the freshness metrics.
	deliveries []warehouse.DeliveryLoad
}

// jobState is what the daemon knows of one job: whether it runs, and the
// figures of /metrics.
type jobState struct {
	running     bool
	rerun       string // a dependency succeeded during the run: run again for this reason
	lastSuccess time.Time
	lastDur     time.Duration
	lastRows    int64
	quarantined int64
	runs        map[warehouse.JobOutcome]int64 // by outcome
}

// New returns a daemon for the schedule s.
func New(s *Schedule, opt Options) *Daemon {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.StopTimeout <= 0 {
		opt.StopTimeout = DefaultStopTimeout
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	d := &Daemon{sched: s, opt: opt, log: opt.Log, jobs: map[string]*jobState{}}
	d.jobCtx, d.abort = context.WithCancel(context.Background())
	for _, j := range s.Jobs {
		d.jobs[j.Name] = &jobState{runs: map[warehouse.JobOutcome]int64{}}
	}
	return d
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Run runs the schedule until ctx is done: first the catch-up of jobs
// that missed their time while no daemon ran, then every job at its
// times (robfig/cron in Europe/Oslo) and after the jobs it follows. When
// ctx is done it starts nothing more, waits up to StopTimeout for the
// running jobs to finish, then cancels them (the stages publish
// atomically, so a cancelled build leaves the previous publication) and
// waits for them to return.
func (d *Daemon) Run(ctx context.Context) error {
	d.mu.Lock()
	d.started = d.opt.Now()
	d.mu.Unlock()
	c := cron.New(cron.WithLocation(Oslo), cron.WithLogger(cronLogger{d.log}))
	for _, j := range d.sched.Jobs {
		if j.schedule != nil {
			c.Schedule(j.schedule, cron.FuncJob(func() { d.trigger(ctx, j, ReasonSchedule) }))
		}
	}
	if err := d.catchUp(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	c.Start()
	d.log.Info("schedule started", "jobs", len(d.sched.Jobs), "file", d.sched.File)
	<-ctx.Done()
	d.mu.Lock()
	d.stopping = true
	d.mu.Unlock()
	<-c.Stop().Done()
	d.drain()
	d.log.Info("schedule stopped")
	return nil
}

// drain waits for the running jobs, cancelling them after StopTimeout.
func (d *Daemon) drain() {
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(d.opt.StopTimeout):
	}
	d.log.Warn("stopping: the running jobs did not finish in time; cancelling them", "timeout", d.opt.StopTimeout)
	d.abort()
	<-done
}

// catchUp runs once, now, every job with catch-up whose last recorded
// run was interrupted or aborted, or that missed a time since it. A job
// that never ran is not caught up.
func (d *Daemon) catchUp(ctx context.Context) error {
	var last map[string]warehouse.JobRun
	err := d.withWarehouse(ctx, "catch-up", true, func(wh *warehouse.Warehouse) error {
		var err error
		last, err = wh.LastJobRuns(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("schedule: catch-up: %w", err)
	}
	now := d.opt.Now()
	for _, j := range d.sched.Jobs {
		r, ok := last[j.Name]
		if !j.CatchUp || !ok {
			continue
		}
		missed := j.schedule != nil && !j.Next(r.Started).After(now)
		if missed || r.Outcome == warehouse.JobInterrupted || r.Outcome == warehouse.JobAborted {
			d.log.Info("catching up", "job", j.Name, "last_run", r.Started, "last_outcome", r.Outcome)
			d.trigger(ctx, j, ReasonCatchUp)
		}
	}
	return nil
}

// trigger starts a run of j unless one is going: then a time of its
// schedule is skipped (and recorded), while a dependency's success makes
// it run again once the current run ends.
func (d *Daemon) trigger(ctx context.Context, j *Job, reason string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopping {
		return
	}
	st := d.jobs[j.Name]
	if st.running {
		if reason != ReasonSchedule && reason != ReasonCatchUp {
			st.rerun = reason
			return
		}
		now := d.opt.Now()
		st.runs[warehouse.JobSkipped]++
		d.pending = append(d.pending, warehouse.JobRun{Job: j.Name, Kind: j.Kind, Reason: reason, Started: now, Finished: now,
			Outcome: warehouse.JobSkipped, Detail: "the previous run was still going", PID: os.Getpid()})
		d.log.Warn("job still running: this time is skipped", "job", j.Name, "reason", reason)
		return
	}
	st.running = true
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		rec, _ := d.run(ctx, j, reason, true)
		d.mu.Lock()
		st.running = false
		again := st.rerun
		st.rerun = ""
		d.mu.Unlock()
		if rec.Outcome == warehouse.JobOK {
			for _, dep := range d.sched.Dependents(j.Name) {
				d.trigger(ctx, dep, "after "+j.Name)
			}
		}
		if again != "" {
			d.trigger(ctx, j, again)
		}
	}()
}

// RunOnce runs the job named name now, with its retries, and returns its
// record; it does not start the jobs that follow it. Without wait a
// warehouse locked by another process is an error (a *warehouse.LockedError).
// When ctx is done the run gets StopTimeout to finish before it is
// cancelled.
func (d *Daemon) RunOnce(ctx context.Context, name string, wait bool) (warehouse.JobRun, error) {
	j, ok := d.sched.Job(name)
	if !ok {
		return warehouse.JobRun{}, fmt.Errorf("schedule %s has no job %q", d.sched.File, name)
	}
	var rec warehouse.JobRun
	var err error
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		rec, err = d.run(ctx, j, ReasonOnce, wait)
	}()
	d.drainOn(ctx)
	return rec, err
}

// drainOn waits for the runs, and drains them when ctx is done first.
func (d *Daemon) drainOn(ctx context.Context) {
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		d.drain()
	}
}

// run runs j with its retries and records the run.
func (d *Daemon) run(ctx context.Context, j *Job, reason string, wait bool) (warehouse.JobRun, error) {
	rec := warehouse.JobRun{Job: j.Name, Kind: j.Kind, Reason: reason, Started: d.opt.Now(), PID: os.Getpid()}
	log := d.log.With("job", j.Name, "reason", reason)
	log.Info("job started")
	for attempt := 1; ; attempt++ {
		rec.Attempts, rec.Outcome = attempt, ""
		err := d.attempt(ctx, j, &rec, wait, attempt > j.Retries)
		if err == nil {
			d.finished(j, rec)
			log.Info("job finished", "outcome", rec.Outcome, "attempts", attempt, "rows", rec.Rows,
				"quarantined", rec.Quarantined, "seconds", rec.Finished.Sub(rec.Started).Seconds())
			return rec, nil
		}
		if rec.Outcome == "" { // the attempt did not reach the ledger
			switch {
			case errors.Is(err, warehouse.ErrLocked):
				return rec, err
			case ctx.Err() != nil:
				rec.Outcome = warehouse.JobAborted
			case Transient(err) && attempt <= j.Retries:
				rec.Outcome = warehouse.JobRetrying
			case Transient(err):
				rec.Outcome = warehouse.JobGaveUp
			default:
				rec.Outcome = warehouse.JobFailed
			}
			rec.Detail = err.Error()
		}
		unrecorded := rec.ID == 0
		if rec.Outcome == warehouse.JobRetrying {
			wait := backoff(j, attempt)
			log.Warn("job failed for now; trying again", "attempt", attempt, "retry_in", wait, "error", err)
			if serr := d.opt.Sleep(ctx, wait); serr == nil {
				continue
			}
			rec.Outcome, unrecorded = warehouse.JobAborted, true
		}
		if rec.Finished.IsZero() {
			rec.Finished = d.opt.Now()
		}
		if unrecorded {
			// The ledger has no record of the run, or says it is still
			// retrying: the record is written when the warehouse is next
			// open.
			d.mu.Lock()
			d.pending = append(d.pending, rec)
			d.mu.Unlock()
		}
		d.finished(j, rec)
		log.Error("job failed", "outcome", rec.Outcome, "attempts", attempt, "error", err)
		return rec, err
	}
}

// backoff is the wait before attempt+1: Backoff doubled per earlier
// attempt, at most BackoffMax.
func backoff(j *Job, attempt int) time.Duration {
	d := j.Backoff
	for i := 1; i < attempt && d < j.BackoffMax; i++ {
		d *= 2
	}
	return min(d, j.BackoffMax)
}

// attempt makes one attempt of a run under the warehouse lock, with the
// warehouse open, and records it. rec.Outcome stays "" when the attempt
// did not get to the ledger.
func (d *Daemon) attempt(ctx context.Context, j *Job, rec *warehouse.JobRun, wait, last bool) error {
	runner, _ := lookup(j.Kind)
	var runErr error
	err := d.withWarehouse(ctx, j.Name, wait, func(wh *warehouse.Warehouse) error {
		rec.Outcome = warehouse.JobRunning
		if rec.ID == 0 {
			id, err := wh.StartJob(ctx, *rec)
			if err != nil {
				rec.Outcome = ""
				return err
			}
			rec.ID = id
		} else if err := wh.UpdateJob(ctx, rec.ID, *rec); err != nil {
			return err
		}
		jctx, cancel := d.jobCtx, context.CancelFunc(func() {})
		if j.Timeout > 0 {
			jctx, cancel = context.WithTimeout(jctx, j.Timeout)
		}
		env := d.opt.Env
		env.Warehouse, env.Log = wh, d.log.With("job", j.Name)
		var res Result
		res, runErr = runner.Run(jctx, j, env)
		cancel()
		rec.Rows, rec.Quarantined, rec.Detail = res.Rows, res.Quarantined, res.Detail
		switch {
		case runErr == nil:
			rec.Outcome = warehouse.JobOK
		case d.jobCtx.Err() != nil:
			rec.Outcome = warehouse.JobAborted
		case Transient(runErr) && !last:
			rec.Outcome = warehouse.JobRetrying
		case Transient(runErr):
			rec.Outcome = warehouse.JobGaveUp
		default:
			rec.Outcome = warehouse.JobFailed
		}
		if runErr != nil {
			rec.Detail = runErr.Error()
		}
		if rec.Outcome != warehouse.JobRetrying {
			rec.Finished = d.opt.Now()
		}
		d.noteDeliveries(ctx, wh)
		return wh.UpdateJob(context.WithoutCancel(ctx), rec.ID, *rec)
	})
	if err != nil && !errors.Is(err, warehouse.ErrLocked) && ctx.Err() == nil {
		err = fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return errors.Join(runErr, err)
}

// withWarehouse takes the warehouse lock for job, opens the warehouse,
// closes the records of runs whose process died, calls f, writes the
// records waiting for the ledger, and closes and unlocks the warehouse.
func (d *Daemon) withWarehouse(ctx context.Context, job string, wait bool, f func(*warehouse.Warehouse) error) error {
	unlock, err := warehouse.Lock(ctx, d.opt.Warehouse, warehouse.LockOptions{Job: job, Wait: wait, Poll: d.opt.LockPoll, Log: d.log})
	if err != nil {
		return err
	}
	defer unlock()
	wh, err := warehouse.Open(ctx, d.opt.Warehouse)
	if err != nil {
		return err
	}
	defer wh.Close()
	dead, err := wh.InterruptJobs(ctx)
	if err != nil {
		return err
	}
	for _, r := range dead {
		d.log.Warn("a run's process ended during the run; recorded as interrupted", "job", r.Job, "pid", r.PID, "started", r.Started)
	}
	ferr := f(wh)
	d.mu.Lock()
	pending := d.pending
	d.pending = nil
	d.mu.Unlock()
	for i, r := range pending {
		var err error
		if r.ID != 0 {
			err = wh.UpdateJob(context.WithoutCancel(ctx), r.ID, r)
		} else {
			err = wh.RecordJob(context.WithoutCancel(ctx), r)
		}
		if err != nil {
			d.mu.Lock()
			d.pending = append(d.pending, pending[i:]...)
			d.mu.Unlock()
			return errors.Join(ferr, err)
		}
	}
	return ferr
}

// finished updates the figures of /metrics after a run.
func (d *Daemon) finished(j *Job, rec warehouse.JobRun) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jobs[j.Name]
	st.runs[rec.Outcome]++
	st.lastDur = rec.Finished.Sub(rec.Started)
	st.quarantined += rec.Quarantined
	if rec.Outcome == warehouse.JobOK {
		st.lastSuccess, st.lastRows = rec.Finished, rec.Rows
	}
}

// cronLogger passes robfig/cron's messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "error", err)...)
}
