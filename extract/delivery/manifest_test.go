package delivery

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestDeliveryID(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2018, 3, 1, 1, 0, 0, 0, time.UTC), "20180301T020000"},                  // winter, +01:00
		{time.Date(2018, 7, 1, 0, 30, 15, 999, time.UTC), "20180701T023015"},              // summer, +02:00
		{time.Date(2018, 12, 31, 23, 59, 59, 0, Oslo), "20181231T235959"},                 // already in Oslo
		{time.Date(2017, 12, 31, 23, 0, 0, 0, time.UTC), "20180101T000000"},               // the year turns in Oslo first
		{time.Date(2018, 3, 1, 2, 0, 0, 0, time.FixedZone("x", 3600)), "20180301T020000"}, // offset given
	}
	for _, tt := range tests {
		if got := DeliveryID(tt.t); got != tt.want {
			t.Errorf("DeliveryID(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestParseDeliveryID(t *testing.T) {
	got, err := ParseDeliveryID("20180301T020000")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2018, 3, 1, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("ParseDeliveryID = %v, want %v", got, want)
	}
	for _, bad := range []string{
		"", "2018-03-01", "20180301T0200", "20180301 020000", "20180230T000000",
		"20180325T023000", // 02:30 does not exist in Oslo on the day summer time starts
		"20180301T020000Z",
	} {
		if _, err := ParseDeliveryID(bad); err == nil {
			t.Errorf("ParseDeliveryID(%q) accepted", bad)
		}
	}
}

func TestManifestWriteRead(t *testing.T) {
	dir := t.TempDir()
	m := Manifest{
		Source: "nir", DeliveryID: "20180301T020000", ExtractedAt: "2018-03-01T02:00:00+01:00",
		Files: []File{{Name: "personer.csv", Rows: 52311, SHA256: "ab"}},
	}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{
  "source": "nir",
  "delivery_id": "20180301T020000",
  "extracted_at": "2018-03-01T02:00:00+01:00",
  "files": [
    {
      "name": "personer.csv",
      "rows": 52311,
      "sha256": "ab"
    }
  ]
}
`
	if string(data) != want {
		t.Errorf("manifest.json =\n%s\nwant\n%s", data, want)
	}
	got, err := ReadManifest(dir)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Errorf("ReadManifest = %+v, %v; want %+v", got, err, m)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only manifest.json (no temp files)", len(entries))
	}
}

func TestReadManifestErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadManifest(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing manifest: err = %v, want os.ErrNotExist", err)
	}
	for _, bad := range []string{`{"source": "nir",`, `{"source": 5}`, `{} {}`, `{"files": [{"rows": "12"}]}`} {
		if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadManifest(dir); err == nil {
			t.Errorf("ReadManifest accepted %q", bad)
		}
	}
}

func TestFileWriter(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(dir, "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("x;y\n1;2\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Error("file visible under its final name before Close")
	}
	f.SetRows(1)
	entry, err := f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// sha256 of "x;y\n1;2\n", computed with sha256sum.
	want := File{Name: "a.csv", Rows: 1, SHA256: "7615087195922980c3442c90afedbb0955cbc604e94191594e4d19d2aad1b3a9"}
	if entry != want {
		t.Errorf("entry = %+v, want %+v", entry, want)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "a.csv")); err != nil || string(data) != "x;y\n1;2\n" {
		t.Errorf("file content %q, %v", data, err)
	}
	f.Abort() // after Close: no effect
	if _, err := os.Stat(filepath.Join(dir, "a.csv")); err != nil {
		t.Errorf("Abort after Close removed the file: %v", err)
	}

	g, err := Create(dir, "b.csv")
	if err != nil {
		t.Fatal(err)
	}
	g.Write([]byte("partial"))
	g.Abort()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("after Abort the directory holds %d entries, want 1", len(entries))
	}
	for _, bad := range []string{"", "..", "../x.csv", "sub/x.csv"} {
		if _, err := Create(dir, bad); err == nil {
			t.Errorf("Create(%q) accepted", bad)
		}
	}
}
