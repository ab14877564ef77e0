package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"integstat/demo"
	"integstat/extract/delivery"
	"integstat/internal/testkit/ingesttest"
	"integstat/pipeline"
)

// TestScale copies a small NIR delivery three times and ingests both: the
// copy must verify against its manifest and load three times the rows of
// the original, with three times its quarantine, so every copy's numbers
// and vedtak ids are new (no duplicate keys across copies) and its faults
// are kept.
func TestScale(t *testing.T) {
	set := t.TempDir()
	if _, err := demo.Generate(context.Background(), demo.Options{Out: set, Seed: 5, Scale: 0.02, BadRate: 0.01}); err != nil {
		t.Fatal(err)
	}
	const id = "20180228T230000"
	from := filepath.Join(set, "inbox", "nir", id)
	out := t.TempDir()
	to := filepath.Join(out, "nir", id)
	rows, err := scale(from, to, 3)
	if err != nil {
		t.Fatal(err)
	}
	m, err := delivery.Verify(to)
	if err != nil {
		t.Fatalf("the copy does not verify: %v", err)
	}
	orig, err := delivery.ReadManifest(from)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for i, f := range orig.Files {
		if m.Files[i].Rows != 3*f.Rows {
			t.Errorf("%s: %d rows, want 3 × %d", f.Name, m.Files[i].Rows, f.Rows)
		}
		want += 3 * f.Rows
	}
	if rows != want {
		t.Errorf("scale says %d rows, the manifest %d", rows, want)
	}
	one := ingest(t, filepath.Join(set, "inbox", "nir", id))
	three := ingest(t, to)
	if three.Rows != 3*one.Rows || three.Quarantined != 3*one.Quarantined {
		t.Errorf("copy: %d rows, %d quarantined; want 3 × (%d, %d)", three.Rows, three.Quarantined, one.Rows, one.Quarantined)
	}
}

// ingest loads the one delivery in dir into a new warehouse.
func ingest(t *testing.T, dir string) *pipeline.IngestSummary {
	t.Helper()
	inbox := t.TempDir()
	if err := os.MkdirAll(filepath.Join(inbox, "nir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(inbox, "nir", filepath.Base(dir))); err != nil {
		t.Fatal(err)
	}
	wh, key := ingesttest.Warehouse(t, t.TempDir())
	sum, err := pipeline.Ingest(context.Background(), pipeline.IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true})
	if err != nil || sum.Loaded != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	return sum
}
