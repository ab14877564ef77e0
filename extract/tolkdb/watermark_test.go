package tolkdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/extract/delivery"
)

// TestFileWatermark checks that a missing file is the zero watermark, that
// a saved time loads back exactly and replaces the old one leaving no
// temporary file, and that a damaged file is an error naming it.
func TestFileWatermark(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "tolk.watermark")
	wm := FileWatermark(path)
	if got, err := wm.Load(ctx); err != nil || !got.IsZero() {
		t.Fatalf("Load with no file = %v, %v; want the zero time", got, err)
	}
	for _, want := range []time.Time{
		time.Date(2017, 11, 30, 14, 5, 9, 250_000_000, delivery.Oslo),
		time.Date(2018, 3, 25, 3, 0, 0, 1000, delivery.Oslo),
	} {
		if err := wm.Save(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := wm.Load(ctx)
		if err != nil || !got.Equal(want) {
			t.Errorf("Load = %v, %v; want %v", got, err, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory after saving, want only the watermark", len(entries))
	}

	if err := os.WriteFile(path, []byte("30.11.2017\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := wm.Load(ctx); err == nil || !strings.Contains(err.Error(), path+":1:") {
		t.Errorf("Load of a damaged file: err = %v, want one naming %s:1", err, path)
	}
	if err := FileWatermark(filepath.Join(dir, "missing", "wm")).Save(ctx, time.Now()); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
}

// TestRun checks that Run saves the watermark only after a successful
// write, reads incrementally from a saved watermark, and reads everything
// again with Options.Full.
func TestRun(t *testing.T) {
	t.Parallel()
	dsn, conn := register(t)
	ctx := context.Background()
	wm := FileWatermark(filepath.Join(t.TempDir(), "tolk.watermark"))
	s, _ := newSource(t, dsn, Options{})

	var got *Batch
	keep := func(_ context.Context, b *Batch) error { got = b; return nil }
	diskFull := errors.New("disk full")
	if err := Run(ctx, s, wm, func(context.Context, *Batch) error { return diskFull }); !errors.Is(err, diskFull) {
		t.Fatalf("Run with a failing write: err = %v, want the write's error", err)
	}
	if saved, err := wm.Load(ctx); err != nil || !saved.IsZero() {
		t.Fatalf("watermark after a failed write = %v, %v; want none saved", saved, err)
	}

	if err := Run(ctx, s, wm, keep); err != nil {
		t.Fatal(err)
	}
	if !got.Full || len(got.Tolk) != len(fixtureTolk) {
		t.Errorf("first run: Full %v with %d tolk rows, want the whole register", got.Full, len(got.Tolk))
	}
	if saved, err := wm.Load(ctx); err != nil || !saved.Equal(fixtureWatermark) {
		t.Fatalf("watermark after a written batch = %v, %v; want %v", saved, err, fixtureWatermark)
	}

	exec(t, conn, `UPDATE tolk SET bostedskommune = '5001', endret_tidspunkt = '2018-01-02 03:04:05' WHERE tolk_id = 3`)
	if err := Run(ctx, s, wm, keep); err != nil {
		t.Fatal(err)
	}
	if got.Full || len(got.Tolk) != 1 || got.Tolk[0][0] != "3" || len(got.Sprak) != 0 {
		t.Errorf("incremental run: Full %v, %d tolk, %d tolk_sprak rows; want tolk_id 3 alone", got.Full, len(got.Tolk), len(got.Sprak))
	}
	moved := time.Date(2018, 1, 2, 3, 4, 5, 0, delivery.Oslo)
	if saved, _ := wm.Load(ctx); !saved.Equal(moved) {
		t.Errorf("watermark = %v, want %v", saved, moved)
	}

	full, _ := newSource(t, dsn, Options{Full: true})
	if err := Run(ctx, full, wm, keep); err != nil {
		t.Fatal(err)
	}
	if !got.Full || len(got.Tolk) != len(fixtureTolk) || len(got.Sprak) != len(fixtureSprak) {
		t.Errorf("full refresh: Full %v, %d tolk, %d tolk_sprak rows; want the whole register", got.Full, len(got.Tolk), len(got.Sprak))
	}
}
