package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// asMainEnv makes the test binary play integstat: its arguments are
// integstat's, so tests can start real processes (serve, release).
const asMainEnv = "INTEGSTAT_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// integstatProcess starts integstat with args as a process of its own.
func integstatProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	return cmd
}

// copyInbox copies the small cases' deliveries into a fresh inbox, leaving
// out those whose source/id is in skip.
func copyInbox(t *testing.T, dst string, skip ...string) {
	t.Helper()
	src := filepath.Join("..", "..", "testdata", "smallcases", "inbox")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		for _, s := range skip {
			if rel == s {
				return filepath.SkipDir
			}
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// startServe starts integstat serve on a free loopback port and returns
// its base URL; the process is stopped when the test ends.
func startServe(t *testing.T, wh string) string {
	t.Helper()
	cmd := integstatProcess(t, "serve", "--warehouse", wh, "--addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("serve said nothing: %v", err)
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
	dir := t.TempDir()
	wh, key := newKeyedWarehouse(t, dir)
	inbox := filepath.Join(dir, "inbox")
	copyInbox(t, inbox, filepath.Join("nir", "20180228T020000"), filepath.Join("nir", "20180305T020000"))
	code, stdout, stderr := runArgs("run", "--warehouse", wh, "--key-file", key, "--inbox", inbox, "--allow-synthetic-ids")
	if code != 0 || !strings.Contains(stdout, "run: released ") {
		t.Fatalf("first run (auto): exit %d\n%s\n%s", code, stdout, stderr)
	}
	first := releasesJSON(t, wh)
	if len(first) != 1 || first[0].Status != "current" || first[0].By != "auto" {
		t.Fatalf("after an auto run releases = %+v, want one current release by auto", first)
	}
	old := first[0].ID

	base := startServe(t, wh)
	if got, err := servedPublication(base); err != nil || got != old {
		t.Fatalf("serve answers from %q (%v), want %s", got, err, old)
	}

	copyInbox(t, inbox)
	code, stdout, stderr = runArgs("run", "--warehouse", wh, "--key-file", key, "--inbox", inbox, "--allow-synthetic-ids", "--release", "manual")
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

	rel := integstatProcess(t, "release", "--warehouse", wh, "--by", "statistiker", "--note", "NIR february figures checked")
	if out, err := rel.CombinedOutput(); err != nil || !strings.Contains(string(out), "released "+cand) {
		t.Fatalf("integstat release: %v\n%s", err, out)
	}
	waitServed(cand)
	back := integstatProcess(t, "release", "--warehouse", wh, "--rollback", old, "--note", "wrong figures")
	if out, err := back.CombinedOutput(); err != nil || !strings.Contains(string(out), "rolled back to "+old) {
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
