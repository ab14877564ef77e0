package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"integstat/extract/tolkdb"
	"integstat/load/warehouse"
	"integstat/schedules"
	"integstat/transform/pseudo"
)

func init() {
	register(command{
		name:    "schedule",
		summary: "run the jobs of a schedule on time (the daemon; --once JOB runs one now, --list shows the next times); docs/schedules.md",
		run:     runSchedule,
	})
}

// runSchedule runs the daemon in the foreground. Exit codes: 0 after a
// stop by SIGTERM/SIGINT (or a --once job that succeeded), 1 when the
// daemon cannot start or the --once job failed or found the warehouse
// locked, 2 for a bad command line or schedule file.
func runSchedule(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("schedule", stderr)
	whDir := fs.String("warehouse", "", "warehouse `directory`")
	file := fs.String("schedule", "", "schedule `file` (default: the built-in schedule; see --print-default)")
	inbox := fs.String("inbox", "", "inbox `directory` of the file deliveries")
	keyFile := fs.String("key-file", "", "pseudonymisation key `file` (or set "+pseudo.KeyFileEnv+")")
	synthetic := fs.Bool("allow-synthetic-ids", false, "accept synthetic identity numbers: for demo and test data only")
	listen := fs.String("listen", "", "serve /healthz and /metrics on this `address` (e.g. 127.0.0.1:9090)")
	once := fs.String("once", "", "run this `job` now (with its retries) and exit")
	wait := fs.Bool("wait", false, "with --once: wait for the warehouse lock instead of refusing")
	list := fs.Bool("list", false, "show the jobs and their next times, and exit")
	printDefault := fs.Bool("print-default", false, "print the built-in schedule, a start for one's own, and exit")
	cadenceFlag := fs.String("cadence", "", "expected delivery `cadence` per source for /metrics, e.g. nir=31d,bosetting=1d,tolk=7d (the defaults)")
	stopTimeout := fs.Duration("stop-timeout", schedules.DefaultStopTimeout, "on SIGTERM, how long the running job may go on before it is cancelled")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cadence, err := warehouse.ParseCadence(*cadenceFlag)
	if err != nil {
		return fmt.Errorf("%w: --cadence: %v", errUsage, err)
	}
	if *printDefault {
		_, err := io.WriteString(stdout, schedules.DefaultText())
		return err
	}
	s := schedules.Default()
	if *file != "" {
		var err error
		if s, err = schedules.Load(*file); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	if *list {
		now := time.Now().In(schedules.Oslo)
		fmt.Fprintf(stdout, "%-20s %-7s %-18s %-26s %s\n", "job", "kind", "at", "next (Europe/Oslo)", "after")
		for _, j := range s.Jobs {
			next := "-"
			if n := j.Next(now); !n.IsZero() {
				next = n.Format("2006-01-02 15:04:05 MST")
			}
			at := j.At
			if at == "" {
				at = "-"
			}
			fmt.Fprintf(stdout, "%-20s %-7s %-18s %-26s %s\n", j.Name, j.Kind, at, next, strings.Join(j.After, ", "))
		}
		printComingReleases(stdout, s, now)
		return nil
	}
	if *whDir == "" {
		return fmt.Errorf("%w: --warehouse is required", errUsage)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	env := schedules.Env{Inbox: *inbox, AllowSynthetic: *synthetic}
	env.TolkDSN, _ = tolkdb.DSNFromEnv()
	if path, err := pseudo.KeyFile(*keyFile); err == nil {
		if env.Key, err = pseudo.LoadKey(path); err != nil {
			return err
		}
	}
	for _, j := range s.Jobs {
		if j.Kind == "ingest" && env.Key == nil {
			log.Warn("no pseudonymisation key (--key-file): ingest jobs will fail", "job", j.Name)
		}
		if j.Kind == "ingest" && j.Settings["source"] == schedules.TolkDB && env.TolkDSN == "" {
			log.Warn("no interpreter database ("+tolkdb.EnvDSN+"): the job will fail", "job", j.Name)
		}
	}
	d := schedules.New(s, schedules.Options{Warehouse: *whDir, Env: env, Log: log, StopTimeout: *stopTimeout, Cadence: cadence})
	if *once != "" {
		if _, ok := s.Job(*once); !ok {
			return fmt.Errorf("%w: the schedule %s has no job %q", errUsage, s.File, *once)
		}
		rec, err := d.RunOnce(ctx, *once, *wait)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "schedule: job %s %s after %d attempt(s) in %.1f s: %d rows, %d quarantined; %s\n", rec.Job, rec.Outcome,
			rec.Attempts, rec.Finished.Sub(rec.Started).Seconds(), rec.Rows, rec.Quarantined, rec.Detail)
		return nil
	}
	if *listen != "" {
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return fmt.Errorf("--listen: %w", err)
		}
		srv := &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Shutdown(context.WithoutCancel(ctx))
		log.Info("serving /healthz and /metrics", "address", ln.Addr().String())
	}
	if err := d.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// printComingReleases lists the next times of the release calendar (jobs
// of kind release), soonest first.
func printComingReleases(w io.Writer, s *schedules.Schedule, now time.Time) {
	type coming struct {
		at  time.Time
		job *schedules.Job
	}
	var cs []coming
	for _, j := range s.Jobs {
		if j.Kind != "release" {
			continue
		}
		t := now
		for range 3 {
			if t = j.Next(t); t.IsZero() {
				break
			}
			cs = append(cs, coming{t, j})
		}
	}
	if len(cs) == 0 {
		return
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].at.Before(cs[b].at) })
	fmt.Fprintf(w, "\nComing releases (Europe/Oslo)\n")
	for _, c := range cs {
		fmt.Fprintf(w, "%-26s %-20s %s\n", c.at.Format("2006-01-02 15:04:05 MST"), c.job.Name, c.job.Settings["note"])
	}
}
