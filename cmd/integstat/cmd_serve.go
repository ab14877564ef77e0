package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"integstat/serve"
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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("%w: --warehouse is required", errUsage)
	}
	srv, err := serve.New(ctx, serve.Options{Warehouse: *dir, Log: slog.Default()})
	if err != nil {
		return err
	}
	return srv.ListenAndServe(ctx, *addr, func(a net.Addr) {
		fmt.Fprintf(stdout, "serving publication %s on http://%s/\n", srv.Publication().ID, a)
	})
}
