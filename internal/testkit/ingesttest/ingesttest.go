// Package ingesttest holds what the tests of ingest share below the
// pipeline, so that the pipeline's own tests can use it too: a warehouse
// with a key of its own, and a delivery rewritten with a manifest that
// matches it. The fixture package builds on it.
package ingesttest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"integstat/extract/delivery"
	"integstat/load/warehouse"
	"integstat/transform/pseudo"
)

// Warehouse opens a new warehouse in dir with a new key in its restricted
// area (where integstat keygen's users keep it), and returns both; the
// warehouse is closed when the test ends.
func Warehouse(t testing.TB, dir string) (*warehouse.Warehouse, *pseudo.Key) {
	t.Helper()
	wh, err := warehouse.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	key, err := pseudo.GenerateKeyFile(filepath.Join(wh.Restricted(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	return wh, key
}

// Rewrite writes into the delivery directory dst the files of manifest m,
// read from src and each passed through edit, and a manifest that matches
// them: m with each file's checksum, and its row count changed by the rows
// edit reports it added (negative: removed). dst may be src; edit may
// return its input. It returns the manifest written.
func Rewrite(t testing.TB, src, dst string, m delivery.Manifest, edit func(name string, data []byte) ([]byte, int64)) delivery.Manifest {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	m.Files = slices.Clone(m.Files)
	for i, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(src, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		data, added := edit(f.Name, data)
		m.Files[i].Rows += added
		sum := sha256.Sum256(data)
		m.Files[i].SHA256 = hex.EncodeToString(sum[:])
		if err := os.WriteFile(filepath.Join(dst, f.Name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := delivery.WriteManifest(dst, m); err != nil {
		t.Fatal(err)
	}
	return m
}
