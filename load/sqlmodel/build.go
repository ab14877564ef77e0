package sqlmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Execer runs statements and single-row queries: *sql.DB, *sql.Conn and *sql.Tx
// satisfy it. DuckDB's TEMP objects belong to one connection, so a caller whose
// models read temporary tables passes the *sql.Conn that holds them.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Built reports one model created by Build.
type Built struct {
	Name     string
	Rows     int64 // rows of a table; -1 for a view or a macro, which hold none of their own
	Duration time.Duration
}

// Build creates the given models on db in the order given (Project.Models or
// Project.Upstream give build order), each with CREATE OR REPLACE VIEW,
// TABLE or MACRO ... AS TABLE. A model whose materialization changed since the last build has its old
// view or table dropped first. Build stops at the first model that fails; the
// error names it and its file. Pass a *sql.Tx for all or nothing.
func Build(ctx context.Context, db Execer, models []*Model) ([]Built, error) {
	built := make([]Built, 0, len(models))
	for _, m := range models {
		start := time.Now()
		rows, err := create(ctx, db, m)
		if err != nil {
			return built, fmt.Errorf("model %s (%s): %w", m.Name, m.Path, err)
		}
		b := Built{Name: m.Name, Rows: rows, Duration: time.Since(start)}
		slog.DebugContext(ctx, "built model", "model", m.Name, "materialized", m.materialized(), "rows", b.Rows, "duration", b.Duration)
		built = append(built, b)
	}
	return built, nil
}

// create makes one model and counts a table's rows.
func create(ctx context.Context, db Execer, m *Model) (int64, error) {
	kind := m.materialized()
	name := quoteIdent(m.Name)
	// The final newline ends a trailing -- comment of the body.
	var stmt string
	if err := dropOtherKind(ctx, db, m.Name, kind); err != nil {
		return 0, err
	}
	switch kind {
	case View, Table:
		stmt = fmt.Sprintf("CREATE OR REPLACE %s %s AS\n%s\n", sqlKind[kind], name, m.SQL)
	case Macro:
		params := make([]string, len(m.Parameters))
		for i, p := range m.Parameters {
			params[i] = quoteIdent(p)
		}
		stmt = fmt.Sprintf("CREATE OR REPLACE MACRO %s(%s) AS TABLE\n%s\n", name, strings.Join(params, ", "), m.SQL)
	default:
		return 0, fmt.Errorf("materialized must be view, table or macro, not %q", m.Materialized)
	}
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return 0, fmt.Errorf("creating the %s: %w", kind, err)
	}
	if kind != Table {
		return -1, nil
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+name).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting the table's rows: %w", err)
	}
	return n, nil
}

var sqlKind = map[string]string{View: "VIEW", Table: "TABLE"}

// dropOtherKind drops what another kind of model left under name: CREATE
// OR REPLACE refuses to replace a view with a table or the reverse, and
// DuckDB keeps table macros apart from both, so a model that became a macro
// (or stopped being one) would leave the old object readable under its name.
func dropOtherKind(ctx context.Context, db Execer, name, kind string) error {
	var existing string
	err := db.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables
		WHERE table_catalog = current_database() AND table_schema = current_schema() AND lower(table_name) = lower(?)`,
		name).Scan(&existing)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("looking up what exists under the name: %w", err)
	}
	var drops []string
	switch {
	case existing == "VIEW" && kind != View:
		drops = append(drops, "DROP VIEW ")
	case existing == "BASE TABLE" && kind != Table:
		drops = append(drops, "DROP TABLE ")
	}
	if kind != Macro {
		// Not a look-up in duckdb_functions(), which lists every function
		// DuckDB has: this runs for every model of every data state.
		drops = append(drops, "DROP MACRO TABLE IF EXISTS ")
	}
	for _, d := range drops {
		if _, err := db.ExecContext(ctx, d+quoteIdent(name)); err != nil {
			return fmt.Errorf("dropping what it replaces (%s): %w", strings.TrimSpace(d), err)
		}
	}
	return nil
}
