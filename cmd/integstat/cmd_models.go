package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"integstat/load/marts"
	"integstat/load/sqlmodel"
)

func init() {
	register(command{
		name:    "models",
		summary: "show the SQL models of the marts in build order with what each reads (--dot: Graphviz), and the data tests; --docs FILE regenerates its tables",
		run:     runModels,
	})
}

func runModels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("models", stderr)
	dot := fs.Bool("dot", false, "write the graph in Graphviz DOT (pipe it to `dot -Tsvg`)")
	docs := fs.String("docs", "", "rewrite the generated tables of this markdown file (docs/analysts.md) from sql/sources.txt and sql/*/schema.txt")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := marts.Project()
	if err != nil {
		return err
	}
	if *dot {
		return p.WriteDOT(stdout)
	}
	if *docs != "" {
		return updateDocs(p, *docs)
	}
	fmt.Fprintf(stdout, "Models, in build order (name (kind) <- what it reads -- what it is):\n")
	if err := p.WriteGraph(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nRelations the builder provides or writes (sql/sources.txt):\n")
	for _, r := range p.Sources {
		fmt.Fprintf(stdout, "%-9s %-26s %s\n", r.Kind, r.Name, r.Description)
	}
	fmt.Fprintf(stdout, "\nData tests (a failing one stops the data state or the publication):\n")
	for _, t := range p.Tests {
		fmt.Fprintf(stdout, "%-32s %s\n", t.Name, firstLine(t.Description))
	}
	return nil
}

// updateDocs rewrites the generated tables of the markdown file at path.
func updateDocs(p *sqlmodel.Project, path string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text, err := p.UpdateDocs(string(old))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if text == string(old) {
		return nil
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
