package testkit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The crash harness: a test starts its own test binary again as a child
// process that runs one step of the program (a build, an ingest, a
// publication, a daemon's job), kills it with SIGKILL at a moment it
// chooses, and then checks what the killed step left behind. A real
// process killed by the kernel leaves exactly what a crash leaves: no
// deferred function runs, no file is closed cleanly.
//
// The package's TestMain calls Child first, so that the binary, started
// by Start, plays the step instead of running the tests; Main is that
// TestMain for a package whose tests start one step:
//
//	func TestMain(m *testing.M) { testkit.Main(m, "build", build) }

// childEnv names the step a child process runs; argsEnv holds its
// arguments as a JSON array.
const (
	childEnv = "INTEGSTAT_TESTKIT_CHILD"
	argsEnv  = "INTEGSTAT_TESTKIT_CHILD_ARGS"
)

// Child makes the test binary play step when Start started it for that
// step: it runs fn with Start's arguments and exits, 0 when fn returns nil
// and 1, with the error on stderr, when it does not. Otherwise it returns
// at once. Call it first in TestMain, once for each step the package's
// tests start.
func Child(step string, fn func(args ...string) error) {
	if os.Getenv(childEnv) != step {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(argsEnv)), &args); err != nil {
		fmt.Fprintln(os.Stderr, "testkit: the child's arguments:", err)
		os.Exit(2)
	}
	if err := fn(args...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Main is the TestMain of a package whose tests start one step: the test
// binary plays step with fn when Start started it for that step (Child),
// and otherwise runs the tests and exits with their status.
func Main(m *testing.M, step string, fn func(args ...string) error) {
	Child(step, fn)
	os.Exit(m.Run())
}

// Process is a child process of the test binary running one step.
type Process struct {
	cmd     *exec.Cmd
	started time.Time
	stdin   io.WriteCloser
	stderr  lockedBuffer

	done  chan struct{} // closed when the process has ended and Exit is set
	exit  Exit
	lines *lineQueue
}

// Exit is how a child process ended.
type Exit struct {
	Killed bool          // ended by the harness's SIGKILL
	Err    error         // nil when it ended by itself with status 0
	Ran    time.Duration // from its start to its end
}

// Start starts the test binary again as a child that runs step with args
// (see Child). Its stdout is read line by line (Lines), its stderr kept
// (Stderr); its stdin stays open until CloseStdin. A child still running
// when the test ends is killed.
func Start(t testing.TB, step string, args ...string) *Process {
	t.Helper()
	if args == nil {
		args = []string{}
	}
	js, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	// -test.run=^$: a binary whose TestMain lacks the Child call runs no
	// test rather than all of them again.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+step, argsEnv+"="+string(js))
	p := &Process{cmd: cmd, done: make(chan struct{}), lines: newLineQueue()}
	cmd.Stderr = &p.stderr
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the child %s: %v", step, err)
	}
	p.started = time.Now()
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines.push(sc.Text())
		}
		p.lines.close()
		io.Copy(io.Discard, out) // past a line too long for the scanner
		err := cmd.Wait()        // after the reads, as exec.Cmd.StdoutPipe asks
		p.exit = Exit{Err: err, Ran: time.Since(p.started), Killed: killed(cmd.ProcessState)}
		close(p.done)
	}()
	t.Cleanup(func() { p.Kill() })
	return p
}

// killed reports whether the process ended by SIGKILL.
func killed(s *os.ProcessState) bool {
	ws, ok := s.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// Pid is the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Line waits for the next line the child writes to its stdout, and
// returns it; false when the child has closed its stdout and every line
// is read.
func (p *Process) Line() (string, bool) { return p.lines.pop() }

// Lines yields the lines of the child's stdout as Line returns them, until
// the child closes its stdout. Breaking off leaves the rest for the next
// call.
func (p *Process) Lines() iter.Seq[string] {
	return func(yield func(string) bool) {
		for {
			l, ok := p.Line()
			if !ok || !yield(l) {
				return
			}
		}
	}
}

// Stderr is what the child has written to its stderr so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// CloseStdin closes the child's stdin: it reads the end of its input.
func (p *Process) CloseStdin() error { return p.stdin.Close() }

// Wait waits for the child to end by itself.
func (p *Process) Wait() Exit {
	<-p.done
	return p.exit
}

// Kill kills the child with SIGKILL, unless it has already ended, and
// waits for its end. Exit.Killed tells whether the signal ended it.
func (p *Process) Kill() Exit {
	select {
	case <-p.done:
	default:
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
			panic(fmt.Sprintf("testkit: killing the child: %v", err))
		}
	}
	return p.Wait()
}

// KillAfter lets the child run for d from its start and kills it with
// SIGKILL then, unless it has ended by itself before.
func (p *Process) KillAfter(d time.Duration) Exit {
	select {
	case <-p.done:
		return p.exit
	case <-time.After(time.Until(p.started.Add(d))):
		return p.Kill()
	}
}

// lockedBuffer is a strings.Builder safe for the writer goroutine of
// exec.Cmd and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// lineQueue holds the child's stdout lines not yet read, without bound,
// so that a child writing more than the test reads never blocks on a full
// pipe.
type lineQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	lines  []string
	closed bool
}

func newLineQueue() *lineQueue {
	q := &lineQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *lineQueue) push(l string) {
	q.mu.Lock()
	q.lines = append(q.lines, l)
	q.mu.Unlock()
	q.cond.Broadcast()
}

func (q *lineQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// pop waits for a line; it returns false when the stdout is closed and
// every line read.
func (q *lineQueue) pop() (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.lines) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.lines) == 0 {
		return "", false
	}
	l := q.lines[0]
	q.lines = q.lines[1:]
	return l, true
}
