package validate

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"integstat/demo"
	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/extract/files"
	"integstat/extract/reference"
	"integstat/internal/testkit/planted"
)

// rows calls fn for every record of tb in dir, values in contract column
// order, as the ingest stage reads them; for a CSV table it also returns the
// header's extra columns.
func rows(t *testing.T, dir string, tb *contract.Table, fn func(line int64, values []string)) (extra []string) {
	t.Helper()
	extra, err := files.EachRow(dir, tb, func(line int64, values []string, _ string, rowErr *delivery.RowError) error {
		if rowErr != nil {
			return rowErr // the demo plants no malformed records
		}
		fn(line, values)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return extra
}

// TestDemoAnswerKey is the decisive test: on a generated demo set with
// planted faults, the row check, run as the ingest runs it (readTable: a
// Reading and its RowCheck, the exact duplicates, CSV files by runs, and a
// second reading when the first missed duplicates), quarantines every row the answer key lists
// for quarantine, for the reason and column it gives; the tolerated rows
// load; the extra column is reported as extra; the deliveries Verify rejects
// are the ones the key says. No other row is quarantined (the comparison
// is package planted's, which the pipeline's tests share).
func TestDemoAnswerKey(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo set")
	}
	dir := t.TempDir()
	if _, err := demo.Generate(context.Background(), demo.Options{Out: dir, Seed: 5, Scale: 0.05, BadRate: 0.01}); err != nil {
		t.Fatal(err)
	}
	key := planted.Key(t, dir)
	if len(key["quarantine"]) == 0 || len(key["tolerated"]) == 0 || len(key["warning"]) == 0 || len(key["reject"]) == 0 {
		t.Fatalf("demo set lacks a kind of fault: %d quarantine, %d tolerated, %d warning, %d reject",
			len(key["quarantine"]), len(key["tolerated"]), len(key["warning"]), len(key["reject"]))
	}
	tolerated := map[planted.Row]bool{}
	for _, k := range key["tolerated"] {
		tolerated[planted.Row{Path: k.Path, Line: k.Line}] = true
	}
	warned := map[string]string{}
	for _, k := range key["warning"] {
		warned[k.Path] = k.Column
	}
	wantRejected := map[string]bool{}
	for _, k := range key["reject"] {
		wantRejected[filepath.Dir(k.Path)] = true
	}

	ref := reference.MustLoad()
	have := map[planted.Row]bool{}
	rejected := map[string]bool{}
	var loaded, tolLoaded, deliveries, refChecked, rereadings int
	inbox := filepath.Join(dir, "inbox")
	for _, src := range contract.Sources {
		ids, err := os.ReadDir(filepath.Join(inbox, src))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			dd := filepath.Join(inbox, src, id.Name())
			if _, err := delivery.Verify(dd); err != nil {
				rejected[filepath.Join(src, id.Name())] = true
				continue // a rejected delivery loads nothing
			}
			deliveries++
			extracted, err := delivery.ParseDeliveryID(id.Name())
			if err != nil {
				t.Fatal(err)
			}
			persons := &PersonSet{}
			// personer comes first in every source, so persons is full
			// before the tables that refer to it.
			for _, tb := range contract.OfSource(src) {
				path := filepath.Join(src, id.Name(), tb.File)
				v := New(tb, ref, extracted, Options{AllowSynthetic: true})
				c := v.Checker()
				var lines []int64
				var extraCols []string
				csvDir := "" // a CSV file is read by runs, as the ingest reads it in chunks
				if tb.Format == "csv" {
					csvDir = dd
				}
				problems, readings := readTable(t, v, persons, csvDir, func(fn func(int64, []string)) {
					first := lines == nil
					lines = lines[:0]
					extraCols = rows(t, dd, tb, func(line int64, values []string) {
						lines = append(lines, line)
						if first {
							// The Checker, which skips what the previous
							// row passed with, must answer as CheckForm does.
							got, want := c.CheckForm(values), v.CheckForm(values)
							if !sameProblem(got, want) {
								t.Errorf("%s:%d: Checker says %v, CheckForm %v", path, line, got, want)
							}
							if got == nil {
								checkParsed(t, tb, values, c.Parsed(), path, line)
							}
						}
						fn(line, values)
					})
				})
				if readings > 1 {
					rereadings++
				}
				for _, line := range lines {
					p, bad := problems[line]
					if !bad {
						if refersToPersoner(tb) {
							refChecked++
						}
						loaded++
						if tolerated[planted.Row{Path: path, Line: line}] {
							tolLoaded++
						}
						continue
					}
					if p.Reason == ReasonPerson {
						refChecked++
					}
					f := planted.Row{Path: path, Line: line, Column: p.Column, Reason: p.Reason}
					if have[f] {
						t.Errorf("quarantined twice: %v", f)
					}
					have[f] = true
				}
				if col, ok := warned[path]; ok {
					if !slices.Equal(extraCols, []string{col}) {
						t.Errorf("%s: extra columns %v, want [%s]", path, extraCols, col)
					}
				} else if len(extraCols) > 0 {
					t.Errorf("%s: unexpected extra columns %v", path, extraCols)
				}
			}
		}
	}
	if deliveries == 0 || loaded == 0 || refChecked == 0 {
		t.Fatalf("%d deliveries, %d rows loaded, %d checked against personer", deliveries, loaded, refChecked)
	}
	if !maps.Equal(rejected, wantRejected) {
		t.Errorf("rejected deliveries %v, answer key rejects %v", rejected, wantRejected)
	}
	if tolLoaded != len(tolerated) {
		t.Errorf("%d of %d tolerated rows loaded", tolLoaded, len(tolerated))
	}

	want := planted.Quarantine(t, dir)
	planted.Compare(t, want, have)
	t.Logf("%d deliveries: %d rows loaded, %d quarantined, %d of them planted; %d tables read again for duplicates far apart", deliveries, loaded, len(have), len(want), rereadings)
}

// sameProblem reports whether a and b are both nil or equal.
func sameProblem(a, b *Problem) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// checkParsed checks the typed values a Checker gives for a row it passed
// against the time and strconv packages' reading of the text.
func checkParsed(t *testing.T, tb *contract.Table, values []string, p *delivery.Parsed, path string, line int64) {
	t.Helper()
	for i, c := range tb.Cols {
		s := values[i]
		var want int64
		var wantF float64
		var err error
		typed := true
		switch c.Type {
		case contract.Date:
			var d time.Time
			d, err = time.Parse("2006-01-02", s)
			want = d.Unix() / 86400
		case contract.Month:
			var d time.Time
			d, err = time.Parse("2006-01", s)
			want = d.Unix() / 86400
		case contract.Timestamp:
			var d time.Time
			d, err = time.ParseInLocation("2006-01-02 15:04:05", s, delivery.Oslo)
			want = d.UnixMicro()
		case contract.Decimal:
			wantF, err = strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		case contract.Integer:
			want, err = strconv.ParseInt(s, 10, 64)
		default:
			typed = false
		}
		switch {
		case !typed:
		case s == "":
			if p.Has[i] {
				t.Errorf("%s:%d: %s is null but has a typed value", path, line, c.Name)
			}
		case err != nil:
			t.Fatalf("%s:%d: %s: %v", path, line, c.Name, err)
		case !p.Has[i]:
			t.Errorf("%s:%d: %s has no typed value", path, line, c.Name)
		case c.Type == contract.Decimal && p.Float[i] != wantF, c.Type != contract.Decimal && p.Int[i] != want:
			t.Errorf("%s:%d: %s typed %d/%v, want %d/%v", path, line, c.Name, p.Int[i], p.Float[i], want, wantF)
		}
	}
}
