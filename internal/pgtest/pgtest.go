// Package pgtest starts a throwaway PostgreSQL server for tests that need a
// real one (the interpreter register runs on PostgreSQL): a fresh cluster in
// a temporary directory, listening on 127.0.0.1 and a free port, stopped and
// removed when the test ends. Tests skip when no server is installed, except
// in CI (CI=true), where a missing server is a failure.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Database is the name of the database Start creates.
const Database = "test"

// startTimeout bounds how long the server may take to accept connections.
const startTimeout = 60 * time.Second

// Start runs a new PostgreSQL server for the test and returns the DSN of an
// empty database on it, as the superuser "postgres" without a password.
// The server stops (fast shutdown) and its files go when the test ends.
func Start(t testing.TB) (dsn string) {
	t.Helper()
	bin, err := findBin()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: %v", err)
		}
		t.Skipf("pgtest: %v; install it (apt-get install postgresql) to run this test", err)
	}
	cred, err := credential()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	// Not t.TempDir: when the server runs as another user every directory
	// above its data must be open to it, and the socket path must be short.
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatalf("pgtest: handing the directory to the server's user: %v", err)
		}
	}
	data := filepath.Join(dir, "data")

	var out bytes.Buffer
	initdb := command(cred, &out, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
	if err := initdb.Run(); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out.String())
	}

	port, err := freePort()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	log := &syncBuffer{}
	srv := command(cred, log, filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "shared_buffers=16MB", "-c", "max_connections=20")
	if err := srv.Start(); err != nil {
		t.Fatalf("pgtest: starting postgres: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() { stop(t, srv, exited) })

	admin := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := waitReady(admin, exited); err != nil {
		t.Fatalf("pgtest: %v\nserver log:\n%s", err, log.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+Database); err != nil {
		t.Fatalf("pgtest: creating the database: %v", err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, Database)
}

// findBin returns the directory holding initdb and postgres: initdb's own
// (following a symlink such as /usr/local/bin/initdb), else the newest
// /usr/lib/postgresql/*/bin, where Debian installs the server.
func findBin() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(found, func(a, b string) int { return version(b) - version(a) })
	dirs = append(dirs, found...)
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server found (initdb and postgres neither in PATH nor in /usr/lib/postgresql/*/bin)")
}

// version returns the major version in a path /usr/lib/postgresql/<v>/bin.
func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// credential returns the user the server runs as when the test runs as
// root, which PostgreSQL refuses: "postgres" if it exists, else "nobody".
// It returns nil when the test's own user will do.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
		}
	}
	return nil, errors.New("running as root and no unprivileged user (postgres, nobody) to run the server as")
}

// command prepares a server program, run as cred when set, its output to out.
func command(cred *syscall.Credential, out io.Writer, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Dir = os.TempDir() // the test's directory may be closed to that user
	}
	return cmd
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls until the server accepts a connection, it exits, or the
// start timeout passes.
func waitReady(dsn string, exited <-chan error) error {
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, dsn)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case e := <-exited:
			return fmt.Errorf("postgres exited while starting: %v", e)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after %v: %w", startTimeout, err)
		}
	}
}

// stop shuts the server down with SIGINT (fast shutdown: open sessions are
// ended), killing it if it does not exit in time.
func stop(t testing.TB, srv *exec.Cmd, exited <-chan error) {
	if err := srv.Process.Signal(os.Interrupt); err != nil {
		return // already gone
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Errorf("pgtest: postgres did not stop within 30s; killing it")
		srv.Process.Kill()
		<-exited
	}
}

// syncBuffer collects the server's log while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
