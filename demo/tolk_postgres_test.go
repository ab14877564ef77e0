package demo

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"integstat/extract/contract"
	"integstat/internal/pgtest"
)

// tolkPGTypes are the native types each column must have.
var tolkPGTypes = map[string]string{
	"tolk_id": "integer", "fnr": "character", "fornavn": "text", "etternavn": "text",
	"epost": "text", "telefon": "text", "kjonn": "character", "fodselsaar": "integer",
	"bostedskommune": "character", "statsautorisert": "boolean", "tolkeutdanning": "boolean",
	"registrert_dato": "date", "avregistrert_dato": "date", "endret_tidspunkt": "timestamp without time zone",
	"sprak": "character", "kategori": "integer", "gyldig_fra": "date", "gyldig_til": "date",
}

// pgAsFile returns an SQL expression giving column c of PostgreSQL type
// typ in the delivery files' text form ("" for null).
func pgAsFile(c, typ string) string {
	var e string
	switch typ {
	case "date":
		e = "to_char(" + c + ", 'YYYY-MM-DD')"
	case "timestamp without time zone":
		e = "to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS')"
	case "boolean":
		e = "CASE WHEN " + c + " THEN 'J' ELSE 'N' END"
	default:
		e = c + "::text"
	}
	return "coalesce(" + e + ", '')"
}

// pgTable reads table tab back in the files' text form, one string per row
// (fields joined by ';'), sorted, after checking the column types and the
// primary key.
func pgTable(t *testing.T, conn *pgx.Conn, tab *contract.Table) []string {
	t.Helper()
	query := func(sql string, args ...any) []string {
		rows, _ := conn.Query(context.Background(), sql, args...)
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	types := map[string]string{}
	for _, ct := range query(`SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = $1`, tab.Name) {
		c, typ, _ := strings.Cut(ct, " ")
		types[c] = typ
	}
	if len(types) != len(tab.Cols) {
		t.Errorf("%s has %d columns, want %d", tab.Name, len(types), len(tab.Cols))
	}
	var exprs []string
	for _, c := range tab.Cols {
		if types[c.Name] != tolkPGTypes[c.Name] {
			t.Errorf("%s.%s has type %q, want %q", tab.Name, c.Name, types[c.Name], tolkPGTypes[c.Name])
		}
		exprs = append(exprs, pgAsFile(c.Name, types[c.Name]))
	}
	key := query(`SELECT a.attname::text FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`, tab.Name)
	if !slices.Equal(key, tab.Key) {
		t.Errorf("%s has primary key %v, want %v", tab.Name, key, tab.Key)
	}
	out := query("SELECT concat_ws(';', " + strings.Join(exprs, ", ") + ") FROM " + tab.Name)
	slices.Sort(out)
	return out
}

// fileTable gives the rows of a read-back file in the same form.
func fileTable(tab *contract.Table, rows []map[string]string) []string {
	var out []string
	for _, r := range rows {
		var f []string
		for _, c := range tab.Cols {
			f = append(f, r[c.Name])
		}
		out = append(out, strings.Join(f, ";"))
	}
	slices.Sort(out)
	return out
}

// TestTolkPostgres writes a replica into a real PostgreSQL server and
// checks that the tables have native types and the contract's keys and
// hold the same rows as the newest file snapshot; that opening again
// empties them; and that two replicas load side by side.
func TestTolkPostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	ctx := context.Background()
	ids := newIDAllocator()
	m, err := newTolk(newWorld(1, 0, ids), 1, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	newest := writeTolkSnapshots(t, m, t.TempDir())[2017]

	db, err := openTolkDB(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.writePostgres(ctx, db); err != nil {
		t.Fatal(err)
	}
	db.close()

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var tolkRows []map[string]string
	for _, r := range newest.tolk {
		tolkRows = append(tolkRows, r)
	}
	for _, c := range []struct {
		name string
		rows []map[string]string
	}{{"tolk", tolkRows}, {"tolk_sprak", newest.sprak}} {
		tab, _ := contract.Lookup("tolk", c.name)
		got, want := pgTable(t, conn, tab), fileTable(tab, c.rows)
		if len(got) != len(want) {
			t.Errorf("%s: %d rows in the database, %d in the newest file", c.name, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: database and file differ, e.g. row %d of %d", c.name, i, len(got))
				break
			}
		}
	}

	// Opening again starts afresh; a second replica's rows join the first's.
	db, err = openTolkDB(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.close()
	count := func() (n int) {
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM tolk").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("%d rows left after opening again, want 0", n)
	}
	m2, err := newTolk(newWorld(1, 1, ids), 1, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*tolkModel{m, m2} {
		if err := x.writePostgres(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := m.stateAt(tolkNewest)
	b, _ := m2.stateAt(tolkNewest)
	if n := count(); n != len(a)+len(b) {
		t.Errorf("%d rows after two replicas, want %d", n, len(a)+len(b))
	}
}

// TestOpenTolkDBHidesPassword checks that a failed connection names no
// password from the DSN.
func TestOpenTolkDBHidesPassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://tolk:S3cretPw@127.0.0.1:1/register?sslmode=disable&connect_timeout=2",
		"host=127.0.0.1 port=1 user=tolk password=S3cretPw connect_timeout=2",
		"postgres://tolk:S3cretPw@127.0.0.1:notaport/register",
	} {
		_, err := openTolkDB(context.Background(), dsn)
		if err == nil {
			t.Fatalf("connected to a closed port")
		}
		if strings.Contains(err.Error(), "S3cretPw") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}
