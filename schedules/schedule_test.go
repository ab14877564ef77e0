package schedules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/schedules"
)

func TestDefaultSchedule(t *testing.T) {
	s := schedules.Default()
	want := map[string]string{"nir-ingest": "ingest", "bosetting-ingest": "ingest", "tolk-ingest": "ingest", "marts": "build"}
	if len(s.Jobs) != len(want) {
		t.Fatalf("%d jobs, want %d", len(s.Jobs), len(want))
	}
	for name, kind := range want {
		j, ok := s.Job(name)
		if !ok || j.Kind != kind {
			t.Errorf("job %s: %+v, want kind %s", name, j, kind)
		}
	}
	marts, _ := s.Job("marts")
	if marts.Schedule() != nil || len(marts.After) != 3 {
		t.Errorf("marts runs at %q after %v, want only after the three ingests", marts.At, marts.After)
	}
	for _, dep := range []string{"nir-ingest", "bosetting-ingest", "tolk-ingest"} {
		if ds := s.Dependents(dep); len(ds) != 1 || ds[0].Name != "marts" {
			t.Errorf("after %s runs %v, want marts", dep, ds)
		}
	}
	// NIR nightly, settlement hourly: the next times from a summer noon.
	noon := time.Date(2026, 6, 10, 12, 0, 0, 0, schedules.Oslo)
	for name, next := range map[string]time.Time{
		"nir-ingest":       time.Date(2026, 6, 11, 2, 30, 0, 0, schedules.Oslo),
		"bosetting-ingest": time.Date(2026, 6, 10, 12, 5, 0, 0, schedules.Oslo),
		"tolk-ingest":      time.Date(2026, 6, 11, 3, 0, 0, 0, schedules.Oslo),
	} {
		j, _ := s.Job(name)
		if got := j.Next(noon); !got.Equal(next) {
			t.Errorf("%s next after %v = %v, want %v", name, noon, got, next)
		}
	}
	if !j(t, s, "nir-ingest").CatchUp || j(t, s, "nir-ingest").Retries != schedules.DefaultRetries {
		t.Errorf("defaults not applied: %+v", j(t, s, "nir-ingest"))
	}
}

func j(t *testing.T, s *schedules.Schedule, name string) *schedules.Job {
	t.Helper()
	job, ok := s.Job(name)
	if !ok {
		t.Fatalf("no job %s", name)
	}
	return job
}

func TestLoadSettings(t *testing.T) {
	s, err := schedules.Load(filepath.Join("testdata", "full.conf"))
	if err != nil {
		t.Fatal(err)
	}
	got := j(t, s, "nightly")
	if got.At != "0 15 1 * * *" || got.CatchUp || got.Retries != 2 || got.Backoff != 10*time.Second ||
		got.BackoffMax != time.Minute || got.Timeout != time.Hour || got.Settings["source"] != "nir, bosetting" {
		t.Errorf("nightly = %+v", got)
	}
	db := j(t, s, "db")
	if db.Settings["full"] != "yes" || db.Settings["source"] != "tolk-db" {
		t.Errorf("db = %+v", db)
	}
	if b := j(t, s, "publish"); b.Settings["threshold"] != "5" || len(b.After) != 2 {
		t.Errorf("publish = %+v", b)
	}
}

func TestScheduleErrors(t *testing.T) {
	head := "[a]\nkind = ingest\nsource = nir\nat = 0 2 * * *\n"
	cases := []struct {
		name, text, want string
	}{
		{"no jobs", "# nothing\n", "x.conf: no jobs"},
		{"outside a job", "kind = ingest\n", "x.conf:1: kind is outside a job"},
		{"bad header", "[a\n", "x.conf:1: a job header is [name]"},
		{"bad name", "[a b]\n", `x.conf:1: job name "a b"`},
		{"no equals", head + "retries 3\n", `x.conf:5: expected [job] or key = value, got "retries 3"`},
		{"duplicate job", head + "[a]\n", "x.conf:5: job a is already defined at line 1"},
		{"duplicate key", head + "at = 0 3 * * *\n", "x.conf:5: job a: at is already set at line 4"},
		{"bad cron", "[a]\nkind = ingest\nsource = nir\nat = 0 25 * * *\n", "x.conf:4: job a: at: "},
		{"bad duration", head + "backoff = soon\n", `x.conf:5: job a: backoff: "soon" is not a duration`},
		{"bad bool", head + "catch-up = maybe\n", `x.conf:5: job a: catch-up: "maybe" is not yes or no`},
		{"negative retries", head + "retries = -1\n", "x.conf:5: job a: retries: must not be negative"},
		{"no kind", "[a]\nat = 0 2 * * *\n", "x.conf:1: job a has no kind (one of build, ingest"},
		{"unknown kind", "[a]\nkind = copy\nat = 0 2 * * *\n", `x.conf:2: job a: unknown kind "copy"`},
		{"no time", "[a]\nkind = build\n", "x.conf:1: job a has neither at"},
		{"unknown after", "[a]\nkind = build\nafter = b\n", `x.conf:3: job a: after names no job "b"`},
		{"cycle", "[a]\nkind = build\nafter = b\n[b]\nkind = build\nafter = a\n", "x.conf:3: job a: the jobs wait for each other: a after b after a"},
		{"backoff order", head + "backoff = 1m\nbackoff-max = 10s\n", "x.conf:6: job a: backoff-max 10s is below backoff 1m0s"},
		{"unknown source", "[a]\nkind = ingest\nat = 0 2 * * *\nsource = nir, ssb\n", `x.conf:4: job a: source: unknown source "ssb"`},
		{"no source", "[a]\nkind = ingest\nat = 0 2 * * *\n", "x.conf:1: job a: source: name the sources"},
		{"unknown ingest setting", head + "inbox = /x\n", "x.conf:5: job a: inbox: not a setting of an ingest job"},
		{"full of a file source", head + "full = yes\n", "x.conf:5: job a: full: only for source = tolk-db"},
		{"build setting", "[a]\nkind = build\nat = 0 2 * * *\nthreshold = few\n", `x.conf:4: job a: threshold: "few" is not a whole number`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := schedules.Parse("x.conf", strings.NewReader(c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v\nwant one containing %q", err, c.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := schedules.Load(filepath.Join(t.TempDir(), "none.conf"))
	if !os.IsNotExist(err) && (err == nil || !strings.Contains(err.Error(), "none.conf")) {
		t.Errorf("err = %v, want one naming the file", err)
	}
}
