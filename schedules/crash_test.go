package schedules_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
	"integstat/load/publish"
	"integstat/load/warehouse"
	"integstat/schedules"
)

// crashSchedule rebuilds the marts with another threshold than the first
// build, so every data state is computed anew.
const crashSchedule = "[marts]\nkind = build\nat = @yearly\nthreshold = 3\n"

// daemonStep makes the test binary play a daemon running the build job on
// the warehouse args[0], logging to stdout, for TestKilledDaemon to kill.
const daemonStep = "schedules-daemon"

func TestMain(m *testing.M) {
	testkit.Main(m, daemonStep, func(args ...string) error {
		s, err := schedules.Parse("crash.conf", strings.NewReader(crashSchedule))
		if err != nil {
			return err
		}
		log := slog.New(slog.NewTextHandler(os.Stdout, nil))
		_, err = schedules.New(s, schedules.Options{Warehouse: args[0], Log: log}).RunOnce(context.Background(), "marts", true)
		return err
	})
}

// TestKilledDaemon kills (SIGKILL) a daemon process during a build job on
// the small cases, checks the warehouse is consistent, restarts the
// daemon and checks it catches up the interrupted job to completion.
func TestKilledDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the marts")
	}
	ctx := context.Background()
	wh := fixture.Ingest(t, testkit.SmallInbox())
	fixture.Build(t, wh, time.Time{})
	dir := wh.Dir
	wh.Close() // the daemons open it
	before, _ := publish.Current(dir)

	p := testkit.Start(t, daemonStep, dir)
	// The first data state computed is inside the build, after the run is
	// in the ledger as running ("job started" comes before the ledger).
	for l := range p.Lines() {
		if strings.Contains(l, "data state computed") {
			break
		}
	}
	if ex := p.Kill(); !ex.Killed {
		t.Fatalf("the daemon ended before it was killed (%v):\n%s", ex.Err, p.Stderr())
	}
	fixture.CheckCurrent(t, dir)

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
	if after := fixture.CheckCurrent(t, dir); after == before {
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
