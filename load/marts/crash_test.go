package marts_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
	"integstat/load/marts"
	"integstat/load/protect"
	"integstat/load/warehouse"
)

// TestMain lets the test binary play the build process that
// TestKilledBuild kills.
func TestMain(m *testing.M) { testkit.Main(m, buildStep, build) }

// buildStep is the child process's build: in the warehouse args[0], with
// the protection threshold args[1].
const buildStep = "marts-build"

func build(args ...string) error {
	threshold, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	ctx := context.Background()
	wh, err := warehouse.Open(ctx, args[0])
	if err != nil {
		return err
	}
	defer wh.Close()
	_, err = marts.Build(ctx, marts.Options{Warehouse: wh, Protect: protect.Options{Threshold: threshold}})
	return err
}

// TestKilledBuild kills real build processes (SIGKILL) at many moments:
// computing data states (each run changes the protection threshold, so
// every state is computed anew), testing, writing and publishing. After
// every kill marts/ is the previous publication or the complete new one,
// both files of it from the same publication, and the history holds each
// state whole or not at all; the next build completes.
func TestKilledBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many builds")
	}
	wh := fixture.Ingest(t, filepath.Join(smallcases, "inbox"))
	fixture.Build(t, wh, time.Time{})
	dir := wh.Dir
	wh.Close() // the build processes open it

	// run builds with threshold in a child process, killed after killAfter
	// (0: never), and returns how long it ran and whether it completed.
	run := func(threshold int, killAfter time.Duration) (time.Duration, bool) {
		p := testkit.Start(t, buildStep, dir, strconv.Itoa(threshold))
		var e testkit.Exit
		if killAfter > 0 {
			e = p.KillAfter(killAfter)
		} else {
			e = p.Wait()
		}
		return e.Ran, e.Err == nil
	}
	full, ok := run(5, 0)
	if !ok {
		t.Fatal("an unkilled build failed")
	}
	checkConsistent(t, dir)
	// One kill in each of n equal slices of a full build's time, at a random
	// moment of the slice: spread over every step of the build (startup
	// included) as evenly as twice as many kills at random moments.
	const n = 12
	rng := rand.New(rand.NewPCG(7, 7))
	kills := 0
	for i := range n {
		after := time.Duration((float64(i) + rng.Float64()) * float64(full) / n)
		if _, finished := run(3+i%4, after+time.Millisecond); !finished {
			kills++
		}
		checkConsistent(t, dir)
	}
	if kills < n/2 {
		t.Errorf("only %d of %d builds were killed before they finished", kills, n)
	}
	if _, ok := run(4, 0); !ok {
		t.Fatal("the build after the kills failed")
	}
	checkConsistent(t, dir)
	wh2, err := warehouse.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer wh2.Close()
	fixture.CheckPublished(t, wh2)
}

// checkConsistent checks what a reader sees in the warehouse at dir: a
// current publication whose two files open and name it (fixture's
// CheckCurrent), and a history in which every computed state has exactly
// the rows it was computed with.
func checkConsistent(t *testing.T, dir string) {
	t.Helper()
	fixture.CheckCurrent(t, dir)
	db, err := sql.Open("duckdb", filepath.Join(dir, "state", "historikk.duckdb")+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var bad int
	if err := db.QueryRow(`SELECT count(*) FROM tilstand_bygget t
		LEFT JOIN (SELECT kilde, data_per, count(*) AS n FROM historikk GROUP BY ALL) h USING (kilde, data_per)
		WHERE coalesce(h.n, 0) <> t.rader`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad > 0 {
		t.Fatalf("%d states in the history are not whole", bad)
	}
	var orphans int
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT DISTINCT kilde, data_per FROM historikk) h
		ANTI JOIN tilstand_bygget t USING (kilde, data_per)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans > 0 {
		t.Fatalf("%d states in the history without their record", orphans)
	}
}
