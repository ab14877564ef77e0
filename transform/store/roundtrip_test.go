package store_test

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/parquet-go/parquet-go"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/transform/pseudo"
	"integstat/transform/store"
)

// Canaries planted in the personal columns of the input: neither may
// appear anywhere in the output.
const (
	canaryName = "Kari Nordmann"
	canaryFnr  = "01018912345" // digits 0, 1, 8, 9 never occur in base32 pseudonyms
	canaryDUF  = "201899000001"
)

// dstTimes are Oslo local times around the changes of summer time in 2017
// (26 March 02:00 CET → 03:00 CEST, 29 October 03:00 CEST → 02:00 CET).
var dstTimes = []string{
	"2017-03-26 01:30:00", "2017-03-26 03:30:00", "2017-10-29 01:30:00",
	"2017-10-29 03:30:00", "2017-01-15 12:00:00", "2017-07-15 12:00:00",
}

// null is how the tests write a null value in canonical form.
const null = "∅"

// row is one synthetic input row with its person and line.
type row struct {
	values []string
	person string
	line   int64
}

// synth makes n rows of t: every column filled by its contract type, the
// optional ones sometimes null, personal columns carrying the canaries,
// and the timestamps of the first rows on the changes of summer time.
func synth(t *contract.Table, n int, key *pseudo.Key, rng *rand.Rand) []row {
	json := t.Format == "jsonl"
	rows := make([]row, n)
	for i := range rows {
		vals := make([]string, len(t.Cols))
		var first string
		for j, c := range t.Cols {
			var v string
			switch c.Type {
			case contract.IDNumber:
				v = fmt.Sprintf("9%010d", i*len(t.Cols)+j)
				if i == 0 {
					v = canaryFnr
				}
			case contract.DUF:
				v = fmt.Sprintf("2018%08d", i)
				if i == 0 {
					v = canaryDUF
				}
			case contract.String:
				v = fmt.Sprintf("%s-%d", c.Name, i)
				if c.Personal {
					v = canaryName
				}
			case contract.Code:
				v = c.Codes[rng.IntN(len(c.Codes))]
			case contract.Date:
				d := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(4000))
				if i == 1 {
					d = time.Date(2016, 2, 29, 0, 0, 0, 0, time.UTC)
				}
				v = d.Format("2006-01-02")
			case contract.Timestamp:
				if i < len(dstTimes) {
					v = dstTimes[i]
				} else {
					v = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(8 * 365 * 24 * time.Hour)))).Truncate(time.Second).Format("2006-01-02 15:04:05")
				}
			case contract.Month:
				v = fmt.Sprintf("%04d-%02d", 2013+rng.IntN(8), 1+rng.IntN(12))
			case contract.Bool:
				b := rng.IntN(2) == 0
				if json {
					v = strconv.FormatBool(b)
				} else {
					v = delivery.FormatBool(b)
				}
			case contract.Decimal:
				f := float64(rng.IntN(4000)-100) / 4
				v = delivery.FormatDecimal(f, -1)
				if json {
					v = strconv.FormatFloat(f, 'f', -1, 64)
				}
			case contract.Integer:
				lo, hi := c.Min, c.Max
				if hi == 0 {
					hi = lo + 5000
				}
				v = strconv.Itoa(lo + rng.IntN(hi-lo+1))
			case contract.Kommune:
				v = []string{"0301", "1103", "5001", "0710"}[rng.IntN(4)]
			case contract.Country:
				v = []string{"NOR", "SYR", "ERI", "XXA", "XXX"}[rng.IntN(5)]
			case contract.Language:
				v = []string{"som", "ara", "tir", "prs"}[rng.IntN(4)]
			}
			if !c.Required && rng.IntN(5) == 0 && !(c.Personal && i == 0) {
				v = ""
			}
			if first == "" && (c.Type == contract.IDNumber || c.Type == contract.DUF) {
				first = v
			}
			vals[j] = v
		}
		var person string
		if first != "" {
			person = key.Pseudonym(pseudo.KindPerson, first)
		}
		rows[i] = row{values: vals, person: person, line: int64(i + 2)}
	}
	return rows
}

// expected gives the canonical form of output column name of r, derived
// from the input by the stdlib, independently of the package.
func expected(t *contract.Table, name, deliveryID string, r row) string {
	switch name {
	case store.PersonColumn:
		return orNull(r.person)
	case store.DeliveryIDColumn:
		return deliveryID
	case store.SourceLineColumn:
		return strconv.FormatInt(r.line, 10)
	}
	if ev, ok := map[string]string{"alder_bosatt": "bosatt_dato", "alder_vedtak": "vedtak_dato"}[name]; ok {
		b, e := r.values[t.Index("fodselsdato")], r.values[t.Index(ev)]
		if b == "" || e == "" {
			return null
		}
		bd, err1 := time.Parse("2006-01-02", b)
		ed, err2 := time.Parse("2006-01-02", e)
		if err1 != nil || err2 != nil {
			return null
		}
		// Whole years by stepping birthdays: AddDate takes 29 February to
		// 1 March in common years, as indicators.md counts.
		a := 0
		for !bd.AddDate(a+1, 0, 0).After(ed) {
			a++
		}
		for bd.AddDate(a, 0, 0).After(ed) {
			a--
		}
		return strconv.Itoa(a)
	}
	c, _ := t.Column(name)
	if name == store.BirthYearColumn && c.Name == "" {
		c, _ = t.Column("fodselsdato")
	}
	s := r.values[t.Index(c.Name)]
	if s == "" {
		return null
	}
	switch c.Type {
	case contract.Date:
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			panic(err)
		}
		if c.Name == "fodselsdato" {
			return strconv.Itoa(d.Year())
		}
		return d.Format("2006-01-02")
	case contract.Month:
		return s + "-01"
	case contract.Timestamp:
		ts, err := time.ParseInLocation("2006-01-02 15:04:05", s, delivery.Oslo)
		if err != nil {
			panic(err)
		}
		return ts.UTC().Format(time.RFC3339)
	case contract.Decimal:
		f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		if err != nil {
			panic(err)
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case contract.Bool:
		return strconv.FormatBool(s == "J" || s == "true")
	}
	return s
}

func orNull(s string) string {
	if s == "" {
		return null
	}
	return s
}

// testKey makes a pseudonymisation key in a temporary directory.
func testKey(t testing.TB) *pseudo.Key {
	k, err := pseudo.GenerateKeyFile(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writeTable writes rows of t as one partition and returns its Info.
func writeTable(t testing.TB, root string, tbl *contract.Table, deliveryID string, rows []row, batch int, opt store.Options) store.Info {
	return writeDictTable(t, root, tbl, deliveryID, rows, batch, opt, nil)
}

// writeDictTable is writeTable with the string columns dict names written
// from dictionary arrays.
func writeDictTable(t testing.TB, root string, tbl *contract.Table, deliveryID string, rows []row, batch int, opt store.Options, dict store.Dictionaries) store.Info {
	t.Helper()
	w, err := store.Create(root, tbl.Source, tbl.Name, deliveryID, store.DictSchema(tbl, dict), opt)
	if err != nil {
		t.Fatal(err)
	}
	b := store.NewDictBuilder(tbl, batch, dict)
	defer b.Release()
	write := func() {
		if rec := b.Flush(); rec != nil {
			defer rec.Release()
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, r := range rows {
		if err := b.Append(r.values, r.person, deliveryID, r.line); err != nil {
			t.Fatal(err)
		}
		if b.Full() {
			write()
		}
	}
	write()
	info, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// duckTypes is the DuckDB type each Arrow type must read back as.
var duckTypes = map[arrow.Type]string{
	arrow.STRING: "VARCHAR", arrow.INT32: "INTEGER", arrow.INT64: "BIGINT",
	arrow.FLOAT64: "DOUBLE", arrow.BOOL: "BOOLEAN", arrow.DATE32: "DATE",
	arrow.TIMESTAMP: "TIMESTAMPTZ",
}

// parquetTypes is the Parquet physical and logical type each Arrow type
// must be stored as.
var parquetTypes = map[arrow.Type]string{
	arrow.STRING: "BYTE_ARRAY STRING", arrow.INT32: "INT32 INT(32,true)", arrow.INT64: "INT64 INT(64,true)",
	arrow.FLOAT64: "DOUBLE ", arrow.BOOL: "BOOLEAN ", arrow.DATE32: "INT32 DATE",
	arrow.TIMESTAMP: "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)",
}

// readDuck reads all partitions of a table with DuckDB's read_parquet and
// Hive partitioning, in source_line order, as canonical strings; it checks
// each column's type against duckTypes.
func readDuck(t *testing.T, root string, tbl *contract.Table, schema *arrow.Schema) [][]string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	glob := filepath.Join(root, tbl.Source, tbl.Name, "*", "*.parquet")
	q := fmt.Sprintf("SELECT * FROM read_parquet('%s', hive_partitioning = true) ORDER BY delivery_id, source_line", glob)
	rs, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cts, err := rs.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	if len(cts) != schema.NumFields() {
		t.Fatalf("DuckDB reads %d columns, schema has %d", len(cts), schema.NumFields())
	}
	for i, ct := range cts {
		f := schema.Field(i)
		if ct.Name() != f.Name || ct.DatabaseTypeName() != duckTypes[f.Type.ID()] {
			t.Errorf("DuckDB column %d: %s %s, want %s %s", i, ct.Name(), ct.DatabaseTypeName(), f.Name, duckTypes[f.Type.ID()])
		}
	}
	var out [][]string
	for rs.Next() {
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		rec := make([]string, len(cts))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				rec[i] = null
			case time.Time:
				if cts[i].DatabaseTypeName() == "DATE" {
					rec[i] = v.Format("2006-01-02")
				} else {
					rec[i] = v.UTC().Format(time.RFC3339)
				}
			case float64:
				rec[i] = strconv.FormatFloat(v, 'g', -1, 64)
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		out = append(out, rec)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readPgo reads one file with parquet-go as canonical strings; it checks
// each column's name, repetition and type against the schema.
func readPgo(t *testing.T, path string, schema *arrow.Schema) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	elems := pf.Metadata().Schema[1:]
	if len(elems) != schema.NumFields() {
		t.Fatalf("parquet-go sees %d columns, schema has %d", len(elems), schema.NumFields())
	}
	kinds := make([]string, len(elems))
	for i, e := range elems {
		fld := schema.Field(i)
		typ, _ := e.Type.Get()
		kinds[i] = typ.String() + " " + e.LogicalType.String()
		rep, _ := e.RepetitionType.Get()
		if e.Name != fld.Name || kinds[i] != parquetTypes[fld.Type.ID()] || (rep.String() == "OPTIONAL") != fld.Nullable {
			t.Errorf("parquet column %d: %s %s %s, want %s %s nullable=%t", i, e.Name, rep, kinds[i], fld.Name, parquetTypes[fld.Type.ID()], fld.Nullable)
		}
	}
	r := parquet.NewReader(f)
	defer r.Close()
	var out [][]string
	buf := make([]parquet.Row, 256)
	for {
		n, err := r.ReadRows(buf)
		for _, pr := range buf[:n] {
			rec := make([]string, len(elems))
			for _, v := range pr {
				i := v.Column()
				switch {
				case v.IsNull():
					rec[i] = null
				case kinds[i] == parquetTypes[arrow.DATE32]:
					rec[i] = time.Unix(int64(v.Int32())*86400, 0).UTC().Format("2006-01-02")
				case kinds[i] == parquetTypes[arrow.TIMESTAMP]:
					rec[i] = time.UnixMicro(v.Int64()).UTC().Format(time.RFC3339)
				case v.Kind() == parquet.ByteArray:
					rec[i] = string(v.ByteArray())
				case v.Kind() == parquet.Double:
					rec[i] = strconv.FormatFloat(v.Double(), 'g', -1, 64)
				case v.Kind() == parquet.Int32:
					rec[i] = strconv.FormatInt(int64(v.Int32()), 10)
				case v.Kind() == parquet.Int64:
					rec[i] = strconv.FormatInt(v.Int64(), 10)
				case v.Kind() == parquet.Boolean:
					rec[i] = strconv.FormatBool(v.Boolean())
				default:
					t.Fatalf("parquet column %d: unexpected kind %v", i, v.Kind())
				}
			}
			out = append(out, rec)
		}
		if err != nil {
			break
		}
	}
	if int64(len(out)) != pf.NumRows() {
		t.Fatalf("parquet-go read %d rows, footer says %d", len(out), pf.NumRows())
	}
	return out
}

// TestRoundTrip writes a few thousand synthetic rows of every contract
// table and reads them back with DuckDB and parquet-go: both must give the
// values and types the input implies.
//
// With dictionaries, the code, kommune and delivery id columns are written
// from dictionary arrays whose dictionaries hold values the rows never
// use: the files must read back the same, and each row group's statistics
// must bound exactly the values it holds.
func TestRoundTrip(t *testing.T) {
	key := testKey(t)
	for _, withDict := range []bool{false, true} {
		root := t.TempDir()
		for ti, tbl := range contract.Tables {
			t.Run(fmt.Sprintf("%s/%s/dictionaries=%t", tbl.Source, tbl.Name, withDict), func(t *testing.T) {
				roundTrip(t, root, key, ti, tbl, withDict)
			})
		}
	}
}

func roundTrip(t *testing.T, root string, key *pseudo.Key, ti int, tbl *contract.Table, withDict bool) {
	rng := rand.New(rand.NewPCG(uint64(ti), 1))
	const id = "20180301T020000"
	rows := synth(tbl, 3000, key, rng)
	var dict store.Dictionaries
	if withDict {
		dict = testDictionaries(tbl, id, rows)
	}
	info := writeDictTable(t, root, tbl, id, rows, 700, store.Options{RowGroupRows: 1000}, dict)
	schema := store.Schema(tbl)

	want := make([][]string, len(rows))
	for i, r := range rows {
		want[i] = make([]string, schema.NumFields())
		for j, f := range schema.Fields() {
			want[i][j] = expected(tbl, f.Name, id, r)
		}
	}
	if info.Rows != int64(len(rows)) {
		t.Errorf("Info.Rows = %d, want %d", info.Rows, len(rows))
	}
	checkInfo(t, info)
	compare(t, "DuckDB", readDuck(t, root, tbl, schema), want, schema)
	compare(t, "parquet-go", readPgo(t, info.Path, schema), want, schema)
	checkNoPersonalData(t, tbl, schema, info.Path, rows)
	if withDict {
		checkStatistics(t, info.Path, dict)
	}
}

// testDictionaries gives dictionaries for the code and kommune columns of
// tbl and its delivery id column: the values the rows use and more.
func testDictionaries(tbl *contract.Table, id string, rows []row) store.Dictionaries {
	dict := store.Dictionaries{store.DeliveryIDColumn: {"00000000T000000", id, "99999999T999999"}}
	for i, c := range tbl.Cols {
		switch {
		case c.Personal:
		case c.Type == contract.Code:
			dict[c.Name] = append([]string{"!", "~"}, c.Codes...)
		case c.Type == contract.Kommune:
			vals := []string{"0000", "9999"}
			for _, r := range rows {
				if r.values[i] != "" {
					vals = append(vals, r.values[i])
				}
			}
			dict[c.Name] = vals
		}
	}
	return dict
}

// checkStatistics checks, with DuckDB's reading of the footer, that each
// row group's min and max of every dictionary column are the least and
// greatest value the group holds, not the dictionary's bounds.
func checkStatistics(t *testing.T, path string, dict store.Dictionaries) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for col := range dict {
		q := fmt.Sprintf(`WITH f AS (SELECT *, (file_row_number // 1000) AS rg FROM read_parquet('%s', file_row_number = true)),
			a AS (SELECT rg, min(%[2]s) AS lo, max(%[2]s) AS hi FROM f GROUP BY rg),
			m AS (SELECT row_group_id AS rg, stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('%[1]s') WHERE path_in_schema = '%[2]s')
			SELECT count(*), count(*) FILTER (WHERE a.lo IS DISTINCT FROM m.lo OR a.hi IS DISTINCT FROM m.hi) FROM a JOIN m USING (rg)`, path, col)
		var groups, wrong int
		if err := db.QueryRow(q).Scan(&groups, &wrong); err != nil {
			t.Fatalf("%s: %v", col, err)
		}
		if groups != 3 || wrong != 0 {
			t.Errorf("%s: %d of %d row groups have statistics other than their values' bounds", col, wrong, groups)
		}
	}
}

// checkInfo checks the file's size and digest against the bytes on disk.
func checkInfo(t *testing.T, info store.Info) {
	t.Helper()
	data, err := os.ReadFile(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(data)) != info.Bytes {
		t.Errorf("Info.Bytes = %d, file has %d", info.Bytes, len(data))
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(data)); got != info.SHA256 {
		t.Errorf("Info.SHA256 = %s, file's is %s", info.SHA256, got)
	}
}

func compare(t *testing.T, reader string, got, want [][]string, schema *arrow.Schema) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", reader, len(got), len(want))
	}
	bad := 0
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				bad++
				if bad <= 5 {
					t.Errorf("%s: row %d column %s = %q, want %q", reader, i, schema.Field(j).Name, got[i][j], want[i][j])
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d differences in all", reader, bad)
	}
}

// checkNoPersonalData asserts that no personal column is in the schema and
// that neither the canaries nor any input identity number appears in the
// file's bytes, plain or base64.
func checkNoPersonalData(t *testing.T, tbl *contract.Table, schema *arrow.Schema, path string, rows []row) {
	t.Helper()
	for _, c := range tbl.Cols {
		if c.Personal && schema.HasField(c.Name) {
			t.Errorf("schema has personal column %s", c.Name)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{canaryName, canaryFnr, canaryDUF}
	for _, r := range rows {
		for j, c := range tbl.Cols {
			if c.Personal && r.values[j] != "" && (c.Type == contract.IDNumber || c.Type == contract.DUF) {
				secrets = append(secrets, r.values[j])
			}
		}
	}
	for _, s := range secrets {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))} {
			if bytes.Contains(data, []byte(form)) {
				t.Fatalf("personal value found in %s", filepath.Base(path))
			}
		}
	}
}

// TestSchemaMapping states the pseudonymised form of three tables by hand.
func TestSchemaMapping(t *testing.T) {
	ts := "timestamp[us, tz=UTC]"
	tests := []struct {
		source, table string
		want          []string
	}{
		{"nir", "personer", []string{
			"person: utf8", "fodselsaar: int32", "kjonn: utf8", "statsborgerskap: utf8?", "landbakgrunn: utf8?",
			"innvandringsgrunn: utf8?", "bostedskommune: utf8?", "endret_tidspunkt: " + ts,
			"delivery_id: utf8", "source_line: int64"}},
		{"nir", "timer", []string{
			"person: utf8", "kommunenummer: utf8", "maaned: date32", "tiltak: utf8", "program: utf8",
			"timer: float64", "fravaer_timer: float64?", "registrert_tidspunkt: " + ts,
			"delivery_id: utf8", "source_line: int64"}},
		{"bosetting", "personer", []string{
			"person: utf8", "fodselsaar: int32", "alder_bosatt: int32?", "alder_vedtak: int32?", "kjonn: utf8", "nasjonalitet: utf8?", "kategori: utf8",
			"enslig_mindreaarig: bool", "familie_id: utf8?", "vedtak_dato: date32", "bosatt_dato: date32?",
			"kommunenummer: utf8?", "fra: utf8", "avtalt_selvbosetting: bool", "skjult_identitet: bool",
			"sist_endret: " + ts, "delivery_id: utf8", "source_line: int64"}},
		{"bosetting", "anmodninger", []string{
			"aar: int64", "kommunenummer: utf8", "anmodet: int64", "anmodet_em: int64?", "vedtatt: int64?",
			"vedtatt_em: int64?", "delivery_id: utf8", "source_line: int64"}},
	}
	for _, tt := range tests {
		tbl, ok := contract.Lookup(tt.source, tt.table)
		if !ok {
			t.Fatalf("no table %s/%s", tt.source, tt.table)
		}
		var got []string
		for _, f := range store.Schema(tbl).Fields() {
			s := f.Name + ": " + f.Type.String()
			if f.Nullable {
				s += "?"
			}
			got = append(got, s)
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s/%s:\ngot  %q\nwant %q", tt.source, tt.table, got, tt.want)
		}
	}
}

// TestTimestampDST checks the Oslo → UTC conversion around the changes of
// summer time against offsets worked out by hand (CET = UTC+1, CEST = UTC+2).
func TestTimestampDST(t *testing.T) {
	tests := []struct{ local, utc string }{
		{"2017-03-26 01:30:00", "2017-03-26T00:30:00Z"}, // CET, before the change
		{"2017-03-26 03:30:00", "2017-03-26T01:30:00Z"}, // CEST, after
		{"2017-10-29 01:30:00", "2017-10-28T23:30:00Z"}, // CEST, before the change back
		{"2017-10-29 03:30:00", "2017-10-29T02:30:00Z"}, // CET, after
		{"2017-12-31 23:59:59", "2017-12-31T22:59:59Z"},
		{"2018-07-01 00:00:00", "2018-06-30T22:00:00Z"},
	}
	tbl, _ := contract.Lookup("tolk", "tolk_sprak")
	b := store.NewBuilder(tbl, len(tests))
	defer b.Release()
	for i, tt := range tests {
		if err := b.Append([]string{"7", "som", "1", "2017-01-01", "", tt.local}, "", "d", int64(i+2)); err != nil {
			t.Fatal(err)
		}
	}
	rec := b.Flush()
	defer rec.Release()
	col := rec.Column(rec.Schema().FieldIndices("endret_tidspunkt")[0])
	for i, tt := range tests {
		got := time.UnixMicro(int64(col.(interface{ Value(int) arrow.Timestamp }).Value(i))).UTC().Format(time.RFC3339)
		if got != tt.utc {
			t.Errorf("%s Oslo = %s, want %s", tt.local, got, tt.utc)
		}
	}
}
