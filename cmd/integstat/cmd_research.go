package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"integstat/pseudo"
	"integstat/research"
	"integstat/warehouse"
)

func init() {
	register(command{
		name:    "extract-research",
		summary: "deliver an approved research project's extract: re-keyed per project, k-anonymous, Parquet/CSV with codebook and manifest, logged in the warehouse",
		run:     runExtractResearch,
	})
}

func runExtractResearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("extract-research", stderr)
	projectFile := fs.String("project", "", "the project `file` (JSON, see docs/research.md)")
	whDir := fs.String("warehouse", "", "warehouse `directory`")
	out := fs.String("out", "", "output `directory` (new or empty)")
	keyFile := fs.String("key-file", "", "master key `file` (default: $"+pseudo.KeyFileEnv+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for _, f := range []struct{ name, value string }{{"--project", *projectFile}, {"--warehouse", *whDir}, {"--out", *out}} {
		if f.value == "" {
			return fmt.Errorf("%w: %s is required", errUsage, f.name)
		}
	}
	p, err := research.ReadProject(*projectFile)
	if err != nil {
		return err
	}
	path, err := pseudo.KeyFile(*keyFile)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	key, err := pseudo.LoadKey(path)
	if err != nil {
		return err
	}
	wh, err := warehouse.Open(ctx, *whDir)
	if err != nil {
		return err
	}
	defer wh.Close()
	m, err := research.Extract(ctx, research.Options{Project: p, Warehouse: wh, Key: key, Out: *out, Log: slog.Default()})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "extract-research: project %s (approval %s), key id %s, written to %s\n", m.Project, m.Approval, m.KeyID, *out)
	for _, g := range m.Generalisation {
		fmt.Fprintf(stdout, "  %-20s generalised to %s\n", g.Variable, g.LevelName)
	}
	for _, t := range m.Tables {
		fmt.Fprintf(stdout, "  %-20s %9d rows, %d suppressed (%.2f%%)\n", t.Table, t.RowsOut, t.Suppressed, 100*t.Share)
	}
	return nil
}
