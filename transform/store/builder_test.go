package store_test

import (
	"maps"
	"strings"
	"testing"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/transform/store"
)

// TestAppendErrors checks that bad values are refused with the file, line
// and column named and the value not repeated, and that a refused row
// leaves the batch as it was.
func TestAppendErrors(t *testing.T) {
	personer, _ := contract.Lookup("nir", "personer")
	good := []string{"01017012345", "Kari", "Nordmann", "1970-01-01", "K", "NOR", "NOR", "FLU", "Gate 1", "0150", "0301", "", "2018-01-01 10:00:00"}
	with := func(col, v string) []string {
		out := append([]string(nil), good...)
		out[personer.Index(col)] = v
		return out
	}
	const person = "abcdefghijklmnopqrstuvwxyz234567"
	tests := []struct {
		name   string
		values []string
		person string
		want   string // in the message
		secret string // never in the message
	}{
		{"bad birth date", with("fodselsdato", "1970-02-30"), person, "column fodselsaar", "1970-02-30"},
		{"bad timestamp", with("endret_tidspunkt", "2018-01-01 25:00:00"), person, "column endret_tidspunkt", "25:00"},
		{"required empty", with("kjonn", ""), person, "column kjonn: required value empty", ""},
		{"identity number as person", good, "01017012345", "column person", "01017012345"},
		{"no person", good, "", "column person: required value empty", ""},
		{"short row", good[:5], person, "5 values, want 13", ""},
	}
	b := store.NewBuilder(personer, 10)
	defer b.Release()
	for _, tt := range tests {
		err := b.Append(tt.values, tt.person, "d", 42)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "personer.csv line 42") || !strings.Contains(msg, tt.want) {
			t.Errorf("%s: error %q does not name file, line and %q", tt.name, msg, tt.want)
		}
		if tt.secret != "" && strings.Contains(msg, tt.secret) {
			t.Errorf("%s: error %q repeats the value", tt.name, msg)
		}
	}
	if b.Len() != 0 || b.Flush() != nil {
		t.Fatal("refused rows were added")
	}

	timer, _ := contract.Lookup("nir", "timer")
	tb := store.NewBuilder(timer, 10)
	defer tb.Release()
	row := []string{"01017012345", "0301", "2018-01", "NORSK", "INTRO", "7,5", "", "2018-02-01 00:00:00"}
	for _, tt := range []struct{ col, v, want string }{
		{"maaned", "2018-13", "month out of range"},
		{"timer", "7.5.1", "decimal"},
		{"timer", "1e5", "decimal"},
		{"timer", "7,5x", "decimal"},
	} {
		vals := append([]string(nil), row...)
		vals[timer.Index(tt.col)] = tt.v
		err := tb.Append(vals, person, "d", 7)
		if err == nil || !strings.Contains(err.Error(), "timer.csv line 7: column "+tt.col+": ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%q: error %v, want one naming the column and %q", tt.col, tt.v, err, tt.want)
		}
	}
	if err := tb.Append(row, person, "d", 8); err != nil {
		t.Fatal(err)
	}
	rec := tb.Flush()
	defer rec.Release()
	if rec.NumRows() != 1 {
		t.Fatalf("batch has %d rows after refused ones and one good row, want 1", rec.NumRows())
	}
	// Every column holds the good row alone: a refused row leaves nothing
	// behind in the columns before the one at fault.
	for i, col := range rec.Columns() {
		if col.Len() != 1 {
			t.Errorf("column %s has %d values", rec.ColumnName(i), col.Len())
		}
	}
	got := map[string]string{}
	for i, col := range rec.Columns() {
		got[rec.ColumnName(i)] = col.ValueStr(0)
	}
	want := map[string]string{"person": person, "kommunenummer": "0301", "maaned": "2018-01-01", "tiltak": "NORSK", "program": "INTRO",
		"timer": "7.5", "fravaer_timer": "(null)", "registrert_tidspunkt": "2018-01-31T23:00:00Z", "delivery_id": "d", "source_line": "8"}
	if !maps.Equal(got, want) {
		t.Errorf("the good row reads %v\nwant %v", got, want)
	}
}

// TestBatching checks Full, Len and Flush over more rows than a batch.
func TestBatching(t *testing.T) {
	sprak, _ := contract.Lookup("tolk", "tolk_sprak")
	b := store.NewBuilder(sprak, 3)
	defer b.Release()
	var sizes []int64
	for i := range 7 {
		if err := b.Append([]string{"7", "som", "1", "2017-01-01", "", "2017-01-01 10:00:00"}, "", "d", int64(i+2)); err != nil {
			t.Fatal(err)
		}
		if b.Full() {
			rec := b.Flush()
			sizes = append(sizes, rec.NumRows())
			rec.Release()
		}
	}
	if b.Len() != 1 {
		t.Errorf("Len = %d, want 1", b.Len())
	}
	rec := b.Flush()
	sizes = append(sizes, rec.NumRows())
	rec.Release()
	if b.Flush() != nil {
		t.Error("Flush of an empty batch is not nil")
	}
	if len(sizes) != 3 || sizes[0] != 3 || sizes[1] != 3 || sizes[2] != 1 {
		t.Errorf("batches %v, want [3 3 1]", sizes)
	}
}

// TestAppendParsed: typed values a validator left are taken as they are
// (the text is not parsed again), and a column without one is parsed.
func TestAppendParsed(t *testing.T) {
	timer, _ := contract.Lookup("nir", "timer")
	b := store.NewBuilder(timer, 10)
	defer b.Release()
	row := []string{"01017012345", "0301", "2018-01", "NORSK", "INTRO", "7,5", "2,5", "2018-02-01 00:00:00"}
	p := delivery.NewParsed(len(timer.Cols))
	// timer and maaned as a validator left them (values the text does not
	// say, to tell them apart); fravaer_timer has none and is parsed.
	p.Float[timer.Index("timer")], p.Has[timer.Index("timer")] = 99.25, true
	p.Int[timer.Index("maaned")], p.Has[timer.Index("maaned")] = 17532, true // 2018-01-01
	if err := b.AppendParsed(row, p, "PSEUDONYMABCDEFGHIJKLMNOPQRSTUVW", "d", 2); err != nil {
		t.Fatal(err)
	}
	rec := b.Flush()
	defer rec.Release()
	got := map[string]string{}
	for i, col := range rec.Columns() {
		got[rec.ColumnName(i)] = col.ValueStr(0)
	}
	if got["timer"] != "99.25" || got["maaned"] != "2018-01-01" || got["fravaer_timer"] != "2.5" {
		t.Errorf("timer %s, maaned %s, fravaer_timer %s; want 99.25 (typed), 2018-01-01 (typed), 2.5 (parsed)",
			got["timer"], got["maaned"], got["fravaer_timer"])
	}
}
