package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"integstat/extract/delivery"
	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
)

// TestMain lets the test binary play integstat in a process of its own
// (testkit.Start(t, "integstat", args...)), so tests can start real
// processes (serve, release).
func TestMain(m *testing.M) {
	testkit.Main(m, "integstat", func(args ...string) error {
		if code := run(context.Background(), args, os.Stdout, os.Stderr); code != 0 {
			os.Exit(code)
		}
		return nil
	})
}

// integstatOutput runs integstat with args as a process of its own until
// it ends, and returns what it wrote (its stdout, then its stderr) and
// its exit.
func integstatOutput(t *testing.T, args ...string) (string, error) {
	t.Helper()
	p := testkit.Start(t, "integstat", args...)
	var out strings.Builder
	for l := range p.Lines() {
		out.WriteString(l + "\n")
	}
	exit := p.Wait()
	return out.String() + p.Stderr(), exit.Err
}

// smallInboxWithout copies the small cases' deliveries into a fresh inbox,
// leaving out those whose <source>/<id> is in skip.
func smallInboxWithout(t *testing.T, skip ...string) string {
	return fixture.CopyInbox(t, testkit.SmallInbox(), func(source, id string) bool {
		return !slices.Contains(skip, filepath.Join(source, id))
	})
}

// firstRelease makes a keyed warehouse and an inbox of the small cases
// without the deliveries in skip, and releases them with integstat run in
// mode auto: the release a test's later candidate is compared with.
func firstRelease(t *testing.T, skip ...string) (wh, key string) {
	t.Helper()
	dir := t.TempDir()
	wh, key = newKeyedWarehouse(t, dir)
	inbox := smallInboxWithout(t, skip...)
	code, stdout, stderr := runArgs("run", "--warehouse", wh, "--key-file", key, "--inbox", inbox, "--allow-synthetic-ids")
	if code != 0 || !strings.Contains(stdout, "run: released ") {
		t.Fatalf("first run (auto): exit %d\n%s\n%s", code, stdout, stderr)
	}
	return wh, key
}

// startServe starts integstat serve on a free loopback port and returns
// its base URL; the process is stopped when the test ends.
func startServe(t *testing.T, wh string) string {
	t.Helper()
	serve := testkit.Start(t, "integstat", "serve", "--warehouse", wh, "--addr", "127.0.0.1:0")
	line, ok := serve.Line()
	if !ok {
		t.Fatalf("serve said nothing: %s", serve.Stderr())
	}
	_, url, ok := strings.Cut(strings.TrimSpace(line), " on ")
	if !ok {
		t.Fatalf("serve said %q", line)
	}
	return strings.TrimSuffix(url, "/")
}

// servedPublication asks the portal which publication it answers from.
func servedPublication(base string) (string, error) {
	resp, err := http.Get(base + "/api/v1/publication")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var p struct {
		ID string `json:"publikasjon"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", &httpError{resp.StatusCode}
	}
	err = json.NewDecoder(resp.Body).Decode(&p)
	return p.ID, err
}

type httpError struct{ code int }

func (e *httpError) Error() string { return http.StatusText(e.code) }

// TestManualReleaseAndRollback builds a release, then a manual-mode
// candidate from a new NIR delivery, and checks on a real integstat serve
// that the portal stays on the old release until integstat release (a
// process of its own) names the candidate, switches without failing a
// request, and goes back on --rollback; integstat releases lists it all.
func TestManualReleaseAndRollback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the marts twice and starts real processes")
	}
	wh, key := firstRelease(t, filepath.Join("nir", "20180228T020000"), filepath.Join("nir", "20180305T020000"))
	first := releasesJSON(t, wh)
	if len(first) != 1 || first[0].Status != "current" || first[0].By != "auto" {
		t.Fatalf("after an auto run releases = %+v, want one current release by auto", first)
	}
	old := first[0].ID

	base := startServe(t, wh)
	if got, err := servedPublication(base); err != nil || got != old {
		t.Fatalf("serve answers from %q (%v), want %s", got, err, old)
	}

	inbox := smallInboxWithout(t) // every delivery: the first run's and those it lacked
	code, stdout, stderr := runArgs("run", "--warehouse", wh, "--key-file", key, "--inbox", inbox, "--allow-synthetic-ids", "--release", "manual")
	if code != 0 || !strings.Contains(stdout, "waits; release it with integstat release") {
		t.Fatalf("manual run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	rs := releasesJSON(t, wh)
	if len(rs) != 2 || rs[0].Status != "candidate" || rs[0].Released != "" || rs[1].ID != old || rs[1].Status != "current" {
		t.Fatalf("after a manual run releases = %+v, want a candidate above the current %s", rs, old)
	}
	cand := rs[0].ID
	if rs[0].States["nir"] != "2018-02-28" || first[0].States["nir"] != "2017-12-31" {
		t.Errorf("nir data states: candidate %q, release %q; want 2018-02-28 and 2017-12-31", rs[0].States["nir"], first[0].States["nir"])
	}
	time.Sleep(2500 * time.Millisecond) // longer than serve's reload interval
	if got, err := servedPublication(base); err != nil || got != old {
		t.Fatalf("with the candidate waiting serve answers from %q (%v), want the release %s", got, err, old)
	}

	// Requests all the time while releasing and rolling back: none fails.
	var failed atomic.Int64
	var seen sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			id, err := servedPublication(base)
			if err != nil {
				failed.Add(1)
				continue
			}
			seen.Store(id, true)
		}
	}()
	waitServed := func(want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if got, _ := servedPublication(base); got == want {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("serve did not switch to %s", want)
	}

	if out, err := integstatOutput(t, "release", "--warehouse", wh, "--by", "statistiker", "--note", "NIR february figures checked"); err != nil || !strings.Contains(string(out), "released "+cand) {
		t.Fatalf("integstat release: %v\n%s", err, out)
	}
	waitServed(cand)
	if out, err := integstatOutput(t, "release", "--warehouse", wh, "--rollback", old, "--note", "wrong figures"); err != nil || !strings.Contains(string(out), "rolled back to "+old) {
		t.Fatalf("integstat release --rollback: %v\n%s", err, out)
	}
	waitServed(old)
	close(stop)
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d requests failed during release and rollback", n)
	}
	for _, id := range []string{old, cand} {
		if _, ok := seen.Load(id); !ok {
			t.Errorf("no request was answered from %s", id)
		}
	}

	rs = releasesJSON(t, wh)
	if rs[0].ID != cand || rs[0].Status != "released" || rs[0].By != "statistiker" || rs[0].Note != "NIR february figures checked" {
		t.Errorf("the released candidate is listed as %+v", rs[0])
	}
	if rs[1].ID != old || rs[1].Status != "current" || !strings.HasPrefix(rs[1].Note, "rollback") {
		t.Errorf("the rolled-back release is listed as %+v", rs[1])
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"release", "--warehouse", wh}, "no candidate waiting"},
		{[]string{"release", "--warehouse", wh, cand}, "was released before; use --rollback"},
		{[]string{"release", "--warehouse", wh, "--rollback", old}, "it is the current release"},
		{[]string{"release", "--warehouse", wh, "20990101T000000.000Z-abc"}, "no such publication"},
	} {
		if code, _, stderr := runArgs(c.args...); code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 1 and %q", c.args, code, stderr, c.want)
		}
	}
	// As published today: the rollback made old current again.
	today := time.Now().In(delivery.Oslo).Format(time.DateOnly)
	if code, out, stderr := runArgs("releases", "--warehouse", wh, "--at", today); code != 0 || out != old+"\n" {
		t.Errorf("releases --at %s: exit %d %q %s; want %s", today, code, out, stderr, old)
	}
	if code, _, stderr := runArgs("releases", "--warehouse", wh, "--at", "2000-01-01"); code != 1 || !strings.Contains(stderr, "nothing was released") {
		t.Errorf("releases --at 2000-01-01: exit %d %s", code, stderr)
	}
	_, text, _ := runArgs("releases", "--warehouse", wh)
	for _, want := range []string{cand + "  released", old + "  current", "statistiker", "nir=2018-02-28"} {
		if !strings.Contains(text, want) {
			t.Errorf("releases lacks %q:\n%s", want, text)
		}
	}
	if _, csv, _ := runArgs("releases", "--warehouse", wh, "--format", "csv"); !strings.HasPrefix(csv, "id,status,built,released,by,note,as_of,states,version,figures,warnings\n") || strings.Count(csv, "\n") != 3 {
		t.Errorf("releases --format csv:\n%s", csv)
	}
}

// releaseEntry is one row of integstat releases --format json.
type releaseEntry struct {
	ID, Status, Released, By, Note string
	States                         map[string]string
	Warnings                       []string
}

// releasesJSON runs integstat releases --format json, newest first.
func releasesJSON(t *testing.T, wh string) []releaseEntry {
	t.Helper()
	code, stdout, stderr := runArgs("releases", "--warehouse", wh, "--format", "json")
	if code != 0 {
		t.Fatalf("releases: exit %d: %s", code, stderr)
	}
	var rs []releaseEntry
	if err := json.Unmarshal([]byte(stdout), &rs); err != nil {
		t.Fatalf("releases --format json: %v\n%s", err, stdout)
	}
	return rs
}

// TestHeldCandidateAndDiff builds a release, then, in mode auto with
// strict hold rules, a candidate from NIR's February delivery (which makes
// 2017 final) and a settlement delivery (which moves kommune figures): the candidate is held, not released; the run, integstat
// diff, releases and runs show why; integstat release without a name
// refuses it and naming it releases it. The diff names preliminary → final
// and never a suppressed value.
func TestHeldCandidateAndDiff(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the marts twice")
	}
	wh, key := firstRelease(t, filepath.Join("nir", "20180228T020000"), filepath.Join("nir", "20180305T020000"), filepath.Join("bosetting", "20180305T020000"))
	old := releasesJSON(t, wh)[0].ID
	inbox := smallInboxWithout(t) // every delivery: the first run's and those it lacked
	code, stdout, stderr := runArgs("run", "--warehouse", wh, "--key-file", key, "--inbox", inbox, "--allow-synthetic-ids",
		"--hold-change-share", "0.01", "--hold-change-persons", "1")
	if code != 0 || !strings.Contains(stdout, "is HELD by") || !strings.Contains(stdout, "kommune figures move by more than 1 %") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "What changes from "+old) || !strings.Contains(stdout, "preliminary → final") {
		t.Errorf("the run does not print the diff against the release:\n%s", stdout)
	}
	rs := releasesJSON(t, wh)
	if len(rs) != 2 || rs[0].Status != "held" || len(rs[0].Warnings) == 0 || rs[1].Status != "current" {
		t.Fatalf("releases = %+v, want a held candidate above the current release", rs)
	}
	cand := rs[0].ID
	_, runs, _ := runArgs("runs", "--warehouse", wh)
	if !strings.Contains(runs, "held") || !strings.Contains(runs, "waiting   "+cand+" HELD") {
		t.Errorf("runs does not show the held build:\n%s", runs)
	}
	// The small cases were delivered in 2018: every source is overdue,
	// NIR's newest delivery extracted on 28.02.2018.
	if !strings.Contains(runs, "nir        2018-02-28 ") || !strings.Contains(runs, "31d      OVERDUE") || strings.Contains(runs, " fresh") {
		t.Errorf("runs does not show the sources' freshness:\n%s", runs)
	}
	if _, fresh, _ := runArgs("runs", "--warehouse", wh, "--cadence", "nir=100000d"); !strings.Contains(fresh, "100000d  fresh") {
		t.Errorf("runs --cadence nir=100000d does not make NIR fresh:\n%s", fresh)
	}
	if code, _, stderr := runArgs("runs", "--warehouse", wh, "--cadence", "nix=1d"); code != 2 || !strings.Contains(stderr, "--cadence") {
		t.Errorf("runs --cadence nix=1d: exit %d %s", code, stderr)
	}

	_, text, _ := runArgs("diff", "--warehouse", wh)
	for _, want := range []string{"What changes from " + old + " to " + cand, "WARNING (holds the candidate)", "preliminary → final"} {
		if !strings.Contains(text, want) {
			t.Errorf("diff lacks %q:\n%s", want, text)
		}
	}
	// The diff in csv names every changed cell; a suppressed side is empty,
	// and every value it prints is one the published marts show.
	code, csvText, stderr := runArgs("diff", "--warehouse", wh, old, cand, "--format", "csv")
	if code != 0 {
		t.Fatalf("diff --format csv: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(csvText), "\n")
	if len(lines) < 2 || lines[0] != "kind,indikator,aar,niva,region,region_navn,fra,til,endelig" {
		t.Fatalf("diff --format csv:\n%s", csvText)
	}
	published := publishedValues(t, wh, old, cand)
	finals := 0
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if f[8] == "true" {
			finals++
		}
		for i, v := range f[6:8] {
			if v == "" {
				continue
			}
			k := []string{old, cand}[i] + "|" + strings.Join(f[1:5], "|")
			if !published[k+"|"+v] {
				t.Errorf("diff prints %s for %s, which the published mart does not show", v, k)
			}
		}
		if f[0] == "suppressed" && f[7] != "" || f[0] == "shown" && f[6] != "" {
			t.Errorf("diff prints a suppressed value: %s", l)
		}
	}
	if finals == 0 {
		t.Errorf("diff --format csv names no preliminary → final:\n%s", csvText)
	}
	var js struct {
		Warnings []string `json:"advarsler"`
		Changes  []struct {
			Indikator string
			Antall    map[string]int
		} `json:"endringer"`
	}
	_, jsText, _ := runArgs("diff", "--warehouse", wh, "--format", "json")
	if err := json.Unmarshal([]byte(jsText), &js); err != nil || len(js.Warnings) == 0 || len(js.Changes) == 0 {
		t.Errorf("diff --format json (%v):\n%s", err, jsText)
	}

	if code, _, stderr := runArgs("release", "--warehouse", wh); code != 1 || !strings.Contains(stderr, "held by its checks") {
		t.Errorf("release without a name: exit %d, %s; want the held candidate refused", code, stderr)
	}
	if code, stdout, stderr := runArgs("release", "--warehouse", wh, cand, "--by", "statistiker"); code != 0 || !strings.Contains(stdout, "released "+cand) {
		t.Errorf("release %s: exit %d\n%s%s", cand, code, stdout, stderr)
	}
}

// publishedValues reads the indikator tables of the named publications'
// published marts as "id|indikator|aar|niva|region|value" keys, with the
// value written as the diff writes it.
func publishedValues(t *testing.T, wh string, ids ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, id := range ids {
		db, err := sql.Open("duckdb", filepath.Join(wh, "publications", id, "publisert.duckdb")+"?access_mode=read_only")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(`SELECT indikator, aar, niva, region, verdi FROM indikator WHERE verdi IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ind, niva, region string
			var aar int
			var v float64
			if err := rows.Scan(&ind, &aar, &niva, &region, &v); err != nil {
				t.Fatal(err)
			}
			out[fmt.Sprintf("%s|%s|%d|%s|%s|%s", id, ind, aar, niva, region, strconv.FormatFloat(v, 'g', 6, 64))] = true
		}
		rows.Close()
		db.Close()
	}
	return out
}

// TestScheduleListsComingReleases checks that integstat schedule --list
// shows the release calendar's next times, soonest first.
func TestScheduleListsComingReleases(t *testing.T) {
	conf := writeFile(t, t.TempDir(), "s.conf", "[nir-final]\nkind = release\nat = 0 8 10 3 *\nnote = NIR final\n[bos]\nkind = release\nat = 0 8 5 * *\nnote = settlement\n")
	code, out, stderr := runArgs("schedule", "--schedule", conf, "--list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, coming, ok := strings.Cut(out, "Coming releases (Europe/Oslo)\n")
	lines := strings.Split(strings.TrimSpace(coming), "\n")
	if !ok || len(lines) != 6 || strings.Count(coming, "NIR final") != 3 || strings.Count(coming, "settlement") != 3 {
		t.Fatalf("--list:\n%s", out)
	}
	if !slices.IsSorted(lines) || !strings.Contains(coming, "-03-10 08:00:00 CET") {
		t.Errorf("coming releases not soonest first, or not at the announced time:\n%s", coming)
	}
}
