package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"time"

	"integstat/demo"
	"integstat/internal/peak"
)

func init() {
	register(command{
		name:    "generate",
		summary: "write the demo registers: synthetic deliveries calibrated to IMDi's published figures",
		run:     runGenerate,
	})
}

func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("generate", stderr)
	out := fs.String("out", "", "output `directory` (inbox/, answer-key/ and redrop/ are made in it)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives byte-identical deliveries")
	scale := fs.Float64("scale", 1, "population `factor`: 1 reproduces the published figures, 10 and 100 are for benchmarks")
	bad := fs.Float64("bad-rate", demo.DefaultBadRate, "share of rows followed by a planted bad row; 0 plants no faults")
	pg := fs.String("tolk-postgres", "", "also write the interpreter register into this PostgreSQL `DSN` (or set INTEGSTAT_TOLK_DSN)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	if *pg == "" {
		*pg = os.Getenv("INTEGSTAT_TOLK_DSN")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	sum, err := demo.Generate(ctx, demo.Options{Out: *out, Seed: *seed, Scale: *scale, BadRate: *bad, TolkPostgres: *pg, Log: log})
	if err != nil {
		return err
	}
	var rows int64
	for _, d := range sum.Deliveries {
		for _, n := range d.Rows {
			rows += n
		}
	}
	fmt.Fprintf(stdout, "wrote %d deliveries (%d replica(s), %d planted faults) to %s/inbox in %s\n",
		len(sum.Deliveries), sum.Replicas, sum.Faults, *out, sum.Duration.Round(time.Millisecond))
	fmt.Fprintf(stdout, "%d rows, %.0f rows/s, peak memory %.0f MiB\n",
		rows, float64(rows)/sum.Duration.Seconds(), peak.MiB(peak.RSS()))
	for _, d := range sum.Deliveries {
		names := make([]string, 0, len(d.Rows))
		for n := range d.Rows {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stdout, "  %-10s %s", d.Source, d.ID)
		for _, n := range names {
			fmt.Fprintf(stdout, "  %s=%d", n, d.Rows[n])
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "answer key: %s/answer-key/faults.csv\n", *out)
	return nil
}
