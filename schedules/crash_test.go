package schedules_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit"
	"integstat/load/marts"
	"integstat/load/publish"
	"integstat/load/warehouse"
	"integstat/pipeline"
	"integstat/schedules"
	"integstat/transform/pseudo"
)

// crashSchedule rebuilds the marts with another threshold than the first
// build, so every data state is computed anew.
const crashSchedule = "[marts]\nkind = build\nat = @yearly\nthreshold = 3\n"

// crashEnv makes the test binary play a daemon running the build job on
// the warehouse it names, for TestKilledDaemon to kill.
const crashEnv = "INTEGSTAT_SCHEDULE_CRASH_WAREHOUSE"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		s, err := schedules.Parse("crash.conf", strings.NewReader(crashSchedule))
		if err == nil {
			_, err = schedules.New(s, schedules.Options{Warehouse: dir}).RunOnce(context.Background(), "marts", true)
		}
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKilledDaemon kills (SIGKILL) a daemon process during a build job on
// the small cases, checks the warehouse is consistent, restarts the
// daemon and checks it catches up the interrupted job to completion.
func TestKilledDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the marts")
	}
	ctx := context.Background()
	dir := t.TempDir()
	wh, err := warehouse.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	key, err := pseudo.GenerateKeyFile(filepath.Join(wh.Restricted(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Ingest(ctx, pipeline.IngestOptions{Inbox: testkit.SmallInbox(),
		Warehouse: wh, Key: key, AllowSynthetic: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := marts.Build(ctx, marts.Options{Warehouse: wh}); err != nil {
		t.Fatal(err)
	}
	wh.Close()
	before, _ := publish.Current(dir)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "job started") {
	}
	time.Sleep(200 * time.Millisecond) // into the build
	cmd.Process.Kill()
	if err := cmd.Wait(); err == nil {
		t.Fatal("the daemon finished its build before it was killed")
	}
	checkPublication(t, dir)

	done := make(chan struct{})
	rctx, cancel := context.WithCancel(ctx)
	d := schedules.New(mustParse(t, crashSchedule), schedules.Options{Warehouse: dir, Log: quiet(func(msg string) {
		if msg == "job finished" || msg == "job failed" {
			close(done)
		}
	})})
	go func() { <-done; cancel() }()
	if err := d.Run(rctx); err != nil {
		t.Fatal(err)
	}
	rs := runs(t, dir)
	if len(rs) != 2 || rs[0].Outcome != warehouse.JobInterrupted || rs[1].Outcome != warehouse.JobOK || rs[1].Reason != schedules.ReasonCatchUp {
		t.Fatalf("runs %+v, want the interrupted one and its catch-up", rs)
	}
	if after := checkPublication(t, dir); after == before {
		t.Errorf("the caught-up build published nothing new (still %s)", before)
	}
}

func mustParse(t *testing.T, text string) *schedules.Schedule {
	t.Helper()
	s, err := schedules.Parse("test.conf", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkPublication checks that the warehouse at dir has a current
// publication whose two files name it, and returns its id.
func checkPublication(t *testing.T, dir string) string {
	t.Helper()
	cur, err := publish.Current(dir)
	if err != nil || cur == "" {
		t.Fatalf("no current publication (%v)", err)
	}
	for _, f := range []string{publish.PublishedFile, publish.AnalysisFile} {
		db, err := sql.Open("duckdb", filepath.Join(dir, "marts", f)+"?access_mode=read_only")
		if err != nil {
			t.Fatal(err)
		}
		var id string
		err = db.QueryRow(`SELECT publikasjon FROM publikasjon`).Scan(&id)
		db.Close()
		if err != nil || id != cur {
			t.Fatalf("%s names publication %q (%v), current is %q", f, id, err, cur)
		}
	}
	return cur
}
