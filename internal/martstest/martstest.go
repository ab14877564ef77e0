// Package martstest holds the helpers of the tests that build marts: a
// warehouse from an inbox, a build, reading a figure as of a date the way
// marts.md promises, and the checks every published mart must pass. The
// marts tests and the end-to-end test on the demo registers share them.
package martstest

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"integstat/marts"
	"integstat/pipeline"
	"integstat/pseudo"
	"integstat/warehouse"
)

// Ingest loads inbox into a new warehouse in a temporary directory, with a
// key of its own, and returns the warehouse (closed when the test ends).
func Ingest(t testing.TB, inbox string) *warehouse.Warehouse {
	t.Helper()
	wh, _ := IngestWithKey(t, inbox)
	return wh
}

// IngestWithKey is Ingest, also returning the warehouse's key.
func IngestWithKey(t testing.TB, inbox string) (*warehouse.Warehouse, *pseudo.Key) {
	t.Helper()
	ctx := context.Background()
	wh, err := warehouse.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	key, err := pseudo.GenerateKeyFile(filepath.Join(wh.Restricted(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Ingest(ctx, pipeline.IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true}); err != nil {
		t.Fatal(err)
	}
	return wh, key
}

// Build builds and publishes the marts, failing the test on error.
func Build(t testing.TB, wh *warehouse.Warehouse, asOf time.Time) *marts.Result {
	t.Helper()
	res, err := marts.Build(context.Background(), marts.Options{Warehouse: wh, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// OpenMart opens a file of the current publication read-only.
func OpenMart(t testing.TB, wh *warehouse.Warehouse, file string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(wh.Marts(), file)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// AsOfQuery is the one query marts.md promises: the value of a figure as
// of a date, from indikator_historikk and tilstand.
const AsOfQuery = `SELECT h.verdi, h.teller, h.nevner, h.status, h.data_per
FROM indikator_historikk h
JOIN indikator_katalog k USING (indikator)
JOIN tilstand t ON t.kilde = k.kilde AND t.data_per = h.data_per
WHERE h.indikator = ? AND h.aar = ? AND h.niva = ? AND h.region = ?
  AND t.data_per <= CAST(? AS DATE) AND (t.gyldig_til IS NULL OR CAST(? AS DATE) < t.gyldig_til)`

// Value is one figure as a mart holds it.
type Value struct {
	Verdi          sql.NullFloat64
	Teller, Nevner sql.NullInt64
	Status         string
	DataPer        time.Time
	Found          bool
}

// ValueAsOf reads one figure as of a date (the zero date: the newest state).
func ValueAsOf(t testing.TB, db *sql.DB, ind string, year int, level, region string, asOf time.Time) Value {
	t.Helper()
	day := "9999-12-31"
	if !asOf.IsZero() {
		day = asOf.Format(time.DateOnly)
	}
	var v Value
	err := db.QueryRow(AsOfQuery, ind, year, level, region, day, day).Scan(&v.Verdi, &v.Teller, &v.Nevner, &v.Status, &v.DataPer)
	if err == sql.ErrNoRows {
		return v
	}
	if err != nil {
		t.Fatalf("%s %d %s %s: %v", ind, year, level, region, err)
	}
	v.Found = true
	return v
}

// CheckPublished checks the current publication's published mart: only
// the tables the portal reads, no column of microdata, no value where the
// status is ':', statuses from the documented set, and no suppressed
// value the attack can derive exactly.
func CheckPublished(t *testing.T, wh interface{ Marts() string }) {
	t.Helper()
	pub, err := sql.Open("duckdb", filepath.Join(wh.Marts(), marts.PublishedFile)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ana, err := sql.Open("duckdb", filepath.Join(wh.Marts(), marts.AnalysisFile)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer ana.Close()
	rows, err := pub.Query(`SELECT table_name, column_name FROM information_schema.columns ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]bool{}
	for rows.Next() {
		var tb, col string
		if err := rows.Scan(&tb, &col); err != nil {
			t.Fatal(err)
		}
		tables[tb] = true
		switch col {
		case "person", "fnr", "duf", "tolk_id", "fodselsaar", "familie_id", "source_line":
			t.Errorf("published mart has microdata column %s.%s", tb, col)
		}
	}
	rows.Close()
	for tb := range tables {
		switch tb {
		case "indikator", "indikator_historikk", "region", "region_kode", "indikator_katalog", "tilstand", "publikasjon", "indikator_dagens_inndeling":
		default:
			t.Errorf("published mart has table %s", tb)
		}
	}
	var leaks, bad, suppressed int
	if err := pub.QueryRow(`SELECT count(*) FILTER (WHERE status = ':' AND (verdi IS NOT NULL OR teller IS NOT NULL OR nevner IS NOT NULL)),
		count(*) FILTER (WHERE status NOT IN ('', 'p', ':')), count(*) FILTER (WHERE status = ':')
		FROM indikator_historikk`).Scan(&leaks, &bad, &suppressed); err != nil {
		t.Fatal(err)
	}
	if leaks > 0 || bad > 0 || suppressed == 0 {
		t.Errorf("published mart: %d suppressed values with a value, %d bad statuses, %d suppressed", leaks, bad, suppressed)
	}
	if err := pub.QueryRow(`SELECT count(*) FROM indikator_dagens_inndeling WHERE status = ':' AND verdi IS NOT NULL`).Scan(&leaks); err != nil || leaks > 0 {
		t.Errorf("today's structure: %d suppressed sums with a value (%v)", leaks, err)
	}
	// National figures are never suppressed.
	var national int
	if err := pub.QueryRow(`SELECT count(*) FROM indikator_historikk WHERE niva = 'land' AND status = ':'`).Scan(&national); err != nil {
		t.Fatal(err)
	}
	if national > 0 {
		t.Errorf("%d national figures suppressed", national)
	}
	cat, err := marts.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	derivable, _, err := marts.AttackPublished(context.Background(), pub, ana, cat)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range derivable {
		if i < 10 {
			t.Errorf("suppressed value derivable from the published ones: %s %d %s %s", f.Indicator, f.Year, f.Level, f.Region)
		}
	}
}
