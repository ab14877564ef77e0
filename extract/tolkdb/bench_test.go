package tolkdb

import (
	"context"
	"testing"
	"time"

	"integstat/demo"
	"integstat/internal/pgtest"
)

// BenchmarkReadFull measures a full read of the demo register at scale
// 0.05 (connection, snapshot, both tables formatted as delivery rows).
func BenchmarkReadFull(b *testing.B) {
	dsn := pgtest.Start(b)
	ctx := context.Background()
	if _, err := demo.Generate(ctx, demo.Options{Out: b.TempDir(), Seed: 1, Scale: 0.05, TolkPostgres: dsn, Log: discardLog()}); err != nil {
		b.Fatal(err)
	}
	s, err := New(dsn, Options{Logger: discardLog()})
	if err != nil {
		b.Fatal(err)
	}
	var rows int
	for b.Loop() {
		batch, err := s.Read(ctx, time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		rows = len(batch.Tolk) + len(batch.Sprak)
	}
	b.ReportMetric(float64(rows), "rows/op")
}
