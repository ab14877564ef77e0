package tolkdb

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"integstat/demo"
	"integstat/extract/delivery"
	"integstat/internal/pgtest"
)

// The fixture's rows (testdata/rows.sql) in the delivery dialect, contract
// order, primary-key order.
var (
	fixtureTolk = [][]string{
		{"1", "01017012345", "Kari", "Nordmann", "kari@example.no", "40000001", "K", "1970", "0301", "J", "J", "2012-03-01", "", "2016-05-02 08:00:00"},
		{"2", "41018012345", "Ali", "", "", "", "M", "", "", "N", "J", "2014-06-15", "", "2017-11-30 14:05:09"},
		{"3", "15057512345", "Mona", "Berg", "", "40000003", "K", "1975", "4601", "N", "N", "2015-01-10", "2017-02-01", "2017-02-01 12:30:00"},
	}
	fixtureSprak = [][]string{
		{"1", "ara", "1", "2012-03-01", "", "2012-03-01 09:00:00"},
		{"1", "som", "4", "2013-09-01", "2016-05-01", "2016-05-02 08:00:00"},
		{"2", "tir", "3", "2014-06-15", "", "2014-06-15 10:00:00"},
		{"3", "fas", "5", "2015-01-10", "2017-02-01", "2017-02-01 12:30:00"},
	}
	fixtureWatermark = time.Date(2017, 11, 30, 14, 5, 9, 250_000_000, delivery.Oslo)
)

// register starts a PostgreSQL server holding the fixture register and
// returns its DSN and an open connection to it.
func register(t *testing.T) (string, *pgx.Conn) {
	t.Helper()
	dsn := pgtest.Start(t)
	conn := connect(t, dsn)
	exec(t, conn, demo.TolkSchema) // the register's tables as the demo creates them
	rows, err := os.ReadFile("testdata/rows.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, conn, string(rows))
	return dsn, conn
}

// connect opens a connection closed when the test ends.
func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// exec runs SQL statements on conn, failing the test on error.
func exec(t *testing.T, conn *pgx.Conn, sql ...string) {
	t.Helper()
	for _, s := range sql {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// logCapture collects a Source's log as JSON lines and signals each retry.
type logCapture struct {
	slog.Handler
	mu      *sync.Mutex
	buf     *bytes.Buffer
	retried chan struct{}
}

// capturedLog returns a logger writing into a new logCapture.
func capturedLog() (*slog.Logger, *logCapture) {
	c := &logCapture{mu: &sync.Mutex{}, buf: &bytes.Buffer{}, retried: make(chan struct{}, 100)}
	c.Handler = slog.NewJSONHandler(lockedWriter{c}, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(c), c
}

func (c *logCapture) Handle(ctx context.Context, r slog.Record) error {
	err := c.Handler.Handle(ctx, r)
	if strings.Contains(r.Message, "retrying") {
		select {
		case c.retried <- struct{}{}:
		default:
		}
	}
	return err
}

// String returns everything logged so far.
func (c *logCapture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// retries counts the retries logged so far.
func (c *logCapture) retries() int { return strings.Count(c.String(), "retrying") }

type lockedWriter struct{ c *logCapture }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.buf.Write(p)
}

// newSource returns a Source on dsn with quick retries and a captured log.
func newSource(t *testing.T, dsn string, opt Options) (*Source, *logCapture) {
	t.Helper()
	log, c := capturedLog()
	opt.Logger = log
	if opt.BackoffBase == 0 {
		opt.BackoffBase, opt.BackoffCap = 10*time.Millisecond, 50*time.Millisecond
	}
	s, err := New(dsn, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// readBlocked takes an exclusive lock on tolk_sprak in a transaction on a
// connection of its own, starts s.Read in the background and returns once
// the read is blocked at its tolk_sprak query, after its snapshot is taken
// and tolk is read. It returns the lock's transaction (the read goes on
// when it ends), the read's result to come, and the blocked backend's
// process id.
func readBlocked(t *testing.T, dsn string, s *Source) (lock pgx.Tx, done <-chan result, pid int) {
	t.Helper()
	ctx := context.Background()
	tx, err := connect(t, dsn).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(context.Background()) })
	if _, err := tx.Exec(ctx, "LOCK TABLE tolk_sprak IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	watch := connect(t, dsn)
	done = readAsync(ctx, s, time.Time{})
	for range 1000 {
		err := watch.QueryRow(ctx, `SELECT pid FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE '%tolk_sprak%' AND pid <> pg_backend_pid()`).Scan(&pid)
		if err == nil {
			return tx, done, pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no read blocked on tolk_sprak within 10s")
	return nil, nil, 0
}

// result is what a Read run in the background gives.
type result struct {
	b   *Batch
	err error
}

// readAsync runs s.Read in the background.
func readAsync(ctx context.Context, s *Source, since time.Time) <-chan result {
	ch := make(chan result, 1)
	go func() {
		b, err := s.Read(ctx, since)
		ch <- result{b, err}
	}()
	return ch
}

// awaitRetry waits until log shows a retry, failing the test if the read
// ends first or no retry comes within 30 s.
func awaitRetry(t *testing.T, log *logCapture, done <-chan result) {
	t.Helper()
	select {
	case <-log.retried:
	case r := <-done:
		t.Fatalf("the read ended without retrying: %v", r.err)
	case <-time.After(30 * time.Second):
		t.Fatal("no retry within 30s")
	}
}

// discardLog returns a logger that drops everything.
func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// closedAddr returns a 127.0.0.1 address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
