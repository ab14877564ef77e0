package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"integstat/extract/tolkdb"
	"integstat/internal/peak"
	"integstat/pipeline"
	"integstat/pseudo"
	"integstat/warehouse"
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
	inbox := fs.String("inbox", "", "inbox `directory` of deliveries (<inbox>/<source>/<delivery_id>/)")
	whDir := fs.String("warehouse", "", "warehouse `directory` (made if absent)")
	keyFlag := fs.String("key-file", "", "pseudonymisation key `file` (or set "+pseudo.KeyFileEnv+"); make one with integstat keygen")
	synthetic := fs.Bool("allow-synthetic-ids", false, "accept synthetic identity numbers (month + 80): for demo and test data only")
	dsn := fs.String("tolk-dsn", "", "also read the interpreter register from this PostgreSQL `DSN` (or set "+tolkdb.EnvDSN+")")
	full := fs.Bool("tolk-full", false, "read the whole interpreter register, not only the changes since the last read")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dsn == "" {
		*dsn, _ = tolkdb.DSNFromEnv()
	}
	if (*inbox == "" && *dsn == "") || *whDir == "" {
		return fmt.Errorf("%w: --warehouse and --inbox (or --tolk-dsn) are required", errUsage)
	}
	keyPath, err := pseudo.KeyFile(*keyFlag)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	key, err := pseudo.LoadKey(keyPath)
	if err != nil {
		return err
	}
	wh, err := warehouse.Open(ctx, *whDir)
	if err != nil {
		return err
	}
	defer wh.Close()
	start := time.Now()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	opt := pipeline.IngestOptions{Inbox: *inbox, Warehouse: wh, Key: key, AllowSynthetic: *synthetic, Log: log}
	sum := &pipeline.IngestSummary{}
	if *inbox != "" {
		sum, err = pipeline.Ingest(ctx, opt)
	}
	if err == nil && *dsn != "" {
		src, serr := tolkdb.New(*dsn, tolkdb.Options{Full: *full, Logger: log})
		if serr != nil {
			return serr
		}
		var db *pipeline.IngestSummary
		if db, err = pipeline.IngestDB(ctx, opt, src); db != nil {
			sum.Loaded += db.Loaded
			sum.Rows += db.Rows
			sum.Quarantined += db.Quarantined
		}
	}
	if sum != nil {
		secs := time.Since(start).Seconds()
		fmt.Fprintf(stdout, "ingest: %d deliveries loaded, %d skipped (loaded before), %d rejected, %d refused\n",
			sum.Loaded, sum.Skipped, sum.Rejected, sum.Refused)
		fmt.Fprintf(stdout, "ingest: %d rows read, %d quarantined, in %.1f s (%.0f rows/s), peak memory %.0f MiB, key id %s\n",
			sum.Rows, sum.Quarantined, secs, float64(sum.Rows)/secs, peak.MiB(peak.RSS()), key.ID())
		fmt.Fprintf(stdout, "ingest: Parquet in %s, quarantine in %s\n", wh.Parquet(), wh.Quarantine())
	}
	return err
}
