package main

import (
	"context"
	"fmt"
	"io"

	"integstat/load/marts"
)

func init() {
	register(command{
		name:    "models",
		summary: "show the SQL models of the marts in build order with what each reads (--dot: Graphviz), and the data tests",
		run:     runModels,
	})
}

func runModels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("models", stderr)
	dot := fs.Bool("dot", false, "write the graph in Graphviz DOT (pipe it to `dot -Tsvg`)")
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
	fmt.Fprintf(stdout, "Models, in build order (name (kind) <- what it reads -- what it is):\n")
	if err := p.WriteGraph(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nData tests (a failing one stops the publication):\n")
	for _, t := range p.Tests {
		fmt.Fprintf(stdout, "%-32s %s\n", t.Name, firstLine(t.Description))
	}
	return nil
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
