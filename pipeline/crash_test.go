package pipeline

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/demo"
	"integstat/transform/pseudo"
	"integstat/load/warehouse"
)

// TestMain lets the test binary play the ingest process that
// TestKilledIngest kills.
func TestMain(m *testing.M) {
	if inbox := os.Getenv("INTEGSTAT_CRASH_INBOX"); inbox != "" {
		ctx := context.Background()
		wh, err := warehouse.Open(ctx, os.Getenv("INTEGSTAT_CRASH_WAREHOUSE"))
		if err == nil {
			var key *pseudo.Key
			if key, err = pseudo.LoadKey(filepath.Join(wh.Restricted(), "key")); err == nil {
				_, err = Ingest(ctx, IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true})
			}
		}
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKilledIngest kills a real ingest process (SIGKILL) at several points
// and runs it again: in the end every delivery is loaded once, the ledger
// balances, Parquet holds exactly the loaded rows, and no temporary file is
// left.
func TestKilledIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ingest several times")
	}
	ctx := context.Background()
	inbox := filepath.Join(demoSet(t, demo.Options{Seed: 12, Scale: 0.05, BadRate: 0.01}), "inbox")
	wh, _ := newWarehouse(t)
	whDir := wh.Dir
	wh.Close() // the ingest processes open it
	run := func(killAfter time.Duration) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "INTEGSTAT_CRASH_INBOX="+inbox, "INTEGSTAT_CRASH_WAREHOUSE="+whDir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if killAfter > 0 {
			time.Sleep(killAfter)
			cmd.Process.Kill()
			cmd.Wait()
			return
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("ingest after the crashes: %v", err)
		}
	}
	countLoaded := func() int {
		wh, err := warehouse.Open(ctx, whDir)
		if err != nil {
			t.Fatal(err)
		}
		defer wh.Close()
		n := 0
		for _, src := range []string{"nir", "bosetting", "tolk"} {
			ids, _ := os.ReadDir(filepath.Join(inbox, src))
			for _, id := range ids {
				if _, ok, _ := wh.Loaded(src, id.Name()); ok {
					n++
				}
			}
		}
		return n
	}
	// Each killed run gets a little further; the kills must fall in the
	// middle of the work for the test to mean anything.
	for range 3 {
		run(800 * time.Millisecond)
	}
	if n := countLoaded(); n >= 19 {
		t.Fatalf("the killed runs loaded all %d deliveries: the kills came too late", n)
	}
	run(0)

	wh, err := warehouse.Open(ctx, whDir)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loaded := 0
	for _, src := range []string{"nir", "bosetting", "tolk"} {
		ids, _ := os.ReadDir(filepath.Join(inbox, src))
		for _, id := range ids {
			if _, ok, _ := wh.Loaded(src, id.Name()); !ok {
				continue
			}
			loaded++
			loads, err := wh.Loads(ctx, src, id.Name())
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range loads {
				var n int64
				q := "SELECT count(*) FROM read_parquet('" + filepath.Join(wh.Parquet(), src, l.Table, "delivery_id="+id.Name(), "*.parquet") + "')"
				if err := db.QueryRow(q).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != l.Loaded || l.Read != l.Loaded+l.Quarantine {
					t.Errorf("%s/%s %s: %d in Parquet, ledger %+v", src, id.Name(), l.Table, n, l)
				}
			}
		}
	}
	if loaded != 19 {
		t.Errorf("%d deliveries loaded, want 19", loaded)
	}
	filepath.WalkDir(whDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return err
	})
}
