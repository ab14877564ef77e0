package files

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"integstat/demo"
	"integstat/extract/delivery"
)

// memRegistry is a Registry in memory, standing in for the warehouse's.
type memRegistry map[string]string

func (r memRegistry) Loaded(source, id string) (string, bool, error) {
	d, ok := r[source+"/"+id]
	return d, ok, nil
}

func (r memRegistry) Newest(source string) (string, error) {
	n := ""
	for k := range r {
		if s, id, _ := strings.Cut(k, "/"); s == source && id > n {
			n = id
		}
	}
	return n, nil
}

// writeDelivery writes a one-file delivery with a correct manifest.
func writeDelivery(t *testing.T, inbox, source, id, content string) string {
	t.Helper()
	dir := filepath.Join(inbox, source, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fw, err := delivery.Create(dir, "tolk.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	fw.SetRows(int64(strings.Count(content, "\n") - 1))
	f, err := fw.Close()
	if err != nil {
		t.Fatal(err)
	}
	at, _ := delivery.ParseDeliveryID(id)
	m := delivery.Manifest{Source: source, DeliveryID: id, ExtractedAt: at.Format("2006-01-02T15:04:05-07:00"), Files: []delivery.File{f}}
	if err := delivery.WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPlan(t *testing.T) {
	inbox := t.TempDir()
	writeDelivery(t, inbox, "tolk", "20161231T230000", "tolk_id\n1\n2\n")
	writeDelivery(t, inbox, "tolk", "20151231T230000", "tolk_id\n1\n")
	writeDelivery(t, inbox, "tolk", "20171231T230000", "tolk_id\n1\n2\n3\n")
	bad := writeDelivery(t, inbox, "tolk", "20180101T230000", "tolk_id\n1\n")
	if err := os.WriteFile(filepath.Join(bad, "tolk.csv"), []byte("tolk_id\n9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Noise that is not a delivery.
	os.WriteFile(filepath.Join(inbox, "tolk", "README"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(inbox, "tolk", "upload.tmp"), 0o755)
	os.MkdirAll(filepath.Join(inbox, "unknown", "20161231T230000"), 0o755)

	// 2016 loaded before with this content, 2017 with other content.
	reg := memRegistry{}
	ds, err := Plan(inbox, reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.ID == "20161231T230000" {
			reg["tolk/"+d.ID] = d.Digest
		}
	}
	reg["tolk/20171231T230000"] = strings.Repeat("0", 64)
	ds, err = Plan(inbox, reg)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id     string
		action Action
		late   bool
	}{
		{"20151231T230000", Load, true},
		{"20161231T230000", Skip, false},
		{"20171231T230000", Refuse, false},
		{"20180101T230000", Reject, false},
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d decisions, want %d: %+v", len(ds), len(want), ds)
	}
	for i, w := range want {
		d := ds[i]
		if d.ID != w.id || d.Action != w.action || d.Late != w.late {
			t.Errorf("decision %d: %s %v late=%v, want %s %v late=%v", i, d.ID, d.Action, d.Late, w.id, w.action, w.late)
		}
	}
	var verr *delivery.VerifyError
	if !errors.As(ds[3].Err, &verr) || !strings.Contains(ds[3].Err.Error(), "tolk.csv") {
		t.Errorf("reject reason %v does not name the file", ds[3].Err)
	}
	if !strings.Contains(ds[2].Err.Error(), "other content") {
		t.Errorf("refusal reason %v", ds[2].Err)
	}
}

func TestDigestIgnoresFileOrder(t *testing.T) {
	a := delivery.Manifest{Source: "nir", DeliveryID: "x", Files: []delivery.File{{Name: "a", Rows: 1, SHA256: "1"}, {Name: "b", Rows: 2, SHA256: "2"}}}
	b := a
	b.Files = []delivery.File{a.Files[1], a.Files[0]}
	if Digest(a) != Digest(b) {
		t.Error("digest depends on the manifest's file order")
	}
	c := a
	c.Files = []delivery.File{{Name: "a", Rows: 1, SHA256: "1"}, {Name: "b", Rows: 3, SHA256: "2"}}
	if Digest(a) == Digest(c) {
		t.Error("digest ignores row counts")
	}
}

// TestDemoSet plans the demo registers: the one delivery the answer key
// names as corrupt is rejected, all others load; loaded once, they are all
// skipped, and the copy of a delivery dropped twice is recognised as such.
func TestDemoSet(t *testing.T) {
	set := t.TempDir()
	if _, err := demo.Generate(context.Background(), demo.Options{Out: set, Seed: 2, Scale: 0.02, BadRate: 0.01}); err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(set, "inbox")
	reg := memRegistry{}
	ds, err := Plan(inbox, reg)
	if err != nil {
		t.Fatal(err)
	}
	rejected := 0
	for _, d := range ds {
		switch d.Action {
		case Reject:
			rejected++
			if d.Source != "bosetting" || d.ID != "20150630T230000" {
				t.Errorf("rejected %s/%s: %v", d.Source, d.ID, d.Err)
			}
		case Load:
			reg[d.Source+"/"+d.ID] = d.Digest
		default:
			t.Errorf("%s/%s: %v on a first run", d.Source, d.ID, d.Action)
		}
	}
	if rejected != 1 || len(reg) != 19 {
		t.Fatalf("%d rejected, %d to load; want 1 and 19", rejected, len(reg))
	}
	ds, err = Plan(inbox, reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Action != Skip && d.Action != Reject {
			t.Errorf("second run: %s/%s %v", d.Source, d.ID, d.Action)
		}
	}
	again, err := Plan(filepath.Join(set, "redrop"), reg)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].Action != Skip {
		t.Errorf("the delivery dropped twice: %+v", again)
	}
}
