package store_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"integstat/extract/contract"
	"integstat/transform/store"
)

// TestCanaryScanSees is the control of the canary scan in TestRoundTrip:
// the same value planted in a column that is kept is found in the bytes,
// so not finding it in a personal column means something.
func TestCanaryScanSees(t *testing.T) {
	tbl, _ := contract.Lookup("nir", "introprogram")
	rows := synth(tbl, 3000, testKey(t), rand.New(rand.NewPCG(1, 1)))
	rows[7].values[tbl.Index("vedtak_id")] = canaryName
	info := writeTable(t, t.TempDir(), tbl, "d1", rows, 700, store.Options{})
	data, err := os.ReadFile(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(canaryName)) {
		t.Fatal("a value planted in a kept column is not found in the file bytes: the canary scan proves nothing")
	}
}

// files lists the names in dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// startWriter opens a writer for timer and writes rows into it without
// closing it.
func startWriter(t *testing.T, root, id string, rows []row) *store.Writer {
	t.Helper()
	tbl, _ := contract.Lookup("nir", "timer")
	w, err := store.Create(root, "nir", "timer", id, store.Schema(tbl), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := store.NewBuilder(tbl, len(rows))
	defer b.Release()
	for _, r := range rows {
		if err := b.Append(r.values, r.person, id, r.line); err != nil {
			t.Fatal(err)
		}
	}
	rec := b.Flush()
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestCrash covers a writer aborted and one never closed (a crash): no
// file is visible, Partitions and DuckDB's glob ignore the temporary file,
// CleanTemp removes it, and a re-run completes the partition.
func TestCrash(t *testing.T) {
	tbl, _ := contract.Lookup("nir", "timer")
	rows := synth(tbl, 500, testKey(t), rand.New(rand.NewPCG(2, 2)))
	root := t.TempDir()
	dir := filepath.Join(root, "nir", "timer", "delivery_id=20180301T020000")

	w := startWriter(t, root, "20180301T020000", rows)
	w.Abort()
	if got := files(t, dir); len(got) != 0 {
		t.Fatalf("after Abort the partition holds %q", got)
	}
	if _, err := w.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}

	_ = startWriter(t, root, "20180301T020000", rows) // crash: never closed
	got := files(t, dir)
	if len(got) != 1 || strings.HasSuffix(got[0], ".parquet") {
		t.Fatalf("a writer never closed left %q; want one temporary file not named *.parquet", got)
	}
	if ps, err := store.Partitions(root, "nir", "timer"); err != nil || len(ps) != 0 {
		t.Fatalf("Partitions = %v, %v; want none", ps, err)
	}

	// A complete earlier delivery stays readable next to the crashed one.
	info := writeTable(t, root, tbl, "20180201T020000", rows[:100], 64, store.Options{})
	schema := store.Schema(tbl)
	if n := len(readDuck(t, root, tbl, schema)); n != 100 {
		t.Errorf("DuckDB reads %d rows beside a crashed writer, want 100", n)
	}

	n, err := store.CleanTemp(root)
	if err != nil || n != 1 {
		t.Fatalf("CleanTemp = %d, %v; want 1, nil", n, err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Fatalf("after CleanTemp the partition holds %q", got)
	}
	if n, err := store.CleanTemp(root); err != nil || n != 0 {
		t.Fatalf("second CleanTemp = %d, %v; want 0, nil", n, err)
	}

	// The re-run finishes the job; a second re-run replaces, not adds.
	writeTable(t, root, tbl, "20180301T020000", rows, 128, store.Options{})
	again := writeTable(t, root, tbl, "20180301T020000", rows, 128, store.Options{})
	ps, err := store.Partitions(root, "nir", "timer")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].DeliveryID != "20180201T020000" || ps[1].DeliveryID != "20180301T020000" ||
		len(ps[0].Files) != 1 || ps[0].Files[0] != info.Path || len(ps[1].Files) != 1 || ps[1].Files[0] != again.Path {
		t.Fatalf("Partitions = %+v", ps)
	}
	if n := len(readDuck(t, root, tbl, schema)); n != 100+len(rows) {
		t.Errorf("DuckDB reads %d rows, want %d", n, 100+len(rows))
	}
}

// TestPartitionsEmpty: a table never written has no partitions, and a
// root that does not exist has no temporary files.
func TestPartitionsEmpty(t *testing.T) {
	root := filepath.Join(t.TempDir(), "none")
	if ps, err := store.Partitions(root, "nir", "timer"); err != nil || ps != nil {
		t.Errorf("Partitions = %v, %v", ps, err)
	}
	if n, err := store.CleanTemp(root); err != nil || n != 0 {
		t.Errorf("CleanTemp = %d, %v", n, err)
	}
}

// TestCreateRefusesBadNames checks that names that would leave the layout
// are refused.
func TestCreateRefusesBadNames(t *testing.T) {
	tbl, _ := contract.Lookup("nir", "timer")
	root := t.TempDir()
	for _, tt := range []struct{ source, table, id string }{
		{"nir", "timer", ""},
		{"nir", "timer", "../x"},
		{"nir", "timer", "a=b"},
		{"..", "timer", "d"},
		{"nir", ".hidden", "d"},
	} {
		if w, err := store.Create(root, tt.source, tt.table, tt.id, store.Schema(tbl), store.Options{}); err == nil {
			w.Abort()
			t.Errorf("Create(%q, %q, %q) succeeded", tt.source, tt.table, tt.id)
		}
	}
}

// TestWriteWrongSchema: a record of another table is refused and the
// file given up.
func TestWriteWrongSchema(t *testing.T) {
	timer, _ := contract.Lookup("nir", "timer")
	sprak, _ := contract.Lookup("tolk", "tolk_sprak")
	root := t.TempDir()
	w, err := store.Create(root, "nir", "timer", "d", store.Schema(timer), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	b := store.NewBuilder(sprak, 4)
	defer b.Release()
	if err := b.Append([]string{"7", "som", "1", "2017-01-01", "", "2017-01-01 10:00:00"}, "", "d", 2); err != nil {
		t.Fatal(err)
	}
	rec := b.Flush()
	defer rec.Release()
	if err := w.Write(rec); err == nil {
		t.Error("Write of a tolk_sprak record into a timer file succeeded")
	}
	if _, err := w.Close(); err == nil {
		t.Error("Close after a failed Write succeeded")
	}
	if got := files(t, filepath.Join(root, "nir", "timer", "delivery_id=d")); len(got) != 0 {
		t.Errorf("a failed Write left %q", got)
	}
}
