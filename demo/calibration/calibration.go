// Package calibration computes the national figures of indicators.md straight
// from raw register deliveries with plain SQL in DuckDB.
//
// It shares no code with the pipeline on purpose: it is a second, independent
// reading of the specification. The demo generator's calibration test uses it
// to check that the generated registers reproduce the published figures, and
// the hand-computed small cases in testdata/smallcases check it in turn.
package calibration

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

// FirstYear and LastYear bound the years Y that Compute computes figures for.
const (
	FirstYear = 2013
	LastYear  = 2018
)

// Key identifies one national figure.
type Key struct {
	Indicator string
	Year      int
}

// Value is a computed figure: Value is the count, share (0–1) or mean;
// Teller/Nevner as in indicators.md. For a count Teller is the count itself
// and Nevner 0; for a mean Teller is 0 and Nevner the number of persons.
type Value struct {
	Value          float64
	Teller, Nevner int64
}

//go:embed sql/*.sql
var sqlFS embed.FS

// Compute computes all national indicators for years FirstYear..LastYear
// from the deliveries in inbox as known at the end of asOf: per source the
// newest delivery whose delivery_id date is <= asOf (asOf zero = the newest
// delivery of each source). Deliveries listed in skip (as "20180301T020000"
// or "nir/20180301T020000", e.g. a corrupt one) are ignored; a delivery
// whose manifest disagrees with its files is passed over with a warning, as
// the source contracts require, and the one before it is used.
//
// A source without any usable delivery contributes no figures. Shares and
// means whose denominator is zero are left out of the result.
func Compute(ctx context.Context, inbox string, asOf time.Time, skip []string) (map[Key]Value, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("calibration: open duckdb: %w", err)
	}
	defer db.Close()
	// Everything runs on one connection so that the tables and macros made
	// along the way are seen by every later statement.
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("calibration: connect to duckdb: %w", err)
	}
	defer conn.Close()

	if err := setUp(ctx, conn); err != nil {
		return nil, err
	}
	skipped := skipSet(skip)
	out := make(map[Key]Value)
	loaded := 0
	for _, g := range groups {
		id, err := loadNewest(ctx, conn, inbox, g, asOf, skipped)
		if err != nil {
			return nil, err
		}
		if id == "" {
			slog.Info("calibration: no usable delivery", "source", g.source, "as_of", asOfText(asOf))
			continue
		}
		loaded++
		slog.Debug("calibration: using delivery", "source", g.source, "delivery", id)
		for _, name := range g.setup {
			if err := execFile(ctx, conn, name); err != nil {
				return nil, err
			}
		}
		for _, name := range g.indicators {
			if err := queryFile(ctx, conn, name, out); err != nil {
				return nil, err
			}
		}
	}
	if loaded == 0 {
		return nil, fmt.Errorf("calibration: no usable delivery of any source in %s as of %s", inbox, asOfText(asOf))
	}
	return out, nil
}

// setUp creates what every indicator file relies on: the years, the
// kommune code translation and the date helpers of common.sql.
func setUp(ctx context.Context, conn *sql.Conn) error {
	q := fmt.Sprintf(`CREATE TABLE aar AS SELECT CAST(range AS INTEGER) AS aar FROM range(%d, %d)`, FirstYear, LastYear+1)
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("calibration: create years: %w", err)
	}
	if err := loadKommuneAar(ctx, conn); err != nil {
		return err
	}
	return execFile(ctx, conn, "sql/common.sql")
}

// execFile runs the statements of one embedded SQL file.
func execFile(ctx context.Context, conn *sql.Conn, name string) error {
	text, err := sqlFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	if _, err := conn.ExecContext(ctx, string(text)); err != nil {
		return fmt.Errorf("calibration: run %s: %w", name, err)
	}
	return nil
}

// queryFile runs one embedded indicator file, whose last statement yields
// rows (indikator, aar, verdi, teller, nevner), and adds them to out.
func queryFile(ctx context.Context, conn *sql.Conn, name string, out map[Key]Value) error {
	text, err := sqlFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	rows, err := conn.QueryContext(ctx, string(text))
	if err != nil {
		return fmt.Errorf("calibration: run %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k              Key
			verdi          sql.NullFloat64
			teller, nevner sql.NullInt64
		)
		if err := rows.Scan(&k.Indicator, &k.Year, &verdi, &teller, &nevner); err != nil {
			return fmt.Errorf("calibration: read result of %s: %w", name, err)
		}
		if !verdi.Valid || math.IsNaN(verdi.Float64) {
			continue // a share or mean over nobody
		}
		if _, dup := out[k]; dup {
			return fmt.Errorf("calibration: %s gives %s %d twice", name, k.Indicator, k.Year)
		}
		out[k] = Value{Value: verdi.Float64, Teller: teller.Int64, Nevner: nevner.Int64}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("calibration: read result of %s: %w", name, err)
	}
	return nil
}

// asOfText renders asOf for messages.
func asOfText(asOf time.Time) string {
	if asOf.IsZero() {
		return "newest"
	}
	return asOf.Format(time.DateOnly)
}

// errCorrupt marks a delivery that the source contracts reject whole.
var errCorrupt = errors.New("delivery rejected")
