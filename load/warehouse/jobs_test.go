package warehouse_test

import (
	"context"
	"testing"
	"time"

	"integstat/load/warehouse"
)

func TestJobRuns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	wh, err := warehouse.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 26, 2, 30, 0, 0, time.UTC)
	id, err := wh.StartJob(ctx, warehouse.JobRun{Job: "nir-ingest", Kind: "ingest", Reason: "schedule", Started: t0, PID: 11})
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.UpdateJob(ctx, id, warehouse.JobRun{Job: "nir-ingest", Finished: t0.Add(time.Minute), Outcome: warehouse.JobOK,
		Attempts: 2, Rows: 1200, Quarantined: 3}); err != nil {
		t.Fatal(err)
	}
	if err := wh.RecordJob(ctx, warehouse.JobRun{Job: "nir-ingest", Kind: "ingest", Reason: "schedule", Started: t0.Add(30 * time.Second),
		Finished: t0.Add(30 * time.Second), Outcome: warehouse.JobSkipped, Detail: "still running"}); err != nil {
		t.Fatal(err)
	}
	if _, err := wh.StartJob(ctx, warehouse.JobRun{Job: "marts", Kind: "build", Reason: "after nir-ingest", Started: t0.Add(2 * time.Minute), PID: 12}); err != nil {
		t.Fatal(err)
	}
	// The process running marts dies; the ledger is reopened by another.
	wh.Close()
	if wh, err = warehouse.Open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	marked, err := wh.InterruptJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(marked) != 1 || marked[0].Job != "marts" || marked[0].PID != 12 {
		t.Fatalf("InterruptJobs marked %+v, want the marts run", marked)
	}
	if again, _ := wh.InterruptJobs(ctx); len(again) != 0 {
		t.Errorf("a second InterruptJobs marked %d runs", len(again))
	}

	runs, err := wh.JobRuns(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		job      string
		outcome  warehouse.JobOutcome
		rows     int64
		finished bool
	}{
		{"marts", warehouse.JobInterrupted, 0, false},
		{"nir-ingest", warehouse.JobSkipped, 0, true},
		{"nir-ingest", warehouse.JobOK, 1200, true},
	}
	if len(runs) != len(want) {
		t.Fatalf("%d runs, want %d: %+v", len(runs), len(want), runs)
	}
	for i, w := range want {
		r := runs[i]
		if r.Job != w.job || r.Outcome != w.outcome || r.Rows != w.rows || r.Finished.IsZero() == w.finished {
			t.Errorf("run %d = %+v, want %+v", i, r, w)
		}
	}
	if r := runs[2]; r.Attempts != 2 || r.Quarantined != 3 || !r.Started.Equal(t0) || r.Reason != "schedule" || r.PID != 11 {
		t.Errorf("the ok run reads back as %+v", r)
	}
	if lim, _ := wh.JobRuns(ctx, 1); len(lim) != 1 {
		t.Errorf("JobRuns(1) gave %d runs", len(lim))
	}

	last, err := wh.LastJobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(last) != 2 || last["nir-ingest"].Outcome != warehouse.JobOK || last["marts"].Outcome != warehouse.JobInterrupted {
		t.Errorf("LastJobRuns = %+v, want the ok nir-ingest (not its skip) and the interrupted marts", last)
	}
}
