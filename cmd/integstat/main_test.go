package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"integstat/load/warehouse"
)

func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// writeFile writes text to the file name in dir, a test's input, and
// returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := runArgs("help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for name := range commands {
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("help does not list %s:\n%s", name, out)
		}
	}
	for _, want := range []string{"generate", "figures"} {
		if _, ok := commands[want]; !ok {
			t.Errorf("no command %s", want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nonsense"}, "unknown command"},
		{[]string{"generate"}, "--out is required"},
		{[]string{"generate", "--out", "x", "--scale", "zero"}, "invalid value"},
		{[]string{"figures"}, "--inbox is required"},
	} {
		code, _, errOut := runArgs(tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestGenerateSmall(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "set")
	code, out, errOut := runArgs("generate", "--out", dir, "--scale", "0.02", "--seed", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"wrote 20 deliveries", "rows/s", "peak memory", "answer-key/faults.csv"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", "nir", "20180228T230000", "timer.csv")); err != nil {
		t.Error(err)
	}
	// A second run into the same place is refused, leaving it as it was.
	code, _, errOut = runArgs("generate", "--out", dir, "--scale", "0.02")
	if code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("second generate: exit %d, %q", code, errOut)
	}
}

func TestIngestNeedsKey(t *testing.T) {
	t.Setenv("INTEGSTAT_KEY_FILE", "")
	code, _, errOut := runArgs("ingest", "--inbox", t.TempDir(), "--warehouse", t.TempDir())
	if code != 2 || !strings.Contains(errOut, "key") {
		t.Errorf("ingest without a key: exit %d, %q", code, errOut)
	}
	code, _, errOut = runArgs("ingest", "--inbox", t.TempDir())
	if code != 2 || !strings.Contains(errOut, "--warehouse") {
		t.Errorf("ingest without a warehouse: exit %d, %q", code, errOut)
	}
}

func TestRunsShowsTheLedger(t *testing.T) {
	dir := t.TempDir()
	wh, err := warehouse.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Record(context.Background(), warehouse.DeliveryLoad{Source: "tolk", ID: "20171231T230000", Digest: "d", KeyID: "k123",
		Tables: []warehouse.TableLoad{{Table: "tolk", Read: 7, Loaded: 6, Quarantine: 1}}}); err != nil {
		t.Fatal(err)
	}
	wh.Event(context.Background(), "nir", "20180101T000000", "reject", "manifest.json missing")
	for _, e := range []warehouse.Extract{
		{Project: "P1", Approval: "REK 1", SpecHash: "aaaa", KeyID: "k1", DataState: "nir 20180228T020000",
			Rows: 42, Suppressed: 3, Outcome: "delivered", OutDir: "/out/p1",
			Checksums: map[string]string{"nir_personer.csv": "c1", "manifest.json": "c2"}, Registration: "r1", QIUnion: "nir_personer.kjonn, nir_personer.fodselsaar"},
		{Project: "P2", Approval: "REK 2", SpecHash: "bbbb", KeyID: "k2", DataState: "nir 20180228T020000",
			Outcome: "refused", Detail: "k = 5 cannot be met", Checksums: map[string]string{}},
	} {
		if err := wh.RecordExtract(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	wh.Close()
	code, out, errOut := runArgs("runs", "--warehouse", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"20171231T230000", "k123", "reject", "manifest.json missing",
		"Research extracts", "P1", "REK 1", "delivered", "c2  manifest.json\n    c1  nir_personer.csv", "refused", "k = 5 cannot be met",
		"registration r1; k checked over the project's quasi-identifiers nir_personer.kjonn, nir_personer.fodselsaar",
		"Scheduled job runs (newest first)", "Deliveries not loaded (newest first)"} {
		if !strings.Contains(out, want) {
			t.Errorf("runs output lacks %q:\n%s", want, out)
		}
	}
}

// newKeyedWarehouse makes a warehouse directory under dir with a key made
// by integstat keygen in its restricted area, and returns both paths.
func newKeyedWarehouse(t *testing.T, dir string) (wh, key string) {
	t.Helper()
	wh = filepath.Join(dir, "wh")
	if err := os.MkdirAll(filepath.Join(wh, "restricted"), 0o700); err != nil {
		t.Fatal(err)
	}
	key = filepath.Join(wh, "restricted", "key")
	if code, _, stderr := runArgs("keygen", key); code != 0 {
		t.Fatal(stderr)
	}
	return wh, key
}
