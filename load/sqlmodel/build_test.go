package sqlmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// openConn opens an in-memory DuckDB and loads the relations the valid fixture
// reads as TEMP tables, which only this connection sees.
func openConn(t *testing.T) *sql.Conn {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	exec(t, conn, `CREATE TEMP TABLE kommune (kode VARCHAR, navn VARCHAR, aar INTEGER)`)
	exec(t, conn, `INSERT INTO kommune VALUES ('0301', 'Oslo', 2020), ('0301', 'Oslo', 2020),
		('5001', 'Trondheim', 2020), ('0301', 'Oslo', 2021)`)
	exec(t, conn, `CREATE TEMP TABLE bosetting (person_id VARCHAR, kommune VARCHAR, aar INTEGER)`)
	exec(t, conn, `INSERT INTO bosetting VALUES ('p1', '0301', 2020), ('p2', '0301', 2020), ('p3', '5001', 2020),
		('p4', '9999', 2020), ('p5', '0301', 2021), ('p6', '0301', 2021), ('p7', '0301', 2021)`)
	return conn
}

func exec(t *testing.T, conn *sql.Conn, q string) {
	t.Helper()
	if _, err := conn.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// query returns every row of q with its values joined by "|".
func query(t *testing.T, conn *sql.Conn, q string) []string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var out []string
	err = scanRows(rows, func(_ []string, v []any) error {
		out = append(out, strings.Join(texts(v), "|"))
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// kinds returns each model's kind in the catalog, "name:VIEW" or "name:BASE TABLE".
func kinds(t *testing.T, conn *sql.Conn) []string {
	return query(t, conn, `SELECT table_name || ':' || table_type FROM information_schema.tables
		WHERE table_catalog = current_database() ORDER BY table_name`)
}

// buildAll builds models and returns each built one as "name:rows", checking
// that each took time.
func buildAll(t *testing.T, conn *sql.Conn, models []*Model) []string {
	t.Helper()
	built, err := Build(context.Background(), conn, models)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range built {
		got = append(got, b.Name+":"+texts([]any{b.Rows})[0])
		if b.Duration <= 0 {
			t.Errorf("%s: duration %v", b.Name, b.Duration)
		}
	}
	return got
}

func TestBuild(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t)
	p := parseFixture(t, "valid")

	got := buildAll(t, conn, p.Models)
	want := []string{"bosatte:-1", "kommune_navn:3", "indikator:4", "land:-1", "andel:4"}
	if !slices.Equal(got, want) {
		t.Errorf("built %v, want %v", got, want)
	}
	wantKinds := []string{"andel:BASE TABLE", "bosatte:VIEW", "indikator:BASE TABLE", "kommune_navn:BASE TABLE", "land:VIEW"}
	if got := kinds(t, conn); !slices.Equal(got, wantKinds) {
		t.Errorf("catalog %v, want %v", got, wantKinds)
	}
	checkRows := func(q string, want ...string) {
		t.Helper()
		if got := query(t, conn, q); !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", q, got, want)
		}
	}
	checkRows(`SELECT kommune, aar, navn, antall FROM indikator ORDER BY aar, kommune`,
		"0301|2020|Oslo|2", "5001|2020|Trondheim|1", "9999|2020|NULL|1", "0301|2021|Oslo|3")
	checkRows(`SELECT aar, antall FROM land ORDER BY aar`, "2020|4", "2021|3")
	checkRows(`SELECT kommune, aar, andel FROM andel ORDER BY aar, kommune`,
		"0301|2020|0.5", "5001|2020|0.25", "9999|2020|0.25", "0301|2021|1")

	// A changed input: the view bosatte sees the new row at once; the tables
	// that read it only when rebuilt, here land and what it needs.
	exec(t, conn, `INSERT INTO bosetting VALUES ('p8', '5001', 2021)`)
	checkRows(`SELECT count(*) FROM indikator`, "4")
	upToLand, err := p.Upstream("land")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(ctx, conn, upToLand); err != nil {
		t.Fatal(err)
	}
	checkRows(`SELECT kommune, aar, navn, antall FROM indikator WHERE aar = 2021 ORDER BY kommune`,
		"0301|2021|Oslo|3", "5001|2021|NULL|1")
	checkRows(`SELECT aar, antall FROM land ORDER BY aar`, "2020|4", "2021|4")

	// A changed materialization replaces the other kind of object.
	p.Model("land").Materialized = Table
	p.Model("andel").Materialized = View
	if got := buildAll(t, conn, []*Model{p.Model("land"), p.Model("andel")}); !slices.Equal(got, []string{"land:2", "andel:-1"}) {
		t.Errorf("rebuilt %v, want land with 2 rows and the view andel", got)
	}
	wantKinds = []string{"andel:VIEW", "bosatte:VIEW", "indikator:BASE TABLE", "kommune_navn:BASE TABLE", "land:BASE TABLE"}
	if got := kinds(t, conn); !slices.Equal(got, wantKinds) {
		t.Errorf("catalog %v, want %v", got, wantKinds)
	}
	checkRows(`SELECT count(*), sum(andel) FROM andel`, "5|2")
}

// TestMacroReplacesOtherKinds changes a model from a view to a table macro
// and back: DuckDB keeps macros apart from tables and views, so without a
// drop the old object would stay and be read under the model's name.
func TestMacroReplacesOtherKinds(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t)
	m := &Model{Name: "m", Path: "m.sql", Materialized: View, SQL: "SELECT 1 AS x"}
	build := func(kind string, wantKinds []string, wantMacros string) {
		t.Helper()
		m.Materialized = kind
		if kind == Macro {
			m.Parameters = []string{"n"}
			m.SQL = "SELECT n AS x"
		} else {
			m.Parameters, m.SQL = nil, "SELECT 1 AS x"
		}
		if _, err := Build(ctx, conn, []*Model{m}); err != nil {
			t.Fatalf("as a %s: %v", kind, err)
		}
		if got := kinds(t, conn); !slices.Equal(got, wantKinds) {
			t.Errorf("as a %s: catalog %v, want %v", kind, got, wantKinds)
		}
		if got := query(t, conn, `SELECT count(*) FROM duckdb_functions() WHERE function_type = 'table_macro' AND function_name = 'm'`); !slices.Equal(got, []string{wantMacros}) {
			t.Errorf("as a %s: %v table macros named m, want %s", kind, got, wantMacros)
		}
	}
	build(View, []string{"m:VIEW"}, "0")
	build(Macro, nil, "1")
	build(Table, []string{"m:BASE TABLE"}, "0")
}

func TestBuildError(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t)
	models := []*Model{
		{Name: "ok", Path: "m/ok.sql", Materialized: Table, SQL: "SELECT 1 AS x -- trailing comment"},
		{Name: "broken", Path: "m/broken.sql", Materialized: View, SQL: "SELECT * FROM nosuch"},
		{Name: "after", Path: "m/after.sql", Materialized: View, SQL: "SELECT 1 AS x"},
	}
	built, err := Build(ctx, conn, models)
	if err == nil || !strings.HasPrefix(err.Error(), "model broken (m/broken.sql): creating the view: ") || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("Build error %v, want one naming the model, its file and the missing table", err)
	}
	if len(built) != 1 || built[0].Name != "ok" || built[0].Rows != 1 {
		t.Errorf("built %+v, want only ok with one row", built)
	}
	if got := kinds(t, conn); !slices.Equal(got, []string{"ok:BASE TABLE"}) {
		t.Errorf("catalog %v: Build went on after the failure", got)
	}

	_, err = Build(ctx, conn, []*Model{{Name: "m", Path: "m.sql", Materialized: "tabel", SQL: "SELECT 1"}})
	if err == nil || !strings.Contains(err.Error(), `model m (m.sql): materialized must be view, table or macro, not "tabel"`) {
		t.Errorf("Build with a bad materialization: %v", err)
	}
}

// scanRows calls row for each row of rows, with its column names and values, and closes rows.
func scanRows(rows *sql.Rows, row func(cols []string, values []any) error) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		v := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range v {
			ptrs[i] = &v[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := row(cols, v); err != nil {
			return err
		}
	}
	return errors.Join(rows.Err(), rows.Close())
}

// texts turns values cast to VARCHAR into strings, NULL into "NULL".
func texts(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		switch x := x.(type) {
		case nil:
			out[i] = "NULL"
		case string:
			out[i] = x
		default:
			out[i] = fmt.Sprint(x)
		}
	}
	return out
}

// firstRow returns the first row query returns, each value as text.
func firstRow(t *testing.T, db Queryer, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT COLUMNS(*)::VARCHAR FROM (\n"+query+"\n) LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if err := scanRows(rows, func(_ []string, v []any) error { out = texts(v); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}
