package marts_test

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

// ingest loads inbox into a new warehouse in a temporary directory, with a
// key of its own, and returns the warehouse (closed when the test ends).
func ingest(t testing.TB, inbox string) *warehouse.Warehouse {
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
	return wh
}

// build builds and publishes the marts, failing the test on error.
func build(t testing.TB, wh *warehouse.Warehouse, asOf time.Time) *marts.Result {
	t.Helper()
	res, err := marts.Build(context.Background(), marts.Options{Warehouse: wh, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// openMart opens a file of the current publication read-only.
func openMart(t testing.TB, wh *warehouse.Warehouse, file string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(wh.Marts(), file)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// asOfQuery is the one query marts.md promises: the value of a figure as
// of a date, from indikator_historikk and tilstand.
const asOfQuery = `SELECT h.verdi, h.teller, h.nevner, h.status, h.data_per
FROM indikator_historikk h
JOIN indikator_katalog k USING (indikator)
JOIN tilstand t ON t.kilde = k.kilde AND t.data_per = h.data_per
WHERE h.indikator = ? AND h.aar = ? AND h.niva = ? AND h.region = ?
  AND t.data_per <= CAST(? AS DATE) AND (t.gyldig_til IS NULL OR CAST(? AS DATE) < t.gyldig_til)`

// value is one figure as a mart holds it.
type value struct {
	Verdi          sql.NullFloat64
	Teller, Nevner sql.NullInt64
	Status         string
	DataPer        time.Time
	Found          bool
}

// valueAsOf reads one figure as of a date (the zero date: the newest state).
func valueAsOf(t testing.TB, db *sql.DB, ind string, year int, level, region string, asOf time.Time) value {
	t.Helper()
	day := "9999-12-31"
	if !asOf.IsZero() {
		day = asOf.Format(time.DateOnly)
	}
	var v value
	err := db.QueryRow(asOfQuery, ind, year, level, region, day, day).Scan(&v.Verdi, &v.Teller, &v.Nevner, &v.Status, &v.DataPer)
	if err == sql.ErrNoRows {
		return v
	}
	if err != nil {
		t.Fatalf("%s %d %s %s: %v", ind, year, level, region, err)
	}
	v.Found = true
	return v
}
