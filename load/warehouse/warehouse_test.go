package warehouse

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLedger(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(w.Restricted()); st.Mode().Perm() != 0o700 {
		t.Errorf("restricted area mode %v", st.Mode().Perm())
	}
	if _, ok, _ := w.Loaded("nir", "20171231T230000"); ok {
		t.Fatal("empty ledger says loaded")
	}
	d := DeliveryLoad{Source: "nir", ID: "20171231T230000", Digest: "abc", KeyID: "k1", Extracted: time.Now(),
		Tables: []TableLoad{{"personer", 10, 9, 1}, {"timer", 100, 100, 0}}}
	if err := w.Record(ctx, d); err != nil {
		t.Fatal(err)
	}
	bad := d
	bad.ID = "20180228T230000"
	bad.Tables = []TableLoad{{"timer", 10, 8, 1}}
	if err := w.Record(ctx, bad); err == nil || !strings.Contains(err.Error(), "read 10") {
		t.Errorf("unbalanced counts accepted: %v", err)
	}
	if _, ok, _ := w.Loaded("nir", bad.ID); ok {
		t.Error("a refused record left a delivery behind")
	}
	if err := w.Record(ctx, d); err == nil {
		t.Error("the same delivery recorded twice")
	}
	if err := w.Event(ctx, "nir", "x", "reject", "manifest missing"); err != nil {
		t.Fatal(err)
	}
	w.Close()

	// The ledger is a file: it survives reopening.
	w, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dig, ok, err := w.Loaded("nir", d.ID)
	if err != nil || !ok || dig != "abc" {
		t.Fatalf("after reopen: %q %v %v", dig, ok, err)
	}
	if n, _ := w.Newest("nir"); n != d.ID {
		t.Errorf("newest %q", n)
	}
	loads, err := w.Loads(ctx, "nir", d.ID)
	if err != nil || len(loads) != 2 || loads[0] != d.Tables[0] {
		t.Errorf("loads %+v %v", loads, err)
	}
}

func TestOpenRefusesOpenRestrictedArea(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "restricted"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "restricted"), 0o755)
	_, err := Open(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("open restricted area accepted: %v", err)
	}
}

func TestHistory(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i, id := range []string{"20161231T230000", "20171231T230000"} {
		d := DeliveryLoad{Source: "tolk", ID: id, Digest: id, KeyID: "k", Extracted: time.Now(), Late: i == 0,
			Tables: []TableLoad{{"tolk", 10 + int64(i), 9 + int64(i), 1}, {"tolk_sprak", 5, 5, 0}}}
		if err := w.Record(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Event(ctx, "nir", "20180101T000000", "reject", "manifest.json: missing"); err != nil {
		t.Fatal(err)
	}
	ds, es, err := w.History(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || len(es) != 1 {
		t.Fatalf("%d deliveries, %d events", len(ds), len(es))
	}
	got := map[string]DeliveryRow{ds[0].ID: ds[0], ds[1].ID: ds[1]}
	if d := got["20171231T230000"]; d.Read != 16 || d.Loaded != 15 || d.Quarantined != 1 || d.Late {
		t.Errorf("2017: %+v", d)
	}
	if d := got["20161231T230000"]; d.Read != 15 || !d.Late {
		t.Errorf("2016: %+v", d)
	}
	if es[0].Action != "reject" || es[0].Source != "nir" {
		t.Errorf("event %+v", es[0])
	}
	if ds, _, _ := w.History(ctx, 1); len(ds) != 1 {
		t.Errorf("limit 1 gave %d", len(ds))
	}
}
