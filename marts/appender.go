package marts

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
)

// appendRows appends rows to table through DuckDB's appender, far faster
// than INSERT statements with parameters. Values must have the Go types
// the appender maps to the columns (int32 for INTEGER, int64 for BIGINT).
func appendRows(ctx context.Context, conn *sql.Conn, table string, rows [][]any) error {
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
			vals := make([]driver.Value, len(r))
			for i, v := range r {
				vals[i] = v
			}
			if err := a.AppendRow(vals...); err != nil {
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
