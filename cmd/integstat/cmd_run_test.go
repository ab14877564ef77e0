package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"integstat/internal/testkit"
)

// TestRunSmallCases runs the main job on the small cases from the command
// line, with settings from a configuration file, and checks its report,
// the ledger's record of the build and that a second run changes nothing.
func TestRunSmallCases(t *testing.T) {
	dir := t.TempDir()
	wh, key := newKeyedWarehouse(t, dir)
	conf := writeFile(t, dir, "integstat.conf", "# test\ninbox = "+testkit.SmallInbox()+"\nallow_synthetic_ids = true\nthreshold = 3\n")
	code, stdout, stderr := runArgs("run", "--warehouse", wh, "--key-file", key, "--config", conf)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"5 deliveries loaded", "1 rejected", "state nir       2018-02-28", "run: released "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	// The ingest's counts come before the build begins, and every data
	// test the publication ran passed.
	if i, j := strings.Index(stdout, "deliveries loaded"), strings.Index(stdout, "[2/3]"); i < 0 || j < 0 || i > j {
		t.Errorf("the ingest's counts do not come before the build:\n%s", stdout)
	}
	if !regexp.MustCompile(`[1-9][0-9]* data tests passed`).MatchString(stdout) {
		t.Errorf("output lacks the data tests passed:\n%s", stdout)
	}
	code, stdout, _ = runArgs("run", "--warehouse", wh, "--config", conf, "--key-file", key)
	if code != 0 || !strings.Contains(stdout, "nothing new") {
		t.Errorf("second run: exit %d:\n%s", code, stdout)
	}
	_, stdout, _ = runArgs("runs", "--warehouse", wh)
	if !strings.Contains(stdout, "released") || !strings.Contains(stdout, "unchanged") {
		t.Errorf("runs does not show the builds:\n%s", stdout)
	}
	// The suppression the build measured, per source and level, once for
	// the publication both builds name.
	_, sup, ok := strings.Cut(stdout, "Suppressed below national level")
	sup, byInd, _ := strings.Cut(sup, "\nSuppressed per indicator")
	byInd, _, _ = strings.Cut(byInd, "\nReleases")
	for _, src := range []string{"bosetting", "nir", "tolk"} {
		for _, lvl := range []string{"kommune", "fylke"} {
			if n := regexp.MustCompile(`(?m)^\S+ +`+src+` +`+lvl+` +\d+ +\d+ +\d+ +\d+ +\d+\.\d%$`).FindAllString(sup, -1); !ok || len(n) != 1 {
				t.Errorf("runs shows %s %s's suppression %d times:\n%s", src, lvl, len(n), stdout)
			}
		}
	}
	// And per indicator: each row's suppressed count adds up to its level's.
	total := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^(\S+) +(\S+) +\S+ +\d+ +(\d+) +\d+ +\d+ +\d+\.\d%$`).FindAllStringSubmatch(byInd, -1) {
		n, _ := strconv.Atoi(m[3])
		total[m[1]+" "+m[2]] += n
	}
	for _, m := range regexp.MustCompile(`(?m)^\S+ +(\S+) +(\S+) +\d+ +(\d+) +\d+ +\d+ +\d+\.\d%$`).FindAllStringSubmatch(sup, -1) {
		if n, _ := strconv.Atoi(m[3]); total[m[1]+" "+m[2]] != n {
			t.Errorf("runs shows %s %s: %d suppressed, its indicators %d:\n%s", m[1], m[2], n, total[m[1]+" "+m[2]], stdout)
		}
	}
	if len(total) == 0 {
		t.Errorf("runs shows no suppression per indicator:\n%s", stdout)
	}
}

// TestRunConfigErrors checks that a bad configuration file stops the run
// with the file, line and problem.
func TestRunConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{"thresold = 3\n", `:1: unknown setting "thresold"`},
		{"# x\nthreshold = many\n", ":2: threshold: "},
		{"keep\n", ":1: want key = value"},
	} {
		conf := writeFile(t, dir, "bad.conf", c.text)
		code, _, stderr := runArgs("run", "--warehouse", filepath.Join(dir, "wh"), "--config", conf)
		if code != 2 || !strings.Contains(stderr, conf+c.want) {
			t.Errorf("%q: exit %d, stderr %q, want %q", c.text, code, stderr, c.want)
		}
	}
}
