package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"

	"integstat/extract/tolkdb"
	"integstat/load/marts"
	"integstat/load/protect"
	"integstat/load/releases"
	"integstat/load/warehouse"
	"integstat/pipeline"
	"integstat/transform/pseudo"
)

// Runner does the work of one kind of job. The daemon calls Run with the
// warehouse open and locked for this process; Run returns what it did,
// or an error that Transient classifies: a transient one is retried with
// backoff, any other is reported once. Run must return soon after ctx is
// cancelled, leaving the warehouse consistent (the stages it calls
// publish atomically).
type Runner interface {
	Run(ctx context.Context, job *Job, env Env) (Result, error)
}

// Checker is implemented by a Runner whose kind has settings of its own:
// Check validates them when the schedule is loaded; an error about one
// setting should be a *SettingError so the message names its line.
type Checker interface {
	Check(job *Job) error
}

// RunnerFunc makes a function a Runner.
type RunnerFunc func(ctx context.Context, job *Job, env Env) (Result, error)

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, job *Job, env Env) (Result, error) {
	return f(ctx, job, env)
}

// Env is what a job runs with: the open warehouse, and what the daemon
// was started with.
type Env struct {
	Warehouse      *warehouse.Warehouse
	Inbox          string      // the inbox of file deliveries
	Key            *pseudo.Key // the pseudonymisation key (nil when no job needs it)
	AllowSynthetic bool        // accept synthetic identity numbers (demo and tests)
	TolkDSN        string      // the interpreter database (INTEGSTAT_TOLK_DSN)
	Log            *slog.Logger
}

// Result says what a job run did, for the ledger and the metrics.
type Result struct {
	// Rows counts what the run produced: rows loaded by an ingest,
	// figures published by a build.
	Rows int64
	// Quarantined counts rows an ingest put aside as invalid.
	Quarantined int64
	// Detail is a line for the ledger, such as the publication id.
	Detail string
}

var (
	kindsMu sync.RWMutex
	kinds   = map[string]Runner{}
)

// Register makes a job kind available to schedule files (kind = name).
// It is meant for init functions, as database/sql.Register is, and panics
// if the name is taken or r is nil.
func Register(name string, r Runner) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if r == nil {
		panic("schedules: Register of a nil runner for " + name)
	}
	if _, dup := kinds[name]; dup {
		panic("schedules: Register called twice for kind " + name)
	}
	kinds[name] = r
}

// Kinds returns the names of the registered job kinds, sorted.
func Kinds() []string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func lookup(name string) (Runner, bool) {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	r, ok := kinds[name]
	return r, ok
}

func init() {
	Register("ingest", ingestRunner{})
	Register("build", buildRunner{})
}

// fileSources are the sources delivered as files to the inbox; tolk-db is
// the interpreter register read from its PostgreSQL database.
var fileSources = []string{"nir", "bosetting", "tolk"}

// TolkDB is the source setting of an ingest job that reads the
// interpreter register from PostgreSQL.
const TolkDB = "tolk-db"

// ingestRunner loads pending deliveries of some sources from the inbox
// (source = nir, bosetting), or reads the interpreter database
// (source = tolk-db; full = yes reads it whole).
type ingestRunner struct{}

func (ingestRunner) Check(job *Job) error {
	for k := range job.Settings {
		if k != "source" && k != "full" {
			return &SettingError{k, errors.New("not a setting of an ingest job (source, full)")}
		}
	}
	srcs := job.sources()
	if len(srcs) == 0 {
		return &SettingError{"source", fmt.Errorf("name the sources: some of %s, or %s", strings.Join(fileSources, ", "), TolkDB)}
	}
	for _, s := range srcs {
		if s == TolkDB && len(srcs) > 1 {
			return &SettingError{"source", errors.New(TolkDB + " is a job of its own")}
		}
		if s != TolkDB && !slices.Contains(fileSources, s) {
			return &SettingError{"source", fmt.Errorf("unknown source %q (some of %s, or %s)", s, strings.Join(fileSources, ", "), TolkDB)}
		}
	}
	if f, ok := job.Settings["full"]; ok {
		if srcs[0] != TolkDB {
			return &SettingError{"full", errors.New("only for source = " + TolkDB)}
		}
		if _, err := parseBool(f); err != nil {
			return &SettingError{"full", err}
		}
	}
	return nil
}

func (j *Job) sources() []string {
	var out []string
	for _, s := range strings.Split(j.Settings["source"], ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ErrConfig reports a job that cannot run with what the daemon was
// started with (no inbox, no key, no database, a database URL that does
// not parse): not retried. The job kinds check it before they run.
var ErrConfig = errors.New("not configured")

func (ingestRunner) Run(ctx context.Context, job *Job, env Env) (Result, error) {
	if env.Key == nil {
		return Result{}, fmt.Errorf("%w: the job needs the pseudonymisation key (--key-file)", ErrConfig)
	}
	opt := pipeline.RunOptions{Ingest: pipeline.IngestOptions{Inbox: env.Inbox, Warehouse: env.Warehouse, Key: env.Key,
		AllowSynthetic: env.AllowSynthetic, Log: env.Log, Sources: job.sources()}}
	if opt.Ingest.Sources[0] == TolkDB {
		if env.TolkDSN == "" {
			return Result{}, fmt.Errorf("%w: the job needs the interpreter database (%s)", ErrConfig, tolkdb.EnvDSN)
		}
		opt.TolkDSN = env.TolkDSN
		opt.TolkFull, _ = parseBool(job.Settings["full"])
		opt.Ingest.Inbox, opt.Ingest.Sources = "", nil
	} else if env.Inbox == "" {
		return Result{}, fmt.Errorf("%w: the job needs the inbox (--inbox)", ErrConfig)
	}
	run, err := pipeline.Run(ctx, opt)
	if errors.Is(err, tolkdb.ErrDSN) {
		// A DSN that does not parse is what the daemon was started with,
		// like a missing one: a configuration error, not retried.
		err = fmt.Errorf("%w: %w", ErrConfig, err)
	}
	var res Result
	if sum := run.Ingest; sum != nil {
		res = Result{Rows: sum.Rows - sum.Quarantined, Quarantined: sum.Quarantined,
			Detail: fmt.Sprintf("%d deliveries loaded, %d skipped, %d rejected, %d refused", sum.Loaded, sum.Skipped, sum.Rejected, sum.Refused)}
	}
	return res, err
}

// buildRunner computes the new data states and publishes the marts, as
// `integstat run` does after its ingest, and records the build in the
// ledger. Settings: threshold, min-denominator, min-width, keep, memory, release
// (auto, manual or calendar: when the candidate becomes current).
type buildRunner struct{}

var buildSettings = []string{"threshold", "min-denominator", "min-width", "keep", "memory", "release"}

func (buildRunner) Check(job *Job) error {
	for k, v := range job.Settings {
		if !slices.Contains(buildSettings, k) {
			return &SettingError{k, fmt.Errorf("not a setting of a build job (%s)", strings.Join(buildSettings, ", "))}
		}
		if k == "release" {
			if _, err := releases.ParseMode(v); err != nil {
				return &SettingError{k, err}
			}
			continue
		}
		if k != "memory" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return &SettingError{k, fmt.Errorf("%q is not a whole number", v)}
			}
		}
	}
	return nil
}

func (buildRunner) Run(ctx context.Context, job *Job, env Env) (Result, error) {
	num := func(k string) int { n, _ := strconv.Atoi(job.Settings[k]); return n }
	mode, _ := releases.ParseMode(job.Settings["release"])
	run, err := pipeline.Run(ctx, pipeline.RunOptions{
		Ingest: pipeline.IngestOptions{Warehouse: env.Warehouse, Log: env.Log},
		Build: &marts.Options{Keep: num("keep"), Memory: job.Settings["memory"], Release: mode,
			Protect: protect.Options{Threshold: num("threshold"), MinDenominator: num("min-denominator"), MinWidth: num("min-width")}},
	})
	var out Result
	if res := run.Build; res != nil {
		out = Result{Rows: res.Figures, Detail: "publication " + res.Publication}
		if err == nil {
			out.Detail = string(res.Outcome()) + ": publication " + res.Publication
		}
	}
	return out, err
}
