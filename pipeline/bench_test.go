package pipeline

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"integstat/extract/delivery"
	"integstat/internal/peak"
	"integstat/internal/testkit/ingesttest"
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

// BenchmarkIngestNIR ingests one NIR delivery end to end (verify, link the
// identity numbers, validate, pseudonymise, Parquet, ledger) into a new
// warehouse and reports rows/s of the whole delivery; timer-rows/s, the
// rows of timer.csv over the time loading that table took (read, validate,
// check keys, pseudonymise, encode, write Parquet and quarantine: what
// BenchmarkDuckDBOneLiner's one-liner does to the same file, and more); and
// the peak RSS of the process so far.
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
	var rows, timerRows int64
	var timerSeconds, timerCPU float64
	for i := 0; i < b.N; i++ {
		wh, key := ingesttest.Warehouse(b, b.TempDir())
		tables := &tableTimes{}
		sum, err := Ingest(ctx, IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true, Log: slog.New(tables)})
		if err != nil || sum.Loaded != 1 {
			b.Fatalf("%+v %v", sum, err)
		}
		rows += sum.Rows
		timerRows += tables.rows["timer.csv"]
		timerSeconds += tables.seconds["timer.csv"]
		timerCPU += tables.cpu["timer.csv"]
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(timerRows)/timerSeconds, "timer-rows/s")
	b.ReportMetric(timerCPU/float64(b.N), "timer-cpu-s")
	b.ReportMetric(peak.MiB(peak.RSS()), "peakRSS-MiB")
}

// tableTimes is a slog handler that keeps the rows and seconds of the
// "table loaded" records of the ingest, by file, and the CPU time the
// process spent since the record before: the tables load one after the
// other, so that is the table's CPU time (with a little of what came
// between them).
type tableTimes struct {
	rows     map[string]int64
	seconds  map[string]float64
	cpu      map[string]float64
	lastCPU  float64
	sawFirst bool
}

// processCPU returns the user and system CPU seconds of the process.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func (h *tableTimes) Enabled(context.Context, slog.Level) bool { return true }
func (h *tableTimes) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *tableTimes) WithGroup(string) slog.Handler            { return h }

func (h *tableTimes) Handle(_ context.Context, r slog.Record) error {
	if !h.sawFirst {
		h.sawFirst, h.lastCPU = true, processCPU()
	}
	if r.Message != "table loaded" {
		return nil
	}
	if h.rows == nil {
		h.rows, h.seconds, h.cpu = map[string]int64{}, map[string]float64{}, map[string]float64{}
	}
	now := processCPU()
	var file string
	var rows int64
	var secs float64
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "file":
			file = a.Value.String()
		case "rows":
			rows = a.Value.Int64()
		case "seconds":
			secs = a.Value.Float64()
		}
		return true
	})
	h.rows[file] += rows
	h.seconds[file] += secs
	h.cpu[file] += now - h.lastCPU
	h.lastCPU = now
	return nil
}

// BenchmarkDuckDBOneLiner times DuckDB's own one-liner on the same
// delivery's timer.csv, which hashes the number and validates nothing: the
// yardstick the ingest stage is measured against. It reads the file with
// DuckDB's parallel CSV reader on every core, hashes fnr with sha256 and
// writes zstd Parquet, and reports rows/s of timer.csv, to compare with
// BenchmarkIngestNIR's timer-rows/s.
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
