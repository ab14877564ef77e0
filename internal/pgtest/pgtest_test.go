package pgtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestStart starts a server, uses it, and checks that it is gone once the
// test that started it has ended.
func TestStart(t *testing.T) {
	var dsn string
	t.Run("server", func(t *testing.T) {
		dsn = Start(t)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var db, fsync, listen string
		if err := conn.QueryRow(ctx, "SELECT current_database(), current_setting('fsync'), current_setting('listen_addresses')").Scan(&db, &fsync, &listen); err != nil {
			t.Fatal(err)
		}
		if db != Database || fsync != "off" || listen != "127.0.0.1" {
			t.Errorf("database %q, fsync %q, listen_addresses %q; want %q, off, 127.0.0.1", db, fsync, listen, Database)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE t (x integer PRIMARY KEY); INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 1 {
			t.Errorf("count = %d, %v; want 1", n, err)
		}
	})
	if dsn == "" {
		return // skipped: no server installed
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, dsn); err == nil {
		conn.Close(ctx)
		t.Error("the server still accepts connections after its test ended")
	}
}

// TestTwoServers checks that two servers in one test do not collide.
func TestTwoServers(t *testing.T) {
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("both servers have DSN %s", a)
	}
	for _, dsn := range []string{a, b} {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		conn.Close(context.Background())
	}
}

// TestFindBin checks that the server's programs are found beside initdb
// when PATH holds a symlink to it, as /usr/local/bin/initdb is here.
func TestFindBin(t *testing.T) {
	real, err := findBin()
	if err != nil {
		t.Skip(err)
	}
	link := t.TempDir()
	if err := os.Symlink(filepath.Join(real, "initdb"), filepath.Join(link, "initdb")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", link)
	got, err := findBin()
	if err != nil || got != real {
		t.Errorf("findBin() = %q, %v; want %q", got, err, real)
	}
}
