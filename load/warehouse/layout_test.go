package warehouse

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"integstat/extract/contract"
	"integstat/transform/pseudo"
	"integstat/transform/store"
)

// writePart writes one row of settlement requests as delivery id's
// partition with package store's writer; closed false leaves the writer
// as a crash would (a temporary file only). It returns the file's path.
func writePart(t *testing.T, w *Warehouse, id string, closed bool) string {
	t.Helper()
	tb, _ := contract.Lookup("bosetting", "anmodninger")
	pw, err := store.Create(w.Parquet(), tb.Source, tb.Name, id, store.DictSchema(tb, nil), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := store.NewDictBuilder(tb, 1, nil)
	defer b.Release()
	if err := b.AppendParsed([]string{"2018", "0301", "10", "", "", ""}, nil, "", id, 2); err != nil {
		t.Fatal(err)
	}
	rec := b.Flush()
	defer rec.Release()
	if err := pw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if !closed {
		t.Cleanup(pw.Abort)
		return ""
	}
	info, err := pw.Close()
	if err != nil {
		t.Fatal(err)
	}
	return info.Path
}

// TestPartitionPaths: the readers' names for the Parquet partitions find
// what package store's writer wrote, in the order asked, and never a
// crashed writer's temporary file.
func TestPartitionPaths(t *testing.T) {
	w, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if fs, err := w.PartFiles("bosetting", "anmodninger", []string{"20180101T020000"}); err != nil || fs != nil {
		t.Fatalf("PartFiles of a table never written = %q, %v; want none", fs, err)
	}
	jan := writePart(t, w, "20180101T020000", true)
	feb := writePart(t, w, "20180201T020000", true)
	writePart(t, w, "20180301T020000", false)
	for _, p := range []string{jan, feb} {
		if !strings.HasPrefix(p, w.Parquet()+string(filepath.Separator)) {
			t.Errorf("%s is not under %s", p, w.Parquet())
		}
	}

	got, err := w.PartFiles("bosetting", "anmodninger", []string{"20180201T020000", "20180301T020000", "19990101T000000", "20180101T020000"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{feb, jan}; !slices.Equal(got, want) {
		t.Errorf("PartFiles = %q, want %q (in the order asked, no crashed or missing delivery)", got, want)
	}
	ps, err := w.Partitions("bosetting", "anmodninger")
	if err != nil || len(ps) != 2 || ps[0].DeliveryID != "20180101T020000" || ps[1].DeliveryID != "20180201T020000" {
		t.Errorf("Partitions = %+v, %v; want January and February", ps, err)
	}
	for _, c := range []struct {
		source, table, id string
		want              []string
	}{
		{"*", "*", "*", []string{jan, feb}},
		{"bosetting", "anmodninger", "20180201T020000", []string{feb}},
		{"bosetting", "anmodninger", "20180301T020000", nil},
		{"nir", "*", "*", nil},
	} {
		m, err := filepath.Glob(w.PartitionGlob(c.source, c.table, c.id))
		if err != nil || !slices.Equal(m, c.want) {
			t.Errorf("PartitionGlob(%s, %s, %s) matches %q, %v; want %q", c.source, c.table, c.id, m, err, c.want)
		}
	}

	q := w.QuarantineFile("nir", "20180101T020000", "timer.csv")
	if want := filepath.Join(w.Restricted(), "quarantine", "nir", "20180101T020000", "timer.csv.quarantine.csv"); q != want {
		t.Errorf("QuarantineFile = %s, want %s", q, want)
	}
	for _, p := range []string{w.Ledger(), w.Watermark("tolk"), w.Tmp(), w.PersonMerges(), w.IndicatorHistory(), w.ResearchPolicy()} {
		if filepath.Dir(p) != w.State() {
			t.Errorf("%s is not in the state directory", p)
		}
	}
	if _, err := os.Stat(w.Ledger()); err != nil {
		t.Errorf("the open ledger is not at Ledger(): %v", err)
	}
}

// TestMerges: person merges written are read back in order, a warehouse
// that never merged has none, and the file keeps the format earlier
// warehouses hold (a header, then old,new).
func TestMerges(t *testing.T) {
	w, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if ms, err := w.ReadMerges(); err != nil || ms != nil {
		t.Fatalf("ReadMerges before any merge = %v, %v; want none", ms, err)
	}
	ms := []pseudo.Merge{{Old: "p1aa", New: "p2bb"}, {Old: "p3cc", New: "p2bb"}}
	if err := w.WriteMerges(ms); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(w.PersonMerges())
	if err != nil {
		t.Fatal(err)
	}
	if want := "old,new\np1aa,p2bb\np3cc,p2bb\n"; string(b) != want {
		t.Errorf("file holds %q, want %q", b, want)
	}
	got, err := w.ReadMerges()
	if err != nil || !reflect.DeepEqual(got, ms) {
		t.Errorf("ReadMerges = %v, %v; want %v", got, err, ms)
	}
	// A later write replaces the file whole.
	if err := w.WriteMerges(ms[:1]); err != nil {
		t.Fatal(err)
	}
	if got, err := w.ReadMerges(); err != nil || !reflect.DeepEqual(got, ms[:1]) {
		t.Errorf("after a second write ReadMerges = %v, %v; want %v", got, err, ms[:1])
	}
	if err := os.WriteFile(w.PersonMerges(), []byte("old,new\na,b,c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ReadMerges(); err == nil {
		t.Error("ReadMerges accepted a line of three fields")
	}
}
