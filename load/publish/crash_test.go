package publish

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit"
)

// publishStep is the helper process's step: publishForever into the
// warehouse args[0].
const publishStep = "publish-forever"

// TestMain lets the test binary play the publishing process that
// TestKilledPublish kills.
func TestMain(m *testing.M) {
	testkit.Main(m, publishStep, func(args ...string) error { return publishForever(args[0]) })
}

// publishForever is the helper process: it cleans up as a new run does and
// then publishes until killed, telling its phase and the time on stdout
// ("write <ns>", "commit <ns>", "done <ns>") so the parent can aim its
// kills.
func publishForever(dir string) error {
	if err := Clean(dir); err != nil {
		return err
	}
	for {
		d, err := Begin(dir)
		if err != nil {
			return err
		}
		fmt.Println("write", time.Now().UnixNano())
		for _, m := range marts {
			if err := writeMart(filepath.Join(d.Dir(), m), d.ID(), 20000); err != nil {
				return err
			}
		}
		fmt.Println("commit", time.Now().UnixNano())
		if err := d.Commit(3); err != nil {
			return err
		}
		fmt.Println("done", time.Now().UnixNano())
	}
}

// phaseLine is one line of the helper's stdout.
type phaseLine struct {
	phase string
	at    time.Time // when the helper entered the phase
}

// TestKilledPublish kills a real publishing process (SIGKILL) at many
// moments, some aimed at the writing of the files, some at the commit, some
// anywhere, and after each kill checks that marts resolves to one complete
// publication: both files open and carry the same id, which is the current
// one and listed, and Clean leaves no temporary entry.
func TestKilledPublish(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a process many times")
	}
	dir := t.TempDir()
	publish(t, dir, 3) // so that there is always a publication to check
	var (
		// The shortest write and commit seen so far: a kill aimed at a
		// random moment within them falls inside them.
		writeTime  = 30 * time.Millisecond
		commitTime = time.Millisecond
		killedIn   = map[string]int{} // by the last phase the helper reported
		kills      = 0
		published  = 0
	)
	// Counted, not timed: on a loaded machine the kills take longer, and
	// the test waits for them rather than failing. maxKills only stops a
	// run in which the aim never hits a commit.
	const maxKills = 150
	enough := func() bool { return kills >= 36 && killedIn["write"] >= 5 && killedIn["commit"] >= 5 }
	for ; !enough() && kills < maxKills; kills++ {
		p := testkit.Start(t, publishStep, dir)
		lines := func(yield func(phaseLine) bool) {
			for l := range p.Lines() {
				phase, ns, _ := strings.Cut(l, " ")
				n, _ := strconv.ParseInt(ns, 10, 64)
				if !yield(phaseLine{phase, time.Unix(0, n)}) {
					return
				}
			}
		}

		// Aim: a third of the kills during a write, a third during a commit,
		// a third at any moment after the start; more at a commit if too few
		// have hit one (a loaded machine reacts late).
		var seen []phaseLine
		waitFor := func(phase string) bool {
			for l := range lines {
				seen = append(seen, l)
				if l.phase == phase && rand.IntN(2) == 0 { // this cycle or a later one
					return true
				}
			}
			return false
		}
		aim := kills % 3
		if kills >= 36 {
			aim = 1
		}
		switch aim {
		case 0:
			if waitFor("write") {
				time.Sleep(time.Until(seen[len(seen)-1].at.Add(rand.N(writeTime))))
			}
		case 1:
			if waitFor("commit") {
				time.Sleep(time.Until(seen[len(seen)-1].at.Add(rand.N(commitTime))))
			}
		default:
			time.Sleep(rand.N(300 * time.Millisecond))
		}
		ex := p.Kill()
		for l := range lines {
			seen = append(seen, l)
		}
		if !ex.Killed {
			t.Fatalf("kill %d: the publishing process failed by itself: %v\n%s", kills, ex.Err, p.Stderr())
		}

		last := "start"
		for j, l := range seen {
			last = l.phase
			if j > 0 && l.phase == "done" {
				published++
				commitTime = min(commitTime, l.at.Sub(seen[j-1].at))
			}
			if j > 0 && l.phase == "commit" {
				writeTime = min(writeTime, l.at.Sub(seen[j-1].at))
			}
		}
		killedIn[last]++
		checkPublished(t, dir, kills)
	}
	t.Logf("%d kills, %d publications completed; kills by the phase they fell in: %v (done: between publications; start: before the first); shortest write %v, commit %v",
		kills, published, killedIn, writeTime, commitTime)
	if killedIn["write"] < 5 || killedIn["commit"] < 5 {
		t.Errorf("kills by phase %v: want at least 5 during the write and 5 during the commit", killedIn)
	}
}

// checkPublished checks the marts of dir after the i-th kill and cleans up
// as the next run would.
func checkPublished(t *testing.T, dir string, i int) {
	t.Helper()
	cur, err := Current(dir)
	if err != nil || cur == "" {
		t.Fatalf("kill %d: Current = %q, %v", i, cur, err)
	}
	for _, m := range marts {
		got, err := martID(filepath.Join(dir, "marts", m))
		if err != nil || got != cur {
			t.Fatalf("kill %d: marts/%s carries %q (%v), want the current publication %s", i, m, got, err, cur)
		}
	}
	if ids := mustList(t, dir); !slices.Contains(ids, cur) {
		t.Fatalf("kill %d: current %s not in List %v", i, cur, ids)
	}
	if err := Clean(dir); err != nil {
		t.Fatalf("kill %d: Clean: %v", i, err)
	}
	if left := tempNames(t, dir); len(left) > 0 {
		t.Fatalf("kill %d: Clean left %v", i, left)
	}
	// Clean keeps the current release, or completes the one the ledger
	// names (a kill between writing the ledger and switching the link).
	after := mustCurrent(t, dir)
	rs, err := Releases(dir)
	if err != nil || len(rs) == 0 || rs[len(rs)-1].ID != after {
		t.Fatalf("kill %d: after Clean Current = %s, ledger %v (%v): want the ledger's last release current", i, after, rs, err)
	}
	if after != cur && (len(rs) < 2 || rs[len(rs)-2].ID != cur) {
		t.Fatalf("kill %d: Clean changed the current publication from %s to %s, which was not the release after it", i, cur, after)
	}
	for _, m := range marts {
		if got, err := martID(filepath.Join(dir, "marts", m)); err != nil || got != after {
			t.Fatalf("kill %d: after Clean marts/%s carries %q (%v), want %s", i, m, got, err, after)
		}
	}
}
