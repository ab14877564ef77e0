package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"integstat/internal/testkit"
)

// TestExtractResearch runs extract-research from the command line on the
// small cases: a delivered extract, a bad project file refused naming the
// problem, and both shown by `integstat runs`.
func TestExtractResearch(t *testing.T) {
	dir := t.TempDir()
	wh, key := filepath.Join(dir, "wh"), filepath.Join(dir, "key")
	if code, _, stderr := runArgs("keygen", key); code != 0 {
		t.Fatal(stderr)
	}
	inbox := testkit.SmallInbox()
	if code, _, stderr := runArgs("ingest", "--inbox", inbox, "--warehouse", wh, "--key-file", key, "--allow-synthetic-ids"); code != 0 {
		t.Fatal(stderr)
	}
	text := `{"project": "CLI-1", "approval": "REK 2026/9", "approved_by": "REK vest", "valid_from": "2020-01-01", "valid_to": "2999-12-31", "population": {"sources": ["nir"], "years": [2016, 2017]},
  "tables": [{"table": "nir_introprogram", "variables": ["kommunenummer", "vedtak_dato", "avslutning"]}],
  "quasi_identifiers": [{"variable": "kommunenummer"}, {"variable": "vedtak_dato"}],
  "k": 2, "max_suppression": 0.2, "formats": ["csv"]}`
	proj := writeFile(t, dir, "project.json", text)
	out := filepath.Join(dir, "out")
	t.Setenv("INTEGSTAT_KEY_FILE", key)
	// Not registered yet: refused.
	if code, _, stderr := runArgs("extract-research", "--project", proj, "--warehouse", wh, "--out", out); code != 1 || !strings.Contains(stderr, "CLI-1 is not registered") {
		t.Errorf("unregistered project: exit %d, %s", code, stderr)
	}
	code, stdout, stderr := runArgs("research", "register", "--project", proj, "--warehouse", wh)
	if code != 0 || !strings.Contains(stdout, "project CLI-1 registered as") {
		t.Fatalf("register: exit %d, %s%s", code, stdout, stderr)
	}
	if code, _, stderr := runArgs("research", "register", "--project", proj, "--warehouse", wh); code != 1 || !strings.Contains(stderr, "registered already") {
		t.Errorf("registering twice: exit %d, %s", code, stderr)
	}
	code, stdout, stderr = runArgs("extract-research", "--project", proj, "--warehouse", wh, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"project CLI-1", "nir_introprogram", "generalised to"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"nir_introprogram.csv", "codebook.md", "codebook.json", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// The same directory again: refused, nothing overwritten.
	if code, _, stderr := runArgs("extract-research", "--project", proj, "--warehouse", wh, "--out", out); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("extract into a used directory: exit %d, %s", code, stderr)
	}

	bad := writeFile(t, dir, "bad.json", strings.Replace(text, `"k": 2`, `"k": 2, "kay": 3`, 1))
	code, _, stderr = runArgs("extract-research", "--project", bad, "--warehouse", wh, "--out", filepath.Join(dir, "out2"))
	if code != 1 || !strings.Contains(stderr, bad+": line 4") || !strings.Contains(stderr, `unknown field "kay"`) {
		t.Errorf("bad project file: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runArgs("extract-research", "--project", proj, "--warehouse", wh); code != 2 || !strings.Contains(stderr, "--out") {
		t.Errorf("without --out: exit %d, %s", code, stderr)
	}

	code, stdout, _ = runArgs("runs", "--warehouse", wh)
	if code != 0 || !strings.Contains(stdout, "Research extracts") || !strings.Contains(stdout, "CLI-1") || !strings.Contains(stdout, "nir_introprogram.csv") ||
		!strings.Contains(stdout, "nir_introprogram.kommunenummer") || !strings.Contains(stdout, "is not registered") {
		t.Errorf("runs does not show the extract:\n%s", stdout)
	}
}
