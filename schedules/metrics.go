package schedules

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"integstat/load/warehouse"
)

// Handler serves /healthz (200 "ok" while the daemon runs, 503 once it
// stops) and /metrics in the Prometheus text format: per job the last
// success, the last duration, rows and running state, the next time,
// and counters of runs by outcome, failures and quarantined rows.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		stopping := d.stopping
		d.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if stopping {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "stopping\n")
			return
		}
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		d.WriteMetrics(w)
	})
	return mux
}

// metric is one family of /metrics.
type metric struct {
	name, kind, help string
	value            func(j *Job, st *jobState) (float64, bool)
}

var metrics = []metric{
	{"integstat_job_last_success_timestamp_seconds", "gauge", "When the job last finished successfully (Unix time).",
		func(_ *Job, st *jobState) (float64, bool) {
			return float64(st.lastSuccess.UnixMilli()) / 1000, !st.lastSuccess.IsZero()
		}},
	{"integstat_job_last_duration_seconds", "gauge", "How long the job's last run took, retries included.",
		func(_ *Job, st *jobState) (float64, bool) { return st.lastDur.Seconds(), st.lastDur > 0 }},
	{"integstat_job_last_rows", "gauge", "Rows the job's last successful run produced (loaded by an ingest, figures published by a build).",
		func(_ *Job, st *jobState) (float64, bool) { return float64(st.lastRows), !st.lastSuccess.IsZero() }},
	{"integstat_job_running", "gauge", "1 while the job runs.",
		func(_ *Job, st *jobState) (float64, bool) { return b2f(st.running), true }},
	{"integstat_job_failures_total", "counter", "Runs of the job that failed (a data error, or a transient one through every retry).",
		func(_ *Job, st *jobState) (float64, bool) {
			return float64(st.runs[warehouse.JobFailed] + st.runs[warehouse.JobGaveUp]), true
		}},
	{"integstat_job_quarantined_rows_total", "counter", "Rows the job's runs put in quarantine.",
		func(_ *Job, st *jobState) (float64, bool) { return float64(st.quarantined), true }},
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// WriteMetrics writes the daemon's figures in the Prometheus text format.
func (d *Daemon) WriteMetrics(w io.Writer) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.opt.Now()
	var err error
	p := func(format string, a ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, a...)
		}
	}
	p("# HELP integstat_schedule_started_timestamp_seconds When the daemon started (Unix time).\n")
	p("# TYPE integstat_schedule_started_timestamp_seconds gauge\n")
	p("integstat_schedule_started_timestamp_seconds %g\n", float64(d.started.UnixMilli())/1000)
	for _, m := range metrics {
		p("# HELP %s %s\n# TYPE %s %s\n", m.name, m.help, m.name, m.kind)
		for _, j := range d.sched.Jobs {
			if v, ok := m.value(j, d.jobs[j.Name]); ok {
				p("%s{job=%q} %g\n", m.name, j.Name, v)
			}
		}
	}
	p("# HELP integstat_job_next_run_timestamp_seconds When the job runs next by its schedule (Unix time).\n")
	p("# TYPE integstat_job_next_run_timestamp_seconds gauge\n")
	for _, j := range d.sched.Jobs {
		if n := j.Next(now); !n.IsZero() {
			p("integstat_job_next_run_timestamp_seconds{job=%q} %d\n", j.Name, n.Unix())
		}
	}
	p("# HELP integstat_job_runs_total Runs of the job by outcome (skipped-overlap: a time skipped while it still ran).\n")
	p("# TYPE integstat_job_runs_total counter\n")
	for _, j := range d.sched.Jobs {
		st := d.jobs[j.Name]
		outcomes := make([]warehouse.JobOutcome, 0, len(st.runs))
		for o := range st.runs {
			outcomes = append(outcomes, o)
		}
		slices.Sort(outcomes)
		for _, o := range outcomes {
			p("integstat_job_runs_total{job=%q,outcome=%q} %d\n", j.Name, o, st.runs[o])
		}
	}
	d.writeReleaseMetrics(p)
	d.writeFreshnessMetrics(p, now)
	return err
}

// noteDeliveries keeps the loaded deliveries for the freshness metrics.
func (d *Daemon) noteDeliveries(ctx context.Context, wh *warehouse.Warehouse) {
	ds, err := wh.Deliveries(context.WithoutCancel(ctx))
	if err != nil {
		d.log.Warn("reading the deliveries for the freshness metrics failed", "err", err)
		return
	}
	if ds == nil {
		ds = []warehouse.DeliveryLoad{} // read, and none: every source is overdue
	}
	d.mu.Lock()
	d.deliveries = ds
	d.mu.Unlock()
}

// writeFreshnessMetrics writes, per source, when its newest delivery was
// extracted and whether it is overdue by its expected cadence; known once
// a job has run. The caller holds d.mu.
func (d *Daemon) writeFreshnessMetrics(p func(format string, a ...any), now time.Time) {
	if d.deliveries == nil {
		return
	}
	cadence := d.opt.Cadence
	if cadence == nil {
		cadence = warehouse.DefaultCadence
	}
	fresh := warehouse.Fresh(d.deliveries, cadence, now)
	p("# HELP integstat_source_last_delivery_timestamp_seconds When the source's newest loaded delivery was extracted (Unix time).\n")
	p("# TYPE integstat_source_last_delivery_timestamp_seconds gauge\n")
	for _, f := range fresh {
		if !f.Newest.IsZero() {
			p("integstat_source_last_delivery_timestamp_seconds{source=%q} %d\n", f.Source, f.Newest.Unix())
		}
	}
	p("# HELP integstat_source_overdue 1 when the source has not delivered within its expected cadence.\n")
	p("# TYPE integstat_source_overdue gauge\n")
	for _, f := range fresh {
		p("integstat_source_overdue{source=%q} %d\n", f.Source, int(b2f(f.Overdue)))
	}
}
