package warehouse

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestExtractLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	logged := []Extract{
		{At: at, Project: "P1", Approval: "REK 1", SpecHash: "aaaa", KeyID: "k1", DataState: "nir 20180228T020000",
			Rows: 42, Suppressed: 3, Outcome: "delivered", OutDir: "/out/p1",
			Checksums: map[string]string{"nir_personer.csv": "c1", "manifest.json": "c2"}, Registration: "r1", QIUnion: "nir_personer.kjonn, nir_personer.fodselsaar"},
		{At: at.Add(time.Hour), Project: "P2", Approval: "REK 2", SpecHash: "bbbb", KeyID: "k2", DataState: "nir 20180228T020000",
			Outcome: "refused", Detail: "k = 5 cannot be met", Checksums: map[string]string{}},
	}
	for _, e := range logged {
		if err := w.RecordExtract(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// The log outlives the process: read it from a reopened ledger.
	w.Close()
	if w, err = Open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	got, err := w.Extracts(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Project != "P2" || got[1].Project != "P1" {
		t.Fatalf("extracts not newest first: %+v", got)
	}
	for i, want := range []Extract{logged[1], logged[0]} {
		g := got[i]
		if !g.At.Equal(want.At) {
			t.Errorf("%s: at %v, want %v", want.Project, g.At, want.At)
		}
		g.At = want.At
		if !reflect.DeepEqual(g, want) {
			t.Errorf("read back\n%+v\nwant\n%+v", g, want)
		}
	}
	if one, err := w.Extracts(ctx, 1); err != nil || len(one) != 1 {
		t.Errorf("limit 1: %d rows, %v", len(one), err)
	}
}
