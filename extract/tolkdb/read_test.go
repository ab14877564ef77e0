package tolkdb

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"integstat/demo"
	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/internal/pgtest"
)

// TestReadMatchesNewestFile loads the demo register into PostgreSQL and
// checks that a full read holds exactly the rows of the newest file
// snapshot the demo wrote for the same seed, column for column.
func TestReadMatchesNewestFile(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates the demo set")
	}
	dsn := pgtest.Start(t)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := demo.Generate(ctx, demo.Options{Out: dir, Seed: 1, Scale: 0.05, BadRate: 0, TolkPostgres: dsn, Log: discardLog()}); err != nil {
		t.Fatal(err)
	}
	s, _ := newSource(t, dsn, Options{})
	before := time.Now()
	b, err := s.Read(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !b.Full {
		t.Error("a read since the zero time is not marked Full")
	}
	if b.ExtractedAt.Before(before.Add(-time.Second)) || b.ExtractedAt.After(time.Now()) {
		t.Errorf("ExtractedAt %v is not the time of the read (%v)", b.ExtractedAt, before)
	}
	snapshot := filepath.Join(dir, "inbox", "tolk", "20171231T230000")
	var newest time.Time
	for _, c := range []struct {
		table string
		got   [][]string
	}{{"tolk", b.Tolk}, {"tolk_sprak", b.Sprak}} {
		tab, _ := contract.Lookup("tolk", c.table)
		want := readCSV(t, filepath.Join(snapshot, tab.File), tab)
		if len(want) == 0 {
			t.Fatalf("%s: the demo snapshot is empty", tab.File)
		}
		got := joined(c.got)
		if len(got) != len(want) {
			t.Errorf("%s: read %d rows, the newest file has %d", c.table, len(got), len(want))
		}
		checkKeyOrder(t, tab, c.got)
		slices.Sort(got)
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("%s: row %d of %d differs from the file", c.table, i, len(got))
				break
			}
		}
		i := tab.Index("endret_tidspunkt")
		for _, r := range c.got {
			ts, err := time.ParseInLocation(time.DateTime, r[i], delivery.Oslo)
			if err != nil {
				t.Fatalf("%s: %s %q: %v", c.table, "endret_tidspunkt", r[i], err)
			}
			if ts.After(newest) {
				newest = ts
			}
		}
	}
	if !b.Watermark.Equal(newest) {
		t.Errorf("Watermark %v, want the newest endret_tidspunkt %v", b.Watermark, newest)
	}
}

// checkKeyOrder checks that rows come in ascending order of tolk_id, the
// first column of both tables' primary keys.
func checkKeyOrder(t *testing.T, tab *contract.Table, rows [][]string) {
	t.Helper()
	id := tab.Index("tolk_id")
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		if len(a[id]) > len(b[id]) || len(a[id]) == len(b[id]) && a[id] > b[id] {
			t.Errorf("%s: row %d is not in primary-key order", tab.Name, i)
			return
		}
	}
}

// readCSV reads a delivered file with the delivery reader and returns its
// rows in contract column order, joined by tabs and sorted.
func readCSV(t *testing.T, path string, tab *contract.Table) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := delivery.NewCSVReader(f, path)
	if err != nil {
		t.Fatal(err)
	}
	idx, extra, err := delivery.Columns(r.Header(), tab.Names())
	if err != nil || len(extra) > 0 {
		t.Fatalf("%s: columns: %v, extra %v", path, err, extra)
	}
	var rows [][]string
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		row := make([]string, len(idx))
		for i, j := range idx {
			row[i] = rec.Fields[j]
		}
		rows = append(rows, row)
	}
	out := joined(rows)
	slices.Sort(out)
	return out
}

// joined gives each row as one tab-joined string.
func joined(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, "\t")
	}
	return out
}

// TestReadFixture checks a full read of a small hand-written register:
// every column type in the delivery dialect, nulls as "", key order, and
// the watermark at full precision.
func TestReadFixture(t *testing.T) {
	t.Parallel()
	dsn, _ := register(t)
	s, _ := newSource(t, dsn, Options{})
	b, err := s.Read(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(b.Tolk, fixtureTolk) {
		t.Errorf("tolk:\n got %q\nwant %q", b.Tolk, fixtureTolk)
	}
	if !reflect.DeepEqual(b.Sprak, fixtureSprak) {
		t.Errorf("tolk_sprak:\n got %q\nwant %q", b.Sprak, fixtureSprak)
	}
	if !b.Full || !b.Watermark.Equal(fixtureWatermark) {
		t.Errorf("Full %v, Watermark %v; want true, %v", b.Full, b.Watermark, fixtureWatermark)
	}
}

// TestReadIncremental changes a few rows, one of them a removal from the
// register, and checks that a read since the last watermark gets exactly
// those, that the watermark moves to the newest change, and that a read
// since that gets nothing and keeps the watermark.
func TestReadIncremental(t *testing.T) {
	t.Parallel()
	dsn, conn := register(t)
	s, _ := newSource(t, dsn, Options{})
	ctx := context.Background()
	first, err := s.Read(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	exec(t, conn,
		`UPDATE tolk SET avregistrert_dato = '2018-01-15', endret_tidspunkt = '2018-01-15 10:00:00' WHERE tolk_id = 1`,
		`UPDATE tolk_sprak SET gyldig_til = '2018-01-31', endret_tidspunkt = '2018-01-16 09:30:00.000001' WHERE tolk_id = 2`,
		// Changed a moment before the watermark: already delivered.
		`UPDATE tolk SET telefon = '40000009', endret_tidspunkt = '2017-11-30 14:05:09.249999' WHERE tolk_id = 3`,
	)
	b, err := s.Read(ctx, first.Watermark)
	if err != nil {
		t.Fatal(err)
	}
	wantTolk := [][]string{slices.Clone(fixtureTolk[0])}
	wantTolk[0][12], wantTolk[0][13] = "2018-01-15", "2018-01-15 10:00:00"
	wantSprak := [][]string{{"2", "tir", "3", "2014-06-15", "2018-01-31", "2018-01-16 09:30:00"}}
	if !reflect.DeepEqual(b.Tolk, wantTolk) || !reflect.DeepEqual(b.Sprak, wantSprak) {
		t.Errorf("incremental read:\n got %q %q\nwant %q %q", b.Tolk, b.Sprak, wantTolk, wantSprak)
	}
	wm := time.Date(2018, 1, 16, 9, 30, 0, 1000, delivery.Oslo)
	if b.Full || !b.Watermark.Equal(wm) {
		t.Errorf("Full %v, Watermark %v; want false, %v", b.Full, b.Watermark, wm)
	}

	again, err := s.Read(ctx, b.Watermark)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Tolk)+len(again.Sprak) != 0 || !again.Watermark.Equal(wm) {
		t.Errorf("read with nothing changed: %d+%d rows, Watermark %v; want none, %v",
			len(again.Tolk), len(again.Sprak), again.Watermark, wm)
	}
}

// TestReadRepeatable commits new rows in both tables while a read has
// read tolk and waits to read tolk_sprak: the read must see neither, as
// both tables come from the snapshot taken at its start.
func TestReadRepeatable(t *testing.T) {
	t.Parallel()
	dsn, _ := register(t)
	s, _ := newSource(t, dsn, Options{})
	lock, done, _ := readBlocked(t, dsn, s)
	ctx := context.Background()
	for _, sql := range []string{
		`INSERT INTO tolk VALUES (4, '01019012345', 'Per', NULL, NULL, NULL, 'M', 1990, NULL, false, false, '2018-02-01', NULL, '2018-02-01 08:00:00')`,
		`INSERT INTO tolk_sprak VALUES (4, 'pol', 5, '2018-02-01', NULL, '2018-02-01 08:00:00')`,
		`UPDATE tolk_sprak SET kategori = 2, endret_tidspunkt = '2018-02-01 08:00:00' WHERE tolk_id = 1 AND sprak = 'ara'`,
	} {
		if _, err := lock.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	if err := lock.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !reflect.DeepEqual(r.b.Tolk, fixtureTolk) || !reflect.DeepEqual(r.b.Sprak, fixtureSprak) {
		t.Errorf("the read saw rows committed after it started:\n got %q\n     %q", r.b.Tolk, r.b.Sprak)
	}
	if !r.b.Watermark.Equal(fixtureWatermark) {
		t.Errorf("Watermark %v, want %v", r.b.Watermark, fixtureWatermark)
	}
}

// TestOsloTime checks the conversion of the register's zoneless
// timestamps, including the hours daylight saving time skips and repeats.
func TestOsloTime(t *testing.T) {
	for _, c := range []struct {
		wall string
		gap  bool // the wall clock does not exist in Oslo
	}{
		{"2017-06-01 12:00:00.5", false},
		{"2017-01-01 00:00:00", false},
		{"2017-10-29 02:30:00", false}, // happens twice; either will do
		{"2017-03-26 02:30:00", true},  // skipped by summer time
	} {
		w, err := time.Parse("2006-01-02 15:04:05.999999", c.wall)
		if err != nil {
			t.Fatal(err)
		}
		got := osloTime(w)
		switch back := wallClock(got); {
		case !c.gap && back != c.wall:
			t.Errorf("osloTime(%s) reads back as %s", c.wall, back)
		case c.gap && back >= c.wall:
			t.Errorf("osloTime(%s) reads back as %s, not earlier", c.wall, back)
		case got.Location() != delivery.Oslo:
			t.Errorf("osloTime(%s) is in %v, want Europe/Oslo", c.wall, got.Location())
		}
	}
}
