package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"integstat/readers/sqlshell"
)

func init() {
	register(command{
		name:    "sql",
		summary: "query the analysis mart read-only: an interactive shell on a terminal, or -c QUERY / standard input for scripts",
		run:     runSQL,
	})
}

func runSQL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sql", stderr)
	dir := fs.String("warehouse", "", "the warehouse `DIR` (required); opens DIR/marts/analyse.duckdb read-only")
	query := fs.String("c", "", "run `QUERY` and exit (several statements: the last one's rows are shown)")
	format := fs.String("format", "table", "output `FORMAT`: table, csv or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("%w: --warehouse is required", errUsage)
	}
	f, err := sqlshell.ParseFormat(*format)
	if err != nil {
		return fmt.Errorf("%w: --format: %v", errUsage, err)
	}
	s, err := sqlshell.Open(ctx, sqlshell.MartPath(*dir))
	if err != nil {
		return err
	}
	defer s.Close()

	if *query != "" {
		return s.Run(ctx, *query, f, stdout)
	}
	fd := int(os.Stdin.Fd())
	if stdout == io.Writer(os.Stdout) && term.IsTerminal(fd) && term.IsTerminal(int(os.Stdout.Fd())) {
		old, err := term.MakeRaw(fd)
		if err != nil {
			return fmt.Errorf("terminal: %w", err)
		}
		defer term.Restore(fd, old)
		rw := struct {
			io.Reader
			io.Writer
		}{os.Stdin, os.Stdout}
		return s.Interactive(ctx, rw, f, historyFile())
	}
	script, err := io.ReadAll(os.Stdin)
	if err != nil {
		return fmt.Errorf("reading standard input: %w", err)
	}
	return s.Run(ctx, string(script), f, stdout)
}

// historyFile is where the interactive shell keeps its history, or "" if
// the user has no home directory.
func historyFile() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".integstat_sql_history")
}
