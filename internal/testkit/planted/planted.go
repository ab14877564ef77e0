// Package planted holds the comparison the project's correctness rests
// on: the rows quarantined from a demo set against the faults the demo
// generator planted in it, as its answer key (answer-key/faults.csv) lists
// them. The validator's test compares what it finds, the pipeline's tests
// what the ingest wrote to the warehouse's quarantine, with one rule.
package planted

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"integstat/demo"
)

// Row is one row quarantined, or planted to be, in the terms the answer
// key and the quarantine files share.
type Row struct {
	Path   string // source/delivery_id/file
	Line   int64  // 1-based line of the file where the record starts
	Column string
	Reason string
}

func (r Row) String() string {
	return fmt.Sprintf("%s:%d %s: %s", r.Path, r.Line, r.Column, r.Reason)
}

// Key reads the answer key of the demo set in dir, by kind of fault
// (quarantine, tolerated, warning, reject, redrop).
func Key(t testing.TB, dir string) map[string][]Row {
	t.Helper()
	faults, err := demo.ReadAnswerKey(demo.AnswerKeyPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]Row{}
	for _, f := range faults {
		out[f.Kind] = append(out[f.Kind], Row{filepath.Join(f.Source, f.DeliveryID, f.File), f.Line, f.Column, f.Reason})
	}
	return out
}

// Quarantine is what the answer key of the demo set in dir says must be
// quarantined: the rows planted for quarantine, less those in the
// deliveries planted to be rejected whole, which load nothing. It fails
// the test when nothing is planted, where no comparison means anything.
func Quarantine(t testing.TB, dir string) map[Row]bool {
	t.Helper()
	key := Key(t, dir)
	rejected := map[string]bool{}
	for _, r := range key["reject"] {
		rejected[filepath.Dir(r.Path)] = true
	}
	want := map[Row]bool{}
	for _, r := range key["quarantine"] {
		if !rejected[filepath.Dir(r.Path)] {
			want[r] = true
		}
	}
	if len(want) == 0 {
		t.Fatalf("the demo set in %s has no fault planted for quarantine", dir)
	}
	return want
}

// Quarantined reads the quarantine files the ingest wrote under dir (a
// warehouse's quarantine area: source/delivery_id/FILE.quarantine.csv).
func Quarantined(t testing.TB, dir string) map[Row]bool {
	t.Helper()
	have := map[Row]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".quarantine.csv") {
			return err
		}
		rel, err := filepath.Rel(dir, filepath.Dir(p))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
		r.Comma = ';'
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if len(recs) == 0 {
			return fmt.Errorf("%s: no header", p)
		}
		for _, q := range recs[1:] { // file;line;column;reason;detail;record
			line, err := strconv.ParseInt(q[1], 10, 64)
			if err != nil {
				return fmt.Errorf("%s: line %q: %w", p, q[1], err)
			}
			have[Row{filepath.Join(rel, q[0]), line, q[2], q[3]}] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return have
}

// Compare fails the test for each row planted and not quarantined, and
// each row quarantined and not planted.
func Compare(t testing.TB, planted, quarantined map[Row]bool) {
	t.Helper()
	for r := range planted {
		if !quarantined[r] {
			t.Errorf("planted, not quarantined: %v", r)
		}
	}
	for r := range quarantined {
		if !planted[r] {
			t.Errorf("quarantined, not planted: %v", r)
		}
	}
}
