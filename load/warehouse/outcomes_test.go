package warehouse_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"integstat/load/warehouse"
)

// The outcome types are stored as their strings. The strings below are
// those of ledgers written before the types existed, spelled out here
// independently of the constants: renaming a value would make existing
// ledgers read wrongly (InterruptJobs and LastJobRuns select by them) and
// must fail here.
var (
	jobOutcomes = []outcomeCase[warehouse.JobOutcome]{
		{warehouse.JobRunning, "running"},
		{warehouse.JobRetrying, "retrying"},
		{warehouse.JobOK, "ok"},
		{warehouse.JobFailed, "failed"},
		{warehouse.JobGaveUp, "gave-up"},
		{warehouse.JobAborted, "aborted"},
		{warehouse.JobInterrupted, "interrupted"},
		{warehouse.JobSkipped, "skipped-overlap"},
	}
	extractOutcomes = []outcomeCase[warehouse.ExtractOutcome]{
		{warehouse.ExtractDelivered, "delivered"},
		{warehouse.ExtractRefused, "refused"},
		{warehouse.ExtractFailed, "failed"},
	}
	buildOutcomes = []outcomeCase[warehouse.BuildOutcome]{
		{warehouse.BuildReleased, "released"},
		{warehouse.BuildHeld, "held"},
		{warehouse.BuildCandidate, "candidate"},
		{warehouse.BuildUnchanged, "unchanged"},
		{warehouse.BuildFailed, "failed"},
	}
)

// TestOutcomesWritten checks that each outcome reaches the ledger file as
// its string, read with DuckDB directly rather than through the package.
func TestOutcomesWritten(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	wh := open(t, dir)
	for i, c := range jobOutcomes {
		at := t0.Add(time.Duration(i) * time.Minute)
		if err := wh.RecordJob(ctx, warehouse.JobRun{Job: "j", Kind: "ingest", Reason: "once", Started: at, Finished: at, Outcome: c.o}); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range extractOutcomes {
		if err := wh.RecordExtract(ctx, warehouse.Extract{At: t0.Add(time.Duration(i) * time.Minute), Project: "P", Outcome: c.o}); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range buildOutcomes {
		at := t0.Add(time.Duration(i) * time.Minute)
		if err := wh.RecordBuild(ctx, warehouse.Build{Started: at, Finished: at, Outcome: c.o}); err != nil {
			t.Fatal(err)
		}
	}
	if err := wh.Close(); err != nil {
		t.Fatal(err)
	}

	db := ledger(t, dir)
	for _, c := range []struct {
		table string
		want  []string
	}{
		{"job_runs", storedOf(jobOutcomes)},
		{"extracts", storedOf(extractOutcomes)},
		{"builds", storedOf(buildOutcomes)},
	} {
		order := "started"
		if c.table == "extracts" {
			order = "happened_at"
		}
		got := column(t, db, "SELECT outcome FROM "+c.table+" ORDER BY "+order)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s.outcome holds %q, want %q", c.table, got, c.want)
		}
	}
}

// TestOutcomesRead checks that rows an older version wrote, with the
// outcome as a plain string, read back as the typed outcomes, and that
// InterruptJobs and LastJobRuns still find the runs they select by outcome.
func TestOutcomesRead(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	if err := open(t, dir).Close(); err != nil { // makes the ledger's tables
		t.Fatal(err)
	}
	db := ledger(t, dir)
	for i, c := range jobOutcomes {
		exec(t, db, `INSERT INTO job_runs (job, kind, reason, started, outcome, attempts, rows_done, quarantined, pid)
			VALUES (?, 'ingest', 'once', ?, ?, 1, 0, 0, 1)`, c.stored, t0.Add(time.Duration(i)*time.Minute), c.stored)
	}
	for i, c := range extractOutcomes {
		exec(t, db, `INSERT INTO extracts (happened_at, project, approval, spec_hash, key_id, data_state, rows_out, rows_suppressed, outcome, checksums)
			VALUES (?, ?, '', '', '', '', 0, 0, ?, '{}')`, t0.Add(time.Duration(i)*time.Minute), c.stored, c.stored)
	}
	for i, c := range buildOutcomes {
		exec(t, db, `INSERT INTO builds (started, finished, states_built, rows_built, publication, outcome) VALUES (?, ?, 0, 0, ?, ?)`,
			t0.Add(time.Duration(i)*time.Minute), t0, c.stored, c.stored)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	wh := open(t, dir)
	defer wh.Close()
	runs, err := wh.JobRuns(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	readBack(t, "job run", jobOutcomes, runs, func(r warehouse.JobRun) (string, warehouse.JobOutcome) { return r.Job, r.Outcome })
	es, err := wh.Extracts(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	readBack(t, "extract", extractOutcomes, es, func(e warehouse.Extract) (string, warehouse.ExtractOutcome) { return e.Project, e.Outcome })
	bs, err := wh.Builds(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	readBack(t, "build", buildOutcomes, bs, func(b warehouse.Build) (string, warehouse.BuildOutcome) { return b.Publication, b.Outcome })

	last, err := wh.LastJobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := last["skipped-overlap"]; ok || len(last) != len(jobOutcomes)-1 {
		t.Errorf("LastJobRuns gave %d jobs (skipped-overlap among them: %v), want all but the skip", len(last), ok)
	}
	marked, err := wh.InterruptJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(marked) != 1 || marked[0].Job != "running" {
		t.Errorf("InterruptJobs marked %+v, want the run stored as running", marked)
	}
}

// outcomeCase is an outcome and the string a ledger holds for it.
type outcomeCase[O ~string] struct {
	o      O
	stored string
}

// t0 is when the rows of the tests happened (the i-th a minute later).
var t0 = time.Date(2026, 11, 26, 2, 30, 0, 0, time.UTC)

// readBack checks that the row stored with each case's string reads back
// as the case's outcome. The test gave each row that string as its name
// (job, project or publication); nameOutcome returns a row's name and
// outcome.
func readBack[R any, O ~string](t *testing.T, what string, cases []outcomeCase[O], rows []R, nameOutcome func(R) (string, O)) {
	t.Helper()
	got := make(map[string]O, len(rows))
	for _, r := range rows {
		name, o := nameOutcome(r)
		got[name] = o
	}
	for _, c := range cases {
		if g, ok := got[c.stored]; !ok || g != c.o {
			t.Errorf("%s stored as %q reads back as %q (found: %v), want %q", what, c.stored, g, ok, c.o)
		}
	}
}

func storedOf[O ~string](cases []outcomeCase[O]) []string {
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = c.stored
	}
	return out
}

// open opens the warehouse in dir.
func open(t *testing.T, dir string) *warehouse.Warehouse {
	t.Helper()
	wh, err := warehouse.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return wh
}

// ledger opens the warehouse's ledger file with DuckDB directly.
func ledger(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(dir, "state", "ledger.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func column(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConflictEventsRenamed opens a ledger in which an older version
// recorded a refused delivery as "conflict": the ledger names it "refuse"
// after opening, as the ingest now records it (files.Refuse), so one word
// means one thing in the ledger.
func TestConflictEventsRenamed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := warehouse.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"conflict", "skip", "reject"} {
		if err := w.Event(ctx, "nir", "20180101T000000", a, "older version"); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	if w, err = warehouse.Open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, events, err := w.History(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range events {
		got[e.Action]++
	}
	if want := map[string]int{"refuse": 1, "skip": 1, "reject": 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events after reopening: %v, want %v", got, want)
	}
}
