package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"integstat/load/warehouse"
	"integstat/readers/portal"
	"integstat/schedules"
)

func init() {
	register(command{
		name:    "serve",
		summary: "serve the published marts: the portal's API (JSON, CSV, JSON-stat) and pages; reloads when a new publication lands",
		run:     runServe,
	})
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	dir := fs.String("warehouse", "", "the warehouse `DIR` (required); serves DIR/marts/publisert.duckdb only")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	cadenceFlag := fs.String("cadence", "", "expected delivery `cadence` per source for the pages' footer, e.g. nir=31d,bosetting=1d,tolk=7d (the defaults)")
	schedule := fs.String("schedule", "", "the schedule `FILE` whose release calendar the pages announce (the next release)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("%w: --warehouse is required", errUsage)
	}
	cadence, err := warehouse.ParseCadence(*cadenceFlag)
	if err != nil {
		return fmt.Errorf("%w: --cadence: %v", errUsage, err)
	}
	opt := portal.Options{Warehouse: *dir, Cadence: cadence, Log: slog.Default()}
	if *schedule != "" {
		s, err := schedules.Load(*schedule)
		if err != nil {
			return err
		}
		opt.NextRelease = s.NextRelease
	}
	srv, err := portal.New(ctx, opt)
	if err != nil {
		return err
	}
	return srv.ListenAndServe(ctx, *addr, func(a net.Addr) {
		fmt.Fprintf(stdout, "serving publication %s on http://%s/\n", srv.Publication().ID, a)
	})
}
