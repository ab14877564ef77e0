package tolkdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestRetryAfterTermination ends the reading backend mid-read, as a server
// shutdown does (SQLSTATE 57P01): the read starts again and delivers the
// whole register.
func TestRetryAfterTermination(t *testing.T) {
	t.Parallel()
	dsn, conn := register(t)
	s, log := newSource(t, dsn, Options{})
	lock, done, pid := readBlocked(t, dsn, s)
	exec(t, conn, fmt.Sprintf("SELECT pg_terminate_backend(%d)", pid))
	awaitRetry(t, log, done)
	if err := lock.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("read after the backend was terminated: %v", r.err)
	}
	if !reflect.DeepEqual(r.b.Tolk, fixtureTolk) || !reflect.DeepEqual(r.b.Sprak, fixtureSprak) {
		t.Errorf("the retried read is not the whole register: %d tolk, %d tolk_sprak rows", len(r.b.Tolk), len(r.b.Sprak))
	}
	if n := log.retries(); n != 1 {
		t.Errorf("%d retries logged, want 1", n)
	}
	if !strings.Contains(log.String(), "57P01") {
		t.Errorf("the retry does not name the failure:\n%s", log.String())
	}
}

// TestRetryConnectionRefused points a Source at a closed port, and opens
// the port (forwarding to the real server) only once the read has failed
// and is waiting to retry.
func TestRetryConnectionRefused(t *testing.T) {
	t.Parallel()
	dsn, _ := register(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	u.Host = closedAddr(t) // closed until the first retry
	s, log := newSource(t, u.String(), Options{Retries: 50})
	done := readAsync(context.Background(), s, time.Time{})
	awaitRetry(t, log, done)
	l, err := net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go forward(l, target)
	r := <-done
	if r.err != nil {
		t.Fatalf("read once the port opened: %v", r.err)
	}
	if len(r.b.Tolk) != len(fixtureTolk) || len(r.b.Sprak) != len(fixtureSprak) {
		t.Errorf("read %d tolk, %d tolk_sprak rows, want %d, %d", len(r.b.Tolk), len(r.b.Sprak), len(fixtureTolk), len(fixtureSprak))
	}
	if !strings.Contains(log.String(), "refused") {
		t.Errorf("the retry does not name the failure:\n%s", log.String())
	}
}

// forward accepts connections on l and relays each to target.
func forward(l net.Listener, target string) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			d, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer d.Close()
			go io.Copy(d, c)
			io.Copy(c, d)
		}()
	}
}

// TestRetriesGiveUp checks that a port that stays closed fails after
// exactly Options.Retries retries, with an error that says so.
func TestRetriesGiveUp(t *testing.T) {
	t.Parallel()
	addr := closedAddr(t)
	s, log := newSource(t, "postgres://postgres@"+addr+"/test?sslmode=disable", Options{Retries: 3})
	_, err := s.Read(context.Background(), time.Time{})
	if !errors.Is(err, syscall.ECONNREFUSED) || !strings.Contains(err.Error(), "attempt 4") {
		t.Errorf("err = %v, want connection refused on attempt 4", err)
	}
	if n := log.retries(); n != 3 {
		t.Errorf("%d retries logged, want 3", n)
	}
}

// TestNoRetryOnPermanentErrors checks that failures a retry cannot mend
// (a missing table, a denied permission) return at once.
func TestNoRetryOnPermanentErrors(t *testing.T) {
	t.Parallel()
	dsn, conn := register(t)
	exec(t, conn, "CREATE DATABASE bare", "CREATE ROLE reader LOGIN")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	bare, reader := *u, *u
	bare.Path = "/bare"
	reader.User = url.User("reader")
	for _, c := range []struct {
		name, dsn, code string
	}{
		{"undefined table", bare.String(), "42P01"},
		{"permission denied", reader.String(), "42501"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, log := newSource(t, c.dsn, Options{Retries: 5})
			_, err := s.Read(context.Background(), time.Time{})
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != c.code {
				t.Fatalf("err = %v, want SQLSTATE %s", err, c.code)
			}
			if n := log.retries(); n != 0 {
				t.Errorf("%d retries logged, want none", n)
			}
		})
	}
}

// TestReadStopsWhenCancelled checks that a cancelled context ends the
// retries instead of waiting out the backoff.
func TestReadStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	addr := closedAddr(t)
	s, log := newSource(t, "postgres://postgres@"+addr+"/test", Options{Retries: 1000, BackoffBase: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := readAsync(ctx, s, time.Time{})
	awaitRetry(t, log, done)
	cancel()
	if r := <-done; !errors.Is(r.err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", r.err)
	}
}

// TestTransient classifies errors the way the driver and the network
// report them.
func TestTransient(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "57P01"}, true},
		{&pgconn.PgError{Code: "57P03"}, true},
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: "42P01"}, false},
		{&pgconn.PgError{Code: "42501"}, false},
		{&pgconn.PgError{Code: "28P01"}, false},
		{fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), true},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{errors.New("tolk_id is not an integer"), false},
	} {
		if got := Transient(c.err); got != c.want {
			t.Errorf("Transient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestBackoff checks that waits double from the base and stop at the cap,
// jitter staying within the upper half.
func TestBackoff(t *testing.T) {
	base, cap := 100*time.Millisecond, time.Second
	for attempt, ceil := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		ceil *= time.Millisecond
		for range 50 {
			if d := backoff(base, cap, attempt); d < ceil/2 || d > ceil {
				t.Fatalf("backoff(attempt %d) = %v, want within [%v, %v]", attempt, d, ceil/2, ceil)
			}
		}
	}
}
