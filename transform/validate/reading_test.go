package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/extract/files"
)

// readTable checks a table's rows the way the ingest stage does (package
// pipeline's loadTable): a Reading with a RowCheck over the rows in line
// order, then the exact duplicates (Exact) and, when the RowCheck missed
// some (Missed), a new Reading with their lines Known. each calls fn for
// every row in line order, again for each reading. dir, when not "", is
// the delivery directory of a CSV table, which is then read by runs
// (ReadingOptions.ByRun) as the ingest reads it in chunks. It returns the
// problem of every line the last reading puts in quarantine and how many
// readings it took; the accepted rows' numbers go into persons when the
// Reading collects them, and persons is frozen after, as between tables.
// It restates the order in which the pipeline calls the row check
// (pipeline/ingest_table.go); the guard on the pipeline's own path is its
// answer-key test, pipeline.TestIngestDemoSet.
func readTable(t testing.TB, v *Table, persons *PersonSet, dir string, each func(fn func(line int64, values []string))) (map[int64]Problem, int) {
	t.Helper()
	var known []int64
	for readings := 1; ; readings++ {
		rd, err := v.Reading(ReadingOptions{Persons: persons, Known: known, SpillDir: t.TempDir(), ByRun: dir != ""})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := rd.NewRowCheck()
		if err != nil {
			t.Fatal(err)
		}
		problems := map[int64]Problem{}
		var numbers []string
		each(func(line int64, values []string) {
			p, err := rc.Check(line, values)
			if err != nil {
				t.Fatal(err)
			}
			if p != nil {
				problems[line] = *p
				return
			}
			numbers = rc.Numbers(values, numbers[:0])
			for _, n := range numbers {
				persons.Add(n)
			}
		})
		exact, looked, err := rd.Exact()
		if err != nil {
			t.Fatal(err)
		}
		var missed []int64
		if looked {
			if missed, _, err = rd.Missed(dir, exact, rc.Dups, rc.DupLines); err != nil {
				t.Fatal(err)
			}
		}
		if err := rd.Close(); err != nil {
			t.Fatal(err)
		}
		if missed == nil {
			persons.Freeze()
			return problems, readings
		}
		if readings > 1 {
			t.Fatalf("a reading with the duplicates known missed %d", len(missed))
		}
		known = missed
		if rd.Collects() {
			persons.Reset()
		}
	}
}

// checkRows checks rows as one table's, on lines 2, 3, … (readTable),
// against persons holding every identity number of the rows, so that the
// rows' own values and keys decide. It returns each row's problem, nil
// for a row that passes.
func checkRows(t testing.TB, v *Table, rows ...[]string) []*Problem {
	t.Helper()
	persons := &PersonSet{}
	for _, r := range rows {
		for i, c := range v.t.Cols {
			if c.Type == contract.IDNumber {
				persons.Add(r[i])
			}
		}
	}
	return checkWith(t, v, persons, rows...)
}

// checkWith is checkRows against the given persons.
func checkWith(t testing.TB, v *Table, persons *PersonSet, rows ...[]string) []*Problem {
	t.Helper()
	problems, _ := readTable(t, v, persons, "", func(fn func(int64, []string)) {
		for i, r := range rows {
			fn(int64(i+2), r)
		}
	})
	out := make([]*Problem, len(rows))
	for l, p := range problems {
		out[l-2] = &p
	}
	return out
}

// TestReadingByRun writes a timer.csv whose persons' rows come in runs,
// some persons' in two runs, with duplicates next to each other, in a
// later run, and none, a row that fails its form inside a run and a
// malformed record, and reads it by runs as the ingest does: the
// quarantine must be what reading the rows in order with every accepted
// key remembered gives, and the table read again only when a later run
// held a duplicate.
func TestReadingByRun(t *testing.T) {
	tb := table(t, "nir", "timer")
	p := numbers(6)
	// A row of person i in month m; bad breaks its form.
	rowOf := func(i, m int, bad bool) []string {
		hours := "10"
		if bad {
			hours = "7.5"
		}
		return []string{p[i], "0301", fmt.Sprintf("2017-%02d", m), "NORSK", "INTRO", hours, "", "2017-12-01 10:00:00"}
	}
	type run struct {
		person int
		months []int // negative: the row fails its form
	}
	cases := []struct {
		name     string
		runs     []run
		readings int
	}{
		{"split runs without duplicates", []run{
			{0, []int{1, 2, 3}}, {1, []int{1, 1, 2}}, {0, []int{4, 5}}, {2, []int{1, -2, 2}}, {1, []int{3}}, {2, []int{3}},
		}, 1},
		{"a duplicate in a later run", []run{
			{0, []int{1, 2, 3}}, {1, []int{1, 2, 2}}, {0, []int{4, 2}}, {2, []int{5, -1, 1}}, {3, []int{1}}, {2, []int{1, 3}},
		}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			f, err := os.Create(filepath.Join(dir, tb.File))
			if err != nil {
				t.Fatal(err)
			}
			w, err := delivery.NewCSVWriter(f, tb.Names(), delivery.CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := map[int64]string{} // line → reason
			seen := map[string]bool{}
			line := int64(1)
			for k, r := range c.runs {
				for _, m := range r.months {
					values := rowOf(r.person, max(m, -m), m < 0)
					if err := w.Write(values); err != nil {
						t.Fatal(err)
					}
					line++
					key := strings.Join(values[:5], "|")
					switch {
					case m < 0:
						want[line] = ReasonDecimal
					case seen[key]:
						want[line] = ReasonDuplicate
					}
					seen[key] = seen[key] || m > 0
				}
				if k == 1 {
					// A malformed record inside a run: a field missing.
					if err := w.Flush(); err != nil {
						t.Fatal(err)
					}
					if _, err := f.WriteString(p[1] + ";0301;2017-09;NORSK;INTRO;1;2017-12-01 10:00:00\n"); err != nil {
						t.Fatal(err)
					}
					line++
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			v := New(tb, ref, extractedAt, Options{AllowSynthetic: true})
			persons := &PersonSet{}
			for _, n := range p {
				persons.Add(n)
			}
			malformed := 0
			problems, readings := readTable(t, v, persons, dir, func(fn func(int64, []string)) {
				malformed = 0
				if _, err := files.EachRow(dir, tb, func(line int64, values []string, _ string, rowErr *delivery.RowError) error {
					if rowErr != nil {
						malformed++ // the ingest quarantines it without a RowCheck
						return nil
					}
					fn(line, values)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			})
			got := map[int64]string{}
			for l, p := range problems {
				got[l] = p.Reason
			}
			if malformed != 1 {
				t.Errorf("%d malformed records, want 1", malformed)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("quarantine %v, want %v", got, want)
			}
			if readings != c.readings {
				t.Errorf("%d readings, want %d", readings, c.readings)
			}
		})
	}
}
