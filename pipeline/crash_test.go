package pipeline

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/demo"
	"integstat/internal/testkit"
	"integstat/internal/testkit/ingesttest"
	"integstat/load/warehouse"
	"integstat/transform/pseudo"
)

// TestMain lets the test binary play the ingest process that
// TestKilledIngest kills.
func TestMain(m *testing.M) { testkit.Main(m, ingestStep, ingest) }

// ingestStep is the child process's ingest: the inbox args[0] into the
// warehouse args[1], with the key in its restricted area.
const ingestStep = "pipeline-ingest"

func ingest(args ...string) error {
	ctx := context.Background()
	wh, err := warehouse.Open(ctx, args[1])
	if err != nil {
		return err
	}
	defer wh.Close()
	key, err := pseudo.LoadKey(filepath.Join(wh.Restricted(), "key"))
	if err != nil {
		return err
	}
	_, err = Ingest(ctx, IngestOptions{Inbox: args[0], Warehouse: wh, Key: key, AllowSynthetic: true})
	return err
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
	wh, _ := ingesttest.Warehouse(t, t.TempDir())
	whDir := wh.Dir
	wh.Close() // the ingest processes open it
	run := func(killAfter time.Duration) {
		p := testkit.Start(t, ingestStep, inbox, whDir)
		if killAfter > 0 {
			p.KillAfter(killAfter)
			return
		}
		if ex := p.Wait(); ex.Err != nil {
			t.Fatalf("ingest after the crashes: %v\n%s", ex.Err, p.Stderr())
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
				q := "SELECT count(*) FROM read_parquet('" + wh.PartitionGlob(src, l.Table, id.Name()) + "')"
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
