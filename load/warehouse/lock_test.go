package warehouse_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit"
	"integstat/load/warehouse"
)

// holderStep makes the test binary play a process that holds the lock of
// the warehouse args[0] until its standard input closes.
const holderStep = "warehouse-lock-holder"

func TestMain(m *testing.M) {
	testkit.Main(m, holderStep, func(args ...string) error {
		unlock, err := warehouse.Lock(context.Background(), args[0], warehouse.LockOptions{Job: "child-job"})
		if err != nil {
			return err
		}
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin)
		return unlock()
	})
}

// holder starts a process that takes the lock of dir and holds it until
// release is called; it returns once the lock is held.
func holder(t *testing.T, dir string) (p *testkit.Process, release func()) {
	t.Helper()
	p = testkit.Start(t, holderStep, dir)
	if line, _ := p.Line(); line != "locked" {
		t.Fatalf("the holder process did not take the lock: %q %s", line, p.Stderr())
	}
	return p, func() {
		p.CloseStdin()
		if ex := p.Wait(); ex.Err != nil {
			t.Fatalf("the holder process failed to unlock: %v %s", ex.Err, p.Stderr())
		}
	}
}

func TestLockContendedAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	p, release := holder(t, dir)
	ctx := context.Background()

	_, err := warehouse.Lock(ctx, dir, warehouse.LockOptions{Job: "second"})
	var le *warehouse.LockedError
	if !errors.As(err, &le) || !errors.Is(err, warehouse.ErrLocked) {
		t.Fatalf("Lock of a held warehouse: err = %v, want a LockedError", err)
	}
	if le.Holder.PID != p.Pid() || le.Holder.Job != "child-job" || le.Holder.Since.IsZero() {
		t.Errorf("holder = %+v, want pid %d, job child-job and a start time", le.Holder, p.Pid())
	}
	if want := fmt.Sprintf("locked by pid %d on ", p.Pid()); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "job child-job") {
		t.Errorf("message %q does not say who holds the lock", err)
	}

	// Waiting goes on while the other process holds the lock.
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = warehouse.Lock(wctx, dir, warehouse.LockOptions{Wait: true, Poll: 10 * time.Millisecond})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting for a held lock: err = %v, want the deadline", err)
	}

	release()
	unlock, err := warehouse.Lock(ctx, dir, warehouse.LockOptions{Job: "third", Wait: true})
	if err != nil {
		t.Fatalf("Lock after the holder released it: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(warehouse.LockFile(dir)); len(b) != 0 {
		t.Errorf("the lock file still names a holder after unlock: %q", b)
	}
}

func TestLockOfCrashedHolderIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	p, _ := holder(t, dir)
	pid := p.Pid()
	if ex := p.Kill(); !ex.Killed {
		t.Fatalf("the holder ended before it was killed: %v", ex.Err)
	}

	var log bytes.Buffer
	unlock, err := warehouse.Lock(context.Background(), dir, warehouse.LockOptions{Job: "after-crash",
		Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	defer unlock()
	if !strings.Contains(log.String(), "took over") || !strings.Contains(log.String(), fmt.Sprintf("pid=%d", pid)) {
		t.Errorf("the takeover is not logged with the dead holder's pid %d:\n%s", pid, log.String())
	}
	b, _ := os.ReadFile(warehouse.LockFile(dir))
	if !strings.Contains(string(b), fmt.Sprintf("pid=%d\n", os.Getpid())) || !strings.Contains(string(b), "job=after-crash") {
		t.Errorf("the lock file does not name the new holder: %q", b)
	}
}

func TestLockInOneProcess(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	unlock, err := warehouse.Lock(ctx, dir, warehouse.LockOptions{Job: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := warehouse.Lock(ctx, dir, warehouse.LockOptions{Job: "b"}); !errors.Is(err, warehouse.ErrLocked) {
		t.Fatalf("a second lock in the same process: err = %v, want ErrLocked", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Errorf("a second unlock: %v", err)
	}
	var log bytes.Buffer
	unlock, err = warehouse.Lock(ctx, dir, warehouse.LockOptions{Job: "b", Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock()
	if log.Len() > 0 {
		t.Errorf("a lock given back is reported as taken over:\n%s", log.String())
	}
}
