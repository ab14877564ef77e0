package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"integstat/load/warehouse"
	"integstat/readers/research"
	"integstat/transform/pseudo"
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
	if err := required("--project", *projectFile, "--warehouse", *whDir, "--out", *out); err != nil {
		return err
	}
	key, err := loadKey(*keyFile)
	if err != nil {
		return err
	}
	p, wh, err := openProject(ctx, *projectFile, *whDir)
	if err != nil {
		return err
	}
	defer wh.Close()
	m, err := research.Extract(ctx, research.Options{Project: p, Warehouse: wh, Key: key, Out: *out, Log: slog.Default()})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "extract-research: project %s (approval %s), key id %s, written to %s\n", m.Project, m.Approval, m.KeyID, *out)
	fmt.Fprintf(stdout, "  extract %d of registration %s; %d of %d persons suppressed (%.2f%%), smallest group %d\n",
		m.Extract, m.Registration, m.Persons.Suppressed, m.Persons.PersonsIn, 100*m.Persons.Share, m.Persons.SmallestGroup)
	for _, g := range m.Generalisation {
		var lv []string
		for _, l := range g.Values {
			lv = append(lv, fmt.Sprintf("%s %.1f%%", l.Level, 100*l.Share))
		}
		fmt.Fprintf(stdout, "  %-20s generalised to %s, suppressed %.1f%%\n", g.Variable, strings.Join(lv, ", "), 100*g.SuppressedShare)
	}
	for _, t := range m.Tables {
		fmt.Fprintf(stdout, "  %-20s %9d rows, %d suppressed (%.2f%%)\n", t.Table, t.RowsOut, t.Suppressed, 100*t.Share)
	}
	return nil
}

// openProject reads the research project file and opens the warehouse
// the project is registered in, what both research commands begin with.
// The caller closes the warehouse.
func openProject(ctx context.Context, projectFile, whDir string) (*research.Project, *warehouse.Warehouse, error) {
	p, err := research.ReadProject(projectFile)
	if err != nil {
		return nil, nil, err
	}
	wh, err := warehouse.Open(ctx, whDir)
	if err != nil {
		return nil, nil, err
	}
	return p, wh, nil
}

func init() {
	register(command{
		name:    "research",
		summary: "research register --project FILE [--replace]: record an approved research project in the warehouse (its pseudonyms derive from the registration)",
		run:     runResearch,
	})
}

func runResearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "register" {
		return fmt.Errorf("%w: research register --project FILE --warehouse DIR [--replace]", errUsage)
	}
	fs := newFlagSet("research register", stderr)
	projectFile := fs.String("project", "", "the project `file` (JSON, see docs/research.md)")
	whDir := fs.String("warehouse", "", "warehouse `directory`")
	replace := fs.Bool("replace", false, "register a registered project again: a new registration, new pseudonyms")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if err := required("--project", *projectFile, "--warehouse", *whDir); err != nil {
		return err
	}
	p, wh, err := openProject(ctx, *projectFile, *whDir)
	if err != nil {
		return err
	}
	defer wh.Close()
	r, err := research.Register(ctx, wh, p, *replace)
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(r.Approved))
	for t := range r.Approved {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	fmt.Fprintf(stdout, "research register: project %s registered as %s (approval %s by %s, valid %s to %s); tables %s\n",
		r.Project, r.ID, r.Approval, r.ApprovedBy, r.ValidFrom.Format(time.DateOnly), r.ValidTo.Format(time.DateOnly), strings.Join(tables, ", "))
	return nil
}

// required returns a usage error naming the first of the flag, value
// pairs whose value is empty.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fmt.Errorf("%w: %s is required", errUsage, pairs[i])
		}
	}
	return nil
}
