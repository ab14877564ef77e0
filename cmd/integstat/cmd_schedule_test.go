package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"integstat/internal/testkit"
	"integstat/load/warehouse"
)

// TestScheduleOnceAndRuns runs the jobs of a schedule file one by one on
// the small cases, then shows them with runs; a manual run on the
// warehouse while it is locked is refused, naming the holder.
func TestScheduleOnceAndRuns(t *testing.T) {
	dir := t.TempDir()
	wh, key := newKeyedWarehouse(t, dir)
	sched := writeFile(t, dir, "test.conf", "[files]\nkind = ingest\nsource = nir, bosetting, tolk\nat = 0 4 * * *\n\n[marts]\nkind = build\nafter = files\nthreshold = 3\n")
	inbox := testkit.SmallInbox()
	base := []string{"schedule", "--warehouse", wh, "--schedule", sched, "--inbox", inbox, "--key-file", key, "--allow-synthetic-ids"}

	code, stdout, stderr := runArgs(append(base, "--list")...)
	if code != 0 || !strings.Contains(stdout, "files") || !strings.Contains(stdout, "04:00:00 CE") || !strings.Contains(stdout, "marts") {
		t.Fatalf("--list: exit %d:\n%s%s", code, stdout, stderr)
	}
	for _, job := range []string{"files", "marts"} {
		code, stdout, stderr := runArgs(append(base, "--once", job)...)
		if code != 0 || !strings.Contains(stdout, "job "+job+" ok after 1 attempt(s)") {
			t.Fatalf("--once %s: exit %d:\n%s%s", job, code, stdout, stderr)
		}
	}
	_, stdout, _ = runArgs("runs", "--warehouse", wh)
	if !strings.Contains(stdout, "Scheduled job runs") || strings.Count(stdout, " once ") != 2 || !strings.Contains(stdout, "publication ") {
		t.Errorf("runs does not show the job runs:\n%s", stdout)
	}

	unlock, err := warehouse.Lock(context.Background(), wh, warehouse.LockOptions{Job: "marts"})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	for _, args := range [][]string{
		{"run", "--warehouse", wh, "--key-file", key},
		{"ingest", "--warehouse", wh, "--key-file", key, "--inbox", inbox},
		append(base, "--once", "marts"),
	} {
		code, _, stderr := runArgs(args...)
		if want := fmt.Sprintf("locked by pid %d", os.Getpid()); code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "job marts") {
			t.Errorf("%s on a locked warehouse: exit %d: %s", args[0], code, stderr)
		}
	}
}

func TestScheduleErrors(t *testing.T) {
	bad := writeFile(t, t.TempDir(), "bad.conf", "[a]\nkind = ingest\nsource = nir\nat = 61 * * * *\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"schedule", "--warehouse", "w", "--schedule", bad}, "bad.conf:4: job a: at:"},
		{[]string{"schedule"}, "--warehouse is required"},
		{[]string{"schedule", "--warehouse", "w", "--once", "nothing"}, `no job "nothing"`},
	} {
		code, _, stderr := runArgs(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d: %s; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	code, stdout, _ := runArgs("schedule", "--print-default")
	if code != 0 || !strings.Contains(stdout, "[nir-ingest]") {
		t.Errorf("--print-default: exit %d:\n%s", code, stdout)
	}
}
