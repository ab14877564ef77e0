package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"integstat/internal/peak"
	"integstat/pipeline"
)

func init() {
	register(command{
		name:    "ingest",
		summary: "load pending deliveries: verify, validate (bad rows to quarantine), pseudonymise, write Parquet",
		run:     runIngest,
	})
}

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ingest", stderr)
	in := addIngestFlags(fs)
	whDir := fs.String("warehouse", "", "warehouse `directory` (made if absent)")
	wait := fs.Bool("wait", false, "wait for the warehouse lock held by another process (a scheduled job) instead of refusing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := applyConfig(fs, *in.config); err != nil {
		return err
	}
	if !in.any() || *whDir == "" {
		return fmt.Errorf("%w: --warehouse and --inbox (or --tolk-dsn) are required", errUsage)
	}
	wh, closeWh, err := openLocked(ctx, *whDir, "integstat ingest", *wait)
	if err != nil {
		return err
	}
	defer closeWh()
	start := time.Now()
	opt, keyID, err := in.options(wh, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	res, err := pipeline.Run(ctx, opt)
	if sum := res.Ingest; sum != nil {
		secs := time.Since(start).Seconds()
		fmt.Fprintf(stdout, "ingest: %d deliveries loaded, %d skipped (loaded before), %d rejected, %d refused\n",
			sum.Loaded, sum.Skipped, sum.Rejected, sum.Refused)
		fmt.Fprintf(stdout, "ingest: %d rows read, %d quarantined, in %.1f s (%.0f rows/s), peak memory %.0f MiB, key id %s\n",
			sum.Rows, sum.Quarantined, secs, float64(sum.Rows)/secs, peak.MiB(peak.RSS()), keyID)
		fmt.Fprintf(stdout, "ingest: Parquet in %s, quarantine in %s\n", wh.Parquet(), wh.Quarantine())
	}
	return err
}
