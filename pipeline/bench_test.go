package pipeline

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"integstat/delivery"
	"integstat/internal/peak"
)

// benchDelivery is the NIR delivery the benchmarks read: the directory in
// INTEGSTAT_BENCH_DELIVERY (make bench sets it to the newest NIR delivery of
// the set it generated), or a small generated one.
func benchDelivery(b *testing.B) string {
	if d := os.Getenv("INTEGSTAT_BENCH_DELIVERY"); d != "" {
		return d
	}
	b.Skip("set INTEGSTAT_BENCH_DELIVERY to a NIR delivery directory (make bench does)")
	return ""
}

// BenchmarkIngestNIR ingests one NIR delivery end to end (verify, validate,
// pseudonymise, Parquet, ledger) and reports rows/s and peak RSS.
func BenchmarkIngestNIR(b *testing.B) {
	dir := benchDelivery(b)
	inbox := b.TempDir()
	if err := os.MkdirAll(filepath.Join(inbox, "nir"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(inbox, "nir", filepath.Base(dir))); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var rows int64
	for i := 0; i < b.N; i++ {
		wh, key := newWarehouse(b)
		sum, err := Ingest(ctx, IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true})
		if err != nil || sum.Loaded != 1 {
			b.Fatalf("%+v %v", sum, err)
		}
		rows += sum.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peak.MiB(peak.RSS()), "peakRSS-MiB")
}

// BenchmarkDuckDBOneLiner times DuckDB's own one-liner on the same
// delivery's timer.csv, which hashes the number and validates nothing: the
// yardstick the ingest stage is measured against.
func BenchmarkDuckDBOneLiner(b *testing.B) {
	dir := benchDelivery(b)
	m, err := delivery.ReadManifest(dir)
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, f := range m.Files {
		if f.Name == "timer.csv" {
			n = f.Rows
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	out := filepath.Join(b.TempDir(), "timer.parquet")
	q := `COPY (SELECT sha256(fnr) AS person, kommunenummer, maaned, tiltak, program, timer, fravaer_timer, registrert_tidspunkt
		FROM read_csv('` + filepath.Join(dir, "timer.csv") + `', delim=';', header=true, all_varchar=true))
		TO '` + out + `' (FORMAT parquet, COMPRESSION zstd)`
	for i := 0; i < b.N; i++ {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
