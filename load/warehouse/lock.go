package warehouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrLocked reports a warehouse whose lock another process holds; the
// error that wraps it is a *LockedError naming the holder.
var ErrLocked = errors.New("warehouse locked")

// Holder describes the process that holds (or last held) the warehouse
// lock, as it wrote itself into DIR/state/lock.
type Holder struct {
	PID   int
	Host  string
	Job   string
	Since time.Time
}

// String says who holds the lock, for messages: "pid N on HOST (job X, since T)".
func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	return fmt.Sprintf("pid %d on %s (job %s, since %s)", h.PID, h.Host, h.Job, h.Since.Format(time.RFC3339))
}

// LockedError is the error of Lock when another process holds the lock.
type LockedError struct {
	Dir    string
	Holder Holder
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("warehouse %s locked by %s; wait for it (--wait) or stop it", e.Dir, e.Holder)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// LockOptions configures Lock.
type LockOptions struct {
	// Job names what the holder does (a job of the schedule, "run",
	// "ingest"), written into the lock file for the messages of others.
	Job string
	// Wait makes Lock wait until the lock is free (or ctx is done)
	// instead of failing with a *LockedError at once.
	Wait bool
	// Poll is how often a waiting Lock tries again; 0 means 250ms.
	Poll time.Duration
	// Log receives a line when a lock left by a crashed process is taken
	// over; nil means slog.Default().
	Log *slog.Logger
}

// LockFile is the path of the lock file of the warehouse at dir.
func LockFile(dir string) string { return filepath.Join(dir, "state", "lock") }

// Lock takes the exclusive lock of the warehouse at dir, so that no two
// processes (daemons, `integstat run`, `integstat ingest`) ingest into or
// publish from one warehouse at the same time. The lock is flock(2) on
// DIR/state/lock: the kernel releases it when the holder's process ends
// in any way, so a lock left by a crashed process is simply taken over
// (and logged: its holder's record is still in the file). The holder
// writes its pid, host, job and start time into the file for the
// messages of those who find the warehouse locked. Call unlock to release
// it; it is safe to call once.
func Lock(ctx context.Context, dir string, opt LockOptions) (unlock func() error, err error) {
	if err := os.MkdirAll(filepath.Join(dir, "state"), 0o755); err != nil {
		return nil, fmt.Errorf("warehouse lock: %w", err)
	}
	path := LockFile(dir)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("warehouse lock: %w", err)
	}
	poll := opt.Poll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("warehouse lock %s: %w", path, err)
		}
		if !opt.Wait {
			h, _ := readHolder(path)
			f.Close()
			return nil, &LockedError{Dir: dir, Holder: h}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for the warehouse lock: %w", ctx.Err())
		case <-time.After(poll):
		}
	}
	// The file still naming a holder means that holder ended without
	// unlocking: it crashed, and the kernel released its lock.
	if stale, ok := readHolder(path); ok {
		log := opt.Log
		if log == nil {
			log = slog.Default()
		}
		log.Warn("took over the warehouse lock left by a process that ended without releasing it",
			"pid", stale.PID, "host", stale.Host, "job", stale.Job, "since", stale.Since)
	}
	host, _ := os.Hostname()
	me := fmt.Sprintf("pid=%d\nhost=%s\njob=%s\nsince=%s\n", os.Getpid(), host, opt.Job, time.Now().UTC().Format(time.RFC3339Nano))
	if err := writeHolder(f, me); err != nil {
		f.Close()
		return nil, fmt.Errorf("warehouse lock %s: %w", path, err)
	}
	done := false
	return func() error {
		if done {
			return nil
		}
		done = true
		// Empty the file before releasing, so the next holder knows the
		// lock was given back rather than left by a crash.
		errs := []error{writeHolder(f, ""), syscall.Flock(int(f.Fd()), syscall.LOCK_UN), f.Close()}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("warehouse unlock %s: %w", path, err)
		}
		return nil
	}, nil
}

// writeHolder replaces the content of the lock file.
func writeHolder(f *os.File, s string) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(s), 0); err != nil {
		return err
	}
	return f.Sync()
}

// readHolder reads the holder record of the lock file at path; ok is
// false when the file names no holder.
func readHolder(path string) (h Holder, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return h, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "pid":
			h.PID, _ = strconv.Atoi(v)
		case "host":
			h.Host = v
		case "job":
			h.Job = v
		case "since":
			h.Since, _ = time.Parse(time.RFC3339Nano, v)
		}
	}
	return h, h.PID != 0
}
