package validate

import (
	"context"
	"fmt"
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
)

// finding is one row the validator quarantined, or one the answer key says
// it must, in the terms both share.
type finding struct {
	path   string // source/delivery_id/file
	line   int64
	reason string
	column string
}

func (f finding) String() string {
	return fmt.Sprintf("%s:%d %s: %s", f.path, f.line, f.column, f.reason)
}

// answerKey reads the demo set's answer key, grouped by kind.
func answerKey(t *testing.T, dir string) map[string][]finding {
	t.Helper()
	key, err := demo.ReadAnswerKey(demo.AnswerKeyPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]finding{}
	for _, k := range key {
		out[k.Kind] = append(out[k.Kind], finding{filepath.Join(k.Source, k.DeliveryID, k.File), k.Line, k.Reason, k.Column})
	}
	return out
}

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
// planted faults, the validator quarantines every row the answer key lists
// for quarantine, for the reason and column it gives; the tolerated rows
// load; the extra column is reported as extra; the deliveries Verify rejects
// are the ones the key says. Any other quarantined row must be one of the
// demo generator's known defects (see demoDefect) and is proved, by checks
// independent of the validator, to break the contract.
func TestDemoAnswerKey(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo set")
	}
	dir := t.TempDir()
	if _, err := demo.Generate(context.Background(), demo.Options{Out: dir, Seed: 5, Scale: 0.05, BadRate: 0.01}); err != nil {
		t.Fatal(err)
	}
	key := answerKey(t, dir)
	if len(key["quarantine"]) == 0 || len(key["tolerated"]) == 0 || len(key["warning"]) == 0 || len(key["reject"]) == 0 {
		t.Fatalf("demo set lacks a kind of fault: %d quarantine, %d tolerated, %d warning, %d reject",
			len(key["quarantine"]), len(key["tolerated"]), len(key["warning"]), len(key["reject"]))
	}
	tolerated := map[finding]bool{}
	for _, k := range key["tolerated"] {
		tolerated[finding{path: k.path, line: k.line}] = true
	}
	warned := map[string]string{}
	for _, k := range key["warning"] {
		warned[k.path] = k.column
	}
	wantRejected := map[string]bool{}
	for _, k := range key["reject"] {
		wantRejected[filepath.Dir(k.path)] = true
	}

	ref := reference.MustLoad()
	have := map[finding]bool{}
	rejected := map[string]bool{}
	var loaded, tolLoaded, deliveries, refChecked int
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
				extraCols := rows(t, dd, tb, func(line int64, values []string) {
					// The Checker, which skips what the previous row
					// passed with, must answer as CheckForm does.
					got, want := c.CheckForm(values), v.CheckForm(values)
					if !sameProblem(got, want) {
						t.Errorf("%s:%d: Checker says %v, CheckForm %v", path, line, got, want)
					}
					if got == nil {
						checkParsed(t, tb, values, c.Parsed(), path, line)
					}
					p := v.Check(values)
					if p == nil {
						if refersToPersoner(tb) {
							refChecked++
						}
						p = v.CheckRefs(values, persons)
					}
					if p == nil {
						v.CollectPersons(values, persons)
						loaded++
						if tolerated[finding{path: path, line: line}] {
							tolLoaded++
						}
						return
					}
					f := finding{path, line, p.Reason, p.Column}
					if have[f] {
						t.Errorf("quarantined twice: %v", f)
					}
					have[f] = true
				})
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

	want := map[finding]bool{}
	for _, k := range key["quarantine"] {
		if !rejected[filepath.Dir(k.path)] {
			want[k] = true
		}
	}
	for f := range want {
		if !have[f] {
			t.Errorf("planted, not quarantined: %v", f)
		}
	}
	for f := range have {
		if !want[f] {
			t.Errorf("quarantined, not planted: %v", f)
		}
	}
	t.Logf("%d deliveries: %d rows loaded, %d quarantined, %d of them planted", deliveries, loaded, len(have), len(want))
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
