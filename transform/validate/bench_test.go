package validate

import (
	"fmt"
	"testing"

	"integstat/extract/contract"
	"integstat/transform/ident"
)

// timerRows returns n valid timer.csv rows with distinct keys.
func timerRows(tb testing.TB, n int) [][]string {
	tb.Helper()
	t, _ := contract.Lookup("nir", "timer")
	persons := numbers(n/(12*len(contract.Tiltak)) + 1)
	out := make([][]string, 0, n)
	for i := 0; len(out) < n; i++ {
		p := persons[i/(12*len(contract.Tiltak))]
		if err := ident.Validate(p, ident.Options{AllowSynthetic: true}); err != nil {
			tb.Fatal(err)
		}
		r := make([]string, len(t.Cols))
		r[t.Index("fnr")] = p
		r[t.Index("kommunenummer")] = "0301"
		r[t.Index("maaned")] = fmt.Sprintf("2017-%02d", 1+i%12)
		r[t.Index("tiltak")] = contract.Tiltak[i/12%len(contract.Tiltak)]
		r[t.Index("program")] = "INTRO"
		r[t.Index("timer")] = "37,5"
		r[t.Index("fravaer_timer")] = "2"
		r[t.Index("registrert_tidspunkt")] = "2018-01-05 08:00:00"
		out = append(out, r)
	}
	return out
}

// BenchmarkCheckTimer measures the row check as the ingest runs it
// (RowCheck.Check: form, kommune, key, references) on valid timer.csv rows
// with distinct keys, the table that dominates a NIR delivery; each
// reading of the rows is a new Reading, whose DupFinder spills every key.
func BenchmarkCheckTimer(b *testing.B) {
	t, _ := contract.Lookup("nir", "timer")
	rows := timerRows(b, 1<<16)
	v := New(t, ref, extractedAt, Options{AllowSynthetic: true})
	persons := &PersonSet{}
	for _, r := range rows {
		persons.Add(r[t.Index("fnr")])
	}
	persons.Freeze()
	dir := b.TempDir()
	var rd *Reading
	var rc *RowCheck
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(rows) == 0 {
			b.StopTimer()
			if rd != nil {
				rd.Close()
			}
			var err error
			if rd, err = v.Reading(ReadingOptions{Persons: persons, SpillDir: dir, Rows: int64(len(rows))}); err != nil {
				b.Fatal(err)
			}
			if rc, err = rd.NewRowCheck(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if p, err := rc.Check(int64(i%len(rows)+2), rows[i%len(rows)]); p != nil || err != nil {
			b.Fatal(p, err)
		}
	}
	b.StopTimer()
	rd.Close()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
