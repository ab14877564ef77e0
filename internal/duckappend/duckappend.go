// Package duckappend bulk-loads rows into a DuckDB table through DuckDB's
// appender, far faster than INSERT statements with parameters: the mart
// builder loads its reference tables and protection marks with it, the
// research extracts their re-keyed persons.
package duckappend

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
)

// Rows appends rows to table (in the connection's default schema). Values
// must have the Go types the appender maps to the columns (int32 for
// INTEGER, int64 for BIGINT, nil for NULL). The connection must be a
// DuckDB one; its temporary tables are visible.
func Rows(ctx context.Context, conn *sql.Conn, table string, rows [][]driver.Value) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("append to %s: not a DuckDB connection", table)
		}
		a, err := duckdb.NewAppenderFromConn(c, "", table)
		if err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
		for _, r := range rows {
			if err := ctx.Err(); err != nil {
				a.Close()
				return err
			}
			if err := a.AppendRow(r...); err != nil {
				a.Close()
				return fmt.Errorf("append to %s: %w", table, err)
			}
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
		return nil
	})
}
