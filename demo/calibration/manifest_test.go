package calibration

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Oslo for extracted_at on machines without a zoneinfo database

	"integstat/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the manifests of testdata/smallcases from their files")

// smallCases is the hand-written inbox, shared with the warehouse's tests.
var smallCases = testkit.SmallCases()

// corruptDelivery is the small cases' deliberately corrupt delivery: its
// manifest is 20180228T020000's, while its introprogram.csv has a row more.
const corruptDelivery = "nir/20180305T020000"

// fileEntry is one file of a manifest.
type fileEntry struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	Sha256 string `json:"sha256"`
}

// fullManifest is manifest.json as the source contracts define it.
type fullManifest struct {
	Source      string      `json:"source"`
	DeliveryID  string      `json:"delivery_id"`
	ExtractedAt string      `json:"extracted_at"`
	Files       []fileEntry `json:"files"`
}

// buildManifest computes the manifest of the delivery in dir from its data
// files, counting rows independently of the DuckDB reader: encoding/csv for
// CSV (quoted line breaks are one row), lines for JSON Lines. With lenient,
// a CSV file that does not parse has its lines counted instead, so that
// tests can deliver broken files with a matching manifest.
func buildManifest(dir, source, id string, lenient bool) (fullManifest, error) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return fullManifest{}, err
	}
	at, err := time.ParseInLocation("20060102T150405", id, oslo)
	if err != nil {
		return fullManifest{}, fmt.Errorf("delivery id %s: %w", id, err)
	}
	m := fullManifest{Source: source, DeliveryID: id, ExtractedAt: at.Format(time.RFC3339), Files: []fileEntry{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return m, err
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "manifest.json" {
			continue
		}
		path := filepath.Join(dir, e.Name())
		rows, err := countRows(path)
		if err != nil && lenient {
			rows, err = countLines(path)
		}
		if err != nil {
			return m, fmt.Errorf("%s: %w", path, err)
		}
		sum, err := fileSHA256(path)
		if err != nil {
			return m, err
		}
		m.Files = append(m.Files, fileEntry{Name: e.Name(), Rows: rows, Sha256: sum})
	}
	return m, nil
}

// countRows counts the data rows of a CSV or JSON Lines (.jsonl.gz) file.
func countRows(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if strings.HasSuffix(path, ".jsonl.gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return 0, err
		}
		var n int64
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) != "" {
				n++
			}
		}
		return n, sc.Err()
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	r.Comma = ';'
	var n int64 = -1 // the header
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		n++
	}
}

// countLines counts the lines of a file after its header line.
func countLines(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return int64(bytes.Count(b, []byte("\n"))) - 1, nil
}

// writeManifest writes m as dir/manifest.json.
func writeManifest(dir string, m fullManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644)
}

// deliveries lists "source/id" of every delivery under inbox.
func deliveries(t *testing.T, inbox string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(inbox, "*", "*T*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		rel, err := filepath.Rel(inbox, d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	slices.Sort(out)
	return out
}

// TestSmallCaseManifests checks that every manifest of the small cases
// agrees with its files, and that the corrupt delivery stays corrupt.
// With -update it rewrites them instead.
func TestSmallCaseManifests(t *testing.T) {
	inbox := filepath.Join(smallCases, "inbox")
	all := deliveries(t, inbox)
	if len(all) < 5 {
		t.Fatalf("found %d deliveries in %s, want the small cases' six", len(all), inbox)
	}
	for _, d := range all {
		source, id, _ := strings.Cut(d, "/")
		dir := filepath.Join(inbox, source, id)
		want, err := buildManifest(dir, source, id, false)
		if err != nil {
			t.Fatal(err)
		}
		if d == corruptDelivery {
			// the manifest of the delivery before it, under its own name
			prev, err := buildManifest(filepath.Join(inbox, "nir", "20180228T020000"), source, id, false)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := writeManifest(dir, prev); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := readManifest(dir, source, id); !errors.Is(err, errCorrupt) {
				t.Errorf("%s: readManifest error = %v, want a rejection", d, err)
			}
			continue
		}
		if *update {
			if err := writeManifest(dir, want); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var got fullManifest
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s/manifest.json: %v", d, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s/manifest.json = %+v\nthe files give %+v\n(run go test -run TestSmallCaseManifests -update)", d, got, want)
		}
	}
}
