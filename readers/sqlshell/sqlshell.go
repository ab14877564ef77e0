// Package sqlshell is the analysts' SQL shell on the analysis mart
// (`integstat sql`): one query from a script, or an interactive session on
// a terminal with line editing and history.
//
// The mart is opened so that nothing the shell runs can change it: DuckDB
// opens the file read-only, external access is off (no ATTACH of another
// copy in write mode, no COPY TO, no reading or writing other files) and the
// configuration is locked so that no statement can turn either back on.
// Analysts export results with --format csv or json instead.
package sqlshell

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"integstat/load/publish"

	_ "github.com/duckdb/duckdb-go/v2" // the DuckDB driver
)

// MartPath is the analysis mart of the current publication of a warehouse.
func MartPath(warehouseDir string) string {
	return filepath.Join(publish.CurrentDir(warehouseDir), publish.AnalysisFile)
}

// Open opens the DuckDB file at path read-only, with external access off
// and the configuration locked, and returns one connection to it, so that
// settings and temporary tables live for the whole session.
func Open(ctx context.Context, path string) (*Session, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sqlshell: no mart to open (build one with integstat run): %w", err)
	}
	// Open resolves the marts symlink once: the session keeps reading the
	// publication it started on even if a new one is published meanwhile.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return nil, fmt.Errorf("sqlshell: opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlshell: opening %s: %w", path, err)
	}
	for _, s := range []string{
		`SET enable_external_access = false`,
		`SET lock_configuration = true`,
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			conn.Close()
			db.Close()
			return nil, fmt.Errorf("sqlshell: %s: %w", s, err)
		}
	}
	return &Session{db: db, conn: conn, path: path}, nil
}

// Session is an open, read-only connection to a mart.
type Session struct {
	db   *sql.DB
	conn *sql.Conn
	path string // the file read: in the publication's own directory, not the marts symlink
}

// Close closes the connection and the database.
func (s *Session) Close() error {
	return errors.Join(s.conn.Close(), s.db.Close())
}

// Run runs query (one statement, or several separated by semicolons, of
// which the last one's rows are shown) and writes its result to w in the
// format f.
func (s *Session) Run(ctx context.Context, query string, f Format, w io.Writer) error {
	rows, err := s.conn.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	res, err := collect(rows)
	if err != nil {
		return err
	}
	return res.write(w, f)
}
