// Package schedules runs the pipeline's jobs on time, without anyone at a
// keyboard: the schedule file (a list of jobs with cron expressions
// evaluated in Europe/Oslo and dependencies between them), the job kinds
// that say what a job does (ingest a source, build and publish the
// marts, and any kind registered later), and the daemon that runs them
// never twice at once, retries transient failures, catches up after
// downtime, stops gracefully and records every run in the warehouse.
//
// The file format is in README.md and docs/schedules.md.
package schedules

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Oslo without the system's zone files

	"github.com/robfig/cron/v3"
)

// Oslo is where the schedule's cron expressions are evaluated.
var Oslo = mustLoad("Europe/Oslo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Job is one job of a schedule.
type Job struct {
	Name string
	Kind string // a registered kind: ingest, build, …
	// At is the cron expression of its times ("" for a job started only
	// by its dependencies): 5 fields (minute hour day month weekday) or 6
	// with seconds first, or a descriptor such as @hourly.
	At string
	// After names the jobs whose success starts this one.
	After []string
	// CatchUp runs the job once at start when it missed a time while the
	// daemon was down, or its last run was interrupted (default true).
	CatchUp bool
	// Retries is how many more attempts a transient failure gets; the
	// waits start at Backoff and double up to BackoffMax.
	Retries             int
	Backoff, BackoffMax time.Duration
	// Timeout bounds one attempt; 0 means none.
	Timeout time.Duration
	// Settings are the kind's own settings (source = nir), checked by
	// the kind when the schedule is loaded.
	Settings map[string]string

	schedule cron.Schedule
	file     string
	line     int            // of the [name] header
	lines    map[string]int // of each setting
}

// Next returns the job's next time after t, zero when it has none.
func (j *Job) Next(t time.Time) time.Time {
	if j.schedule == nil {
		return time.Time{}
	}
	return j.schedule.Next(t)
}

// Where names the file and line of the job's header, or of one of its
// settings, for messages: "FILE:LINE".
func (j *Job) Where(key string) string {
	if n, ok := j.lines[key]; ok {
		return fmt.Sprintf("%s:%d", j.file, n)
	}
	return fmt.Sprintf("%s:%d", j.file, j.line)
}

// Schedule is a loaded and validated schedule file.
type Schedule struct {
	File string
	Jobs []*Job
}

// Job returns the job named name.
func (s *Schedule) Job(name string) (*Job, bool) {
	for _, j := range s.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return nil, false
}

// Dependents returns the jobs that run after name succeeds.
func (s *Schedule) Dependents(name string) []*Job {
	var out []*Job
	for _, j := range s.Jobs {
		if slices.Contains(j.After, name) {
			out = append(out, j)
		}
	}
	return out
}

//go:embed default.conf
var defaultConf string

// DefaultFile is the name the shipped default schedule goes by in messages.
const DefaultFile = "default.conf (built in)"

// Default returns the shipped schedule: NIR nightly, settlement hourly,
// interpreters nightly from PostgreSQL, the marts after each successful
// ingest.
func Default() *Schedule {
	s, err := Parse(DefaultFile, strings.NewReader(defaultConf))
	if err != nil {
		panic(err) // a test keeps it valid
	}
	return s
}

// DefaultText is the text of the shipped schedule, a start for one's own.
func DefaultText() string { return defaultConf }

// Load reads and validates the schedule file at path.
func Load(path string) (*Schedule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	defer f.Close()
	return Parse(path, f)
}

// Defaults of the common settings.
const (
	DefaultRetries    = 5
	DefaultBackoff    = 30 * time.Second
	DefaultBackoffMax = 15 * time.Minute
)

// cronParser reads 5 fields, 6 with seconds first, and descriptors.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse reads and validates a schedule from r; name is the file's name
// in error messages, which read "NAME:LINE: problem".
func Parse(name string, r io.Reader) (*Schedule, error) {
	s := &Schedule{File: name}
	var cur *Job
	sc := bufio.NewScanner(r)
	ln := 0
	fail := func(line int, format string, a ...any) error {
		return fmt.Errorf("schedule %s:%d: %s", name, line, fmt.Sprintf(format, a...))
	}
	for sc.Scan() {
		ln++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if strings.HasPrefix(text, "[") {
			if !strings.HasSuffix(text, "]") {
				return nil, fail(ln, "a job header is [name], not %q", text)
			}
			jn := strings.TrimSpace(text[1 : len(text)-1])
			if !validName(jn) {
				return nil, fail(ln, "job name %q: use letters, digits and - _ . only", jn)
			}
			if prev, ok := s.Job(jn); ok {
				return nil, fail(ln, "job %s is already defined at line %d", jn, prev.line)
			}
			cur = &Job{Name: jn, CatchUp: true, Retries: DefaultRetries, Backoff: DefaultBackoff, BackoffMax: DefaultBackoffMax,
				Settings: map[string]string{}, file: name, line: ln, lines: map[string]int{}}
			s.Jobs = append(s.Jobs, cur)
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		if !ok {
			return nil, fail(ln, "expected [job] or key = value, got %q", text)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if cur == nil {
			return nil, fail(ln, "%s is outside a job: start one with [name]", key)
		}
		if prev, ok := cur.lines[key]; ok {
			return nil, fail(ln, "job %s: %s is already set at line %d", cur.Name, key, prev)
		}
		cur.lines[key] = ln
		if err := cur.set(key, value); err != nil {
			return nil, fail(ln, "job %s: %s: %v", cur.Name, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("schedule %s: %w", name, err)
	}
	if len(s.Jobs) == 0 {
		return nil, fmt.Errorf("schedule %s: no jobs", name)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// set applies one setting of the job.
func (j *Job) set(key, value string) error {
	var err error
	switch key {
	case "kind":
		j.Kind = value
	case "at":
		j.At = value
		var sched cron.Schedule
		if sched, err = cronParser.Parse(value); err == nil {
			j.schedule = wallClock(sched, Oslo)
		}
	case "after":
		for _, n := range strings.Split(value, ",") {
			if n = strings.TrimSpace(n); n != "" {
				j.After = append(j.After, n)
			}
		}
		if len(j.After) == 0 {
			err = errors.New("name at least one job")
		}
	case "catch-up":
		j.CatchUp, err = parseBool(value)
	case "retries":
		j.Retries, err = strconv.Atoi(value)
		if err == nil && j.Retries < 0 {
			err = errors.New("must not be negative")
		}
	case "backoff":
		j.Backoff, err = parseDuration(value)
	case "backoff-max":
		j.BackoffMax, err = parseDuration(value)
	case "timeout":
		j.Timeout, err = parseDuration(value)
	default:
		j.Settings[key] = value
	}
	return err
}

// check validates what needs the whole file: kinds and their settings,
// times or dependencies, and that dependencies exist without a cycle.
func (s *Schedule) check() error {
	for _, j := range s.Jobs {
		if j.Kind == "" {
			return fmt.Errorf("schedule %s: job %s has no kind (one of %s)", j.Where(""), j.Name, strings.Join(Kinds(), ", "))
		}
		k, ok := lookup(j.Kind)
		if !ok {
			return fmt.Errorf("schedule %s: job %s: unknown kind %q (one of %s)", j.Where("kind"), j.Name, j.Kind, strings.Join(Kinds(), ", "))
		}
		if j.At == "" && len(j.After) == 0 {
			return fmt.Errorf("schedule %s: job %s has neither at (a cron expression) nor after (jobs it follows)", j.Where(""), j.Name)
		}
		if j.BackoffMax < j.Backoff {
			return fmt.Errorf("schedule %s: job %s: backoff-max %v is below backoff %v", j.Where("backoff-max"), j.Name, j.BackoffMax, j.Backoff)
		}
		for _, a := range j.After {
			if _, ok := s.Job(a); !ok {
				return fmt.Errorf("schedule %s: job %s: after names no job %q", j.Where("after"), j.Name, a)
			}
		}
		if c, ok := k.(Checker); ok {
			if err := c.Check(j); err != nil {
				var se *SettingError
				key := ""
				if errors.As(err, &se) {
					key = se.Key
				}
				return fmt.Errorf("schedule %s: job %s: %w", j.Where(key), j.Name, err)
			}
		}
	}
	for _, j := range s.Jobs {
		if path := s.cycle(j, nil); path != nil {
			return fmt.Errorf("schedule %s: job %s: the jobs wait for each other: %s", j.Where("after"), j.Name, strings.Join(path, " after "))
		}
	}
	return nil
}

// cycle returns a path of after-links from j back to a job on path, or nil.
func (s *Schedule) cycle(j *Job, path []string) []string {
	if slices.Contains(path, j.Name) {
		return append(path, j.Name)
	}
	path = append(path, j.Name)
	for _, a := range j.After {
		dep, _ := s.Job(a)
		if c := s.cycle(dep, slices.Clip(path)); c != nil {
			return c
		}
	}
	return nil
}

// SettingError is an error in one of a job's kind-specific settings; the
// schedule's error then names that setting's line.
type SettingError struct {
	Key string
	Err error
}

func (e *SettingError) Error() string { return e.Key + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *SettingError) Unwrap() error { return e.Err }

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes", "true", "on":
		return true, nil
	case "no", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", s)
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 30s, 5m or 1h", s)
	}
	if d < 0 {
		return 0, errors.New("must not be negative")
	}
	return d, nil
}
