package delivery

import (
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestDuckDBReadsCSV cross-checks the writer's CSV with an independent
// reader: DuckDB must see the same values, with empty fields as NULL.
func TestDuckDBReadsCSV(t *testing.T) {
	header := []string{"fnr", "adresse", "merknad"}
	rows := [][]string{
		{"01017012345", "Storgata 1; 2. etg", `sa "hei"`},
		{"02028054321", "Linje 1\nLinje 2", ""},
		{"03039098765", " innrykket ", "Bør følge opp: æøå ÆØÅ"},
		{"04049012345", "", "\"\";;"},
	}
	for _, opt := range []CSVOptions{{}, {BOM: true, CRLF: true}} {
		dir := t.TempDir()
		f, err := Create(dir, "personer.csv")
		if err != nil {
			t.Fatal(err)
		}
		writeCSV(t, f, header, rows, opt)
		if _, err := f.Close(); err != nil {
			t.Fatal(err)
		}

		got := queryStrings(t, `SELECT fnr, adresse, merknad FROM read_csv(?, delim=';', header=true, quote='"', all_varchar=true)`,
			filepath.Join(dir, "personer.csv"))
		if !reflect.DeepEqual(got, rows) {
			t.Errorf("options %+v: DuckDB read\n%q\nwant\n%q", opt, got, rows)
		}
	}
}

// TestDuckDBReadsJSONLGzip cross-checks the gzipped JSON Lines writer.
func TestDuckDBReadsJSONLGzip(t *testing.T) {
	keys := []string{"duf", "fnr", "navn", "enslig_mindreaarig", "antall", "andel"}
	rows := [][]any{
		{"201700000001", "01017012345", "Kari \"K\" Nordmann\n", false, 3, 0.25},
		{"201700000002", nil, "Åse æøå\t\\", true, -7, 1.5},
	}
	dir := t.TempDir()
	f, err := Create(dir, "personer.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	j := NewJSONLWriter(f, true)
	for _, r := range rows {
		if err := j.Write(keys, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Close(); err != nil {
		t.Fatal(err)
	}

	got := queryStrings(t, `SELECT duf, fnr, navn, enslig_mindreaarig::VARCHAR, antall::VARCHAR, andel::VARCHAR
		FROM read_json(?, format='newline_delimited')`, filepath.Join(dir, "personer.jsonl.gz"))
	want := [][]string{
		{"201700000001", "01017012345", "Kari \"K\" Nordmann\n", "false", "3", "0.25"},
		{"201700000002", "", "Åse æøå\t\\", "true", "-7", "1.5"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DuckDB read\n%q\nwant\n%q", got, want)
	}
}

// queryStrings runs query in a fresh in-memory DuckDB and returns the rows
// as strings, NULL as "".
func queryStrings(t *testing.T, query string, args ...any) [][]string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
