package delivery

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeDelivery writes a small, valid nir-style delivery under
// <tmp>/inbox/<source>/<id> with a CSV whose records span more physical
// lines than they number, and a gzipped JSONL file. It returns the directory.
func writeDelivery(t *testing.T, source string) string {
	t.Helper()
	extracted := time.Date(2018, 3, 1, 2, 0, 0, 0, Oslo)
	dir := filepath.Join(t.TempDir(), "inbox", source, DeliveryID(extracted))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	m := Manifest{Source: source, DeliveryID: DeliveryID(extracted), ExtractedAt: extracted.Format(time.RFC3339)}

	f, err := Create(dir, "personer.csv")
	if err != nil {
		t.Fatal(err)
	}
	f.SetRows(writeCSV(t, f, []string{"fnr", "adresse"}, [][]string{
		{"01017012345", "Storgata 1\nOppgang B"},
		{"02028054321", ""},
		{"03039098765", "Vei 2;\n\n3. etg"},
	}, CSVOptions{BOM: true, CRLF: true}))
	entry, err := f.Close()
	if err != nil {
		t.Fatal(err)
	}
	m.Files = append(m.Files, entry)

	g, err := Create(dir, "personer.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	j := NewJSONLWriter(g, true)
	for _, duf := range []string{"201700000001", "201700000002"} {
		if err := j.Write([]string{"duf", "fnr"}, []any{duf, nil}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	g.SetRows(j.Rows())
	entry, err = g.Close()
	if err != nil {
		t.Fatal(err)
	}
	m.Files = append(m.Files, entry)
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestVerifyGood(t *testing.T) {
	dir := writeDelivery(t, "nir")
	m, err := Verify(dir)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if m.Source != "nir" || len(m.Files) != 2 || m.Files[0].Rows != 3 || m.Files[1].Rows != 2 {
		t.Errorf("manifest = %+v", m)
	}
	// Rows count records: the CSV has more physical data lines than records.
	data, err := os.ReadFile(filepath.Join(dir, "personer.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(data, []byte("\n")) - 1; lines != 6 {
		t.Errorf("fixture has %d physical data lines, want 6 for 3 records", lines)
	}
}

// editManifest rewrites dir's manifest through change.
func editManifest(t *testing.T, dir string, change func(*Manifest)) {
	t.Helper()
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	change(&m)
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestVerifyProblems(t *testing.T) {
	tests := []struct {
		name   string
		source string
		break_ func(t *testing.T, dir string) (want []string)
	}{
		{"missing manifest", "nir", func(t *testing.T, dir string) []string {
			os.Remove(filepath.Join(dir, "manifest.json"))
			return []string{"manifest.json: no such file or directory"}
		}},
		{"missing file", "nir", func(t *testing.T, dir string) []string {
			os.Remove(filepath.Join(dir, "personer.jsonl.gz"))
			return []string{"personer.jsonl.gz: listed in the manifest but missing"}
		}},
		{"wrong row count", "nir", func(t *testing.T, dir string) []string {
			editManifest(t, dir, func(m *Manifest) { m.Files[0].Rows = 6 })
			return []string{"personer.csv: rows: manifest says 6, file has 3"}
		}},
		{"wrong sha256", "nir", func(t *testing.T, dir string) []string {
			path := filepath.Join(dir, "personer.csv")
			old := sha256File(t, path)
			data, _ := os.ReadFile(path)
			data = bytes.Replace(data, []byte("Storgata"), []byte("Storgate"), 1)
			os.WriteFile(path, data, 0o644)
			return []string{"personer.csv: sha256: manifest says " + old + ", file has " + sha256File(t, path)}
		}},
		{"one row more in gzip", "nir", func(t *testing.T, dir string) []string {
			editManifest(t, dir, func(m *Manifest) { m.Files[1].Rows = 1 })
			return []string{"personer.jsonl.gz: rows: manifest says 1, file has 2"}
		}},
		{"directory disagrees", "tolk", func(t *testing.T, dir string) []string {
			editManifest(t, dir, func(m *Manifest) { m.Source = "nir"; m.DeliveryID = "20180301T030000" })
			return []string{
				`manifest.json: source: manifest says "nir", directory says "tolk"`,
				`manifest.json: delivery_id: manifest says "20180301T030000", directory says "20180301T020000"`,
				`manifest.json: extracted_at 2018-03-01T02:00:00+01:00 is delivery id 20180301T020000, manifest says "20180301T030000"`,
			}
		}},
		{"bad names", "nir", func(t *testing.T, dir string) []string {
			editManifest(t, dir, func(m *Manifest) {
				m.Files = append(m.Files, File{Name: "../x.csv"}, m.Files[0])
			})
			return []string{
				`manifest.json: file name "../x.csv": want a plain file name other than manifest.json`,
				"manifest.json: file personer.csv listed twice",
			}
		}},
		{"several at once", "nir", func(t *testing.T, dir string) []string {
			os.Remove(filepath.Join(dir, "personer.jsonl.gz"))
			editManifest(t, dir, func(m *Manifest) { m.Files[0].Rows = 2 })
			return []string{
				"personer.csv: rows: manifest says 2, file has 3",
				"personer.jsonl.gz: listed in the manifest but missing",
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDelivery(t, tt.source)
			want := tt.break_(t, dir)
			_, err := Verify(dir)
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *VerifyError", err)
			}
			if len(ve.Problems) != len(want) {
				t.Errorf("%d problems, want %d:\n%v", len(ve.Problems), len(want), err)
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not report %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestVerifyMalformedRowsStillCount(t *testing.T) {
	// A malformed record is quarantined later, not a reason to reject the
	// delivery: it counts as a row.
	dir := filepath.Join(t.TempDir(), "nir", "20180301T020000")
	os.MkdirAll(dir, 0o755)
	data := []byte("fnr;timer\n0101;7,5\n0202\"x;1\n0303;\"2\n")
	os.WriteFile(filepath.Join(dir, "timer.csv"), data, 0o644)
	sum := sha256.Sum256(data)
	m := Manifest{Source: "nir", DeliveryID: "20180301T020000", ExtractedAt: "2018-03-01T02:00:00+01:00",
		Files: []File{{Name: "timer.csv", Rows: 3, SHA256: hex.EncodeToString(sum[:])}}}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(dir); err != nil {
		t.Errorf("Verify: %v", err)
	}
}
