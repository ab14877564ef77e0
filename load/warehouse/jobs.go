package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

func init() {
	schemas = append(schemas, `
CREATE SEQUENCE IF NOT EXISTS job_run_ids;
CREATE TABLE IF NOT EXISTS job_runs (
    id          BIGINT PRIMARY KEY DEFAULT nextval('job_run_ids'),
    job         VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    started     TIMESTAMPTZ NOT NULL,
    finished    TIMESTAMPTZ,
    outcome     VARCHAR NOT NULL,
    attempts    INTEGER NOT NULL,
    rows_done   BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    detail      VARCHAR,
    pid         INTEGER NOT NULL
);`)
}

// JobOutcome is what a run of a scheduled job did, as the ledger records
// it (column job_runs.outcome): its values are the strings stored, so
// ledgers written before the type existed read back unchanged.
type JobOutcome string

// The outcomes of a job run.
const (
	JobRunning     JobOutcome = "running"         // started and not finished (yet, or ever: see JobInterrupted)
	JobRetrying    JobOutcome = "retrying"        // failed transiently, waiting to try again (without the lock)
	JobOK          JobOutcome = "ok"              // finished without error
	JobFailed      JobOutcome = "failed"          // a data error: reported once, not retried
	JobGaveUp      JobOutcome = "gave-up"         // a transient error that lasted through every retry
	JobAborted     JobOutcome = "aborted"         // stopped by a shutdown before it finished
	JobInterrupted JobOutcome = "interrupted"     // its process ended without finishing it (a crash or kill -9)
	JobSkipped     JobOutcome = "skipped-overlap" // not started: the previous run of the job was still going
)

// JobRun is one run of a scheduled job (package schedules).
type JobRun struct {
	ID       int64
	Job      string // the job's name in the schedule
	Kind     string // ingest, build, …
	Reason   string // what started it: schedule, catch-up, after <job>, once
	Started  time.Time
	Finished time.Time  // zero while running
	Outcome  JobOutcome // one of the Job* outcomes
	Attempts int
	// Rows counts what the run produced: rows loaded by an ingest, figures
	// published by a build; Quarantined the rows an ingest put aside.
	Rows, Quarantined int64
	Detail            string // the error, without personal data
	PID               int    // the process that ran it
}

// StartJob records the start of a job run (outcome running) and returns
// its id for UpdateJob. A run whose process dies stays running until
// InterruptJobs marks it.
func (w *Warehouse) StartJob(ctx context.Context, r JobRun) (int64, error) {
	var id int64
	err := w.db.QueryRowContext(ctx, `INSERT INTO job_runs (job, kind, reason, started, outcome, attempts, rows_done, quarantined, pid)
		VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?) RETURNING id`, r.Job, r.Kind, r.Reason, r.Started, JobRunning, r.PID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("warehouse: recording the start of job %s: %w", r.Job, err)
	}
	return id, nil
}

// UpdateJob records the state of the run id: its outcome, attempts,
// counts and error, and its end unless r.Finished is zero (a run that
// goes on: retrying, or running again).
func (w *Warehouse) UpdateJob(ctx context.Context, id int64, r JobRun) error {
	_, err := w.db.ExecContext(ctx, `UPDATE job_runs SET finished = ?, outcome = ?, attempts = ?, rows_done = ?, quarantined = ?, detail = ?
		WHERE id = ?`, nullTime(r.Finished), r.Outcome, r.Attempts, r.Rows, r.Quarantined, nullString(r.Detail), id)
	if err != nil {
		return fmt.Errorf("warehouse: recording the end of job %s: %w", r.Job, err)
	}
	return nil
}

// RecordJob records a whole job run at once: a run that did not start
// (skipped-overlap) or one recorded after the fact.
func (w *Warehouse) RecordJob(ctx context.Context, r JobRun) error {
	_, err := w.db.ExecContext(ctx, `INSERT INTO job_runs (job, kind, reason, started, finished, outcome, attempts, rows_done, quarantined, detail, pid)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Job, r.Kind, r.Reason, r.Started, nullTime(r.Finished), r.Outcome, r.Attempts,
		r.Rows, r.Quarantined, nullString(r.Detail), r.PID)
	if err != nil {
		return fmt.Errorf("warehouse: recording a run of job %s: %w", r.Job, err)
	}
	return nil
}

// InterruptJobs marks every run still recorded as running as interrupted:
// called by a holder of the warehouse lock, which knows no other process
// is in an attempt of a job (attempts run under the lock; a run waiting to
// retry is recorded as retrying), it closes the records of runs whose
// process died. It
// returns the runs it marked.
func (w *Warehouse) InterruptJobs(ctx context.Context) ([]JobRun, error) {
	runs, err := w.jobRuns(ctx, `WHERE outcome = '`+string(JobRunning)+`' ORDER BY started`)
	if err != nil {
		return nil, err
	}
	if _, err := w.db.ExecContext(ctx, `UPDATE job_runs SET outcome = ?, detail = 'its process ended during the run'
		WHERE outcome = ?`, JobInterrupted, JobRunning); err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	return runs, nil
}

// JobRuns returns the recorded job runs, newest first, at most limit (0: all).
func (w *Warehouse) JobRuns(ctx context.Context, limit int) ([]JobRun, error) {
	q := `ORDER BY started DESC, id DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return w.jobRuns(ctx, q)
}

// LastJobRuns returns the newest run of every job that ran (skips of an
// overlap aside: they are not runs), by job name, for catching up on
// missed times.
func (w *Warehouse) LastJobRuns(ctx context.Context) (map[string]JobRun, error) {
	runs, err := w.jobRuns(ctx, `WHERE outcome <> '`+string(JobSkipped)+`' QUALIFY row_number() OVER (PARTITION BY job ORDER BY started DESC, id DESC) = 1`)
	if err != nil {
		return nil, err
	}
	out := make(map[string]JobRun, len(runs))
	for _, r := range runs {
		out[r.Job] = r
	}
	return out, nil
}

func (w *Warehouse) jobRuns(ctx context.Context, tail string) ([]JobRun, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT id, job, kind, reason, started, finished, outcome, attempts, rows_done, quarantined,
		coalesce(detail, ''), pid FROM job_runs `+tail)
	if err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer rows.Close()
	var out []JobRun
	for rows.Next() {
		var r JobRun
		var fin sql.NullTime
		if err := rows.Scan(&r.ID, &r.Job, &r.Kind, &r.Reason, &r.Started, &fin, &r.Outcome, &r.Attempts,
			&r.Rows, &r.Quarantined, &r.Detail, &r.PID); err != nil {
			return nil, fmt.Errorf("warehouse: ledger: %w", err)
		}
		r.Finished = fin.Time
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	return out, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
