package calibration

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"integstat/extract/reference"
)

// changesByCode indexes the kommune code changes of the reference data by
// old code.
func changesByCode(changes []reference.Change) map[string][]reference.Change {
	m := make(map[string][]reference.Change)
	for _, c := range changes {
		m[c.Old] = append(m[c.Old], c)
	}
	return m
}

// codeInYear returns the code that a kommune known by code is known by in
// year y: it follows every change in force on 1 January y. A split (one old
// code becoming several on the same day) has no single successor and stops
// the chain.
func codeInYear(changes map[string][]reference.Change, code string, y int) string {
	jan1 := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 10 { // chains are short; the bound guards against a cycle
		var to []string
		for _, c := range changes[code] {
			from := time.Date(c.From.Year(), c.From.Month(), c.From.Day(), 0, 0, 0, 0, time.UTC)
			if !from.After(jan1) && !slices.Contains(to, c.New) {
				to = append(to, c.New)
			}
		}
		if len(to) != 1 || to[0] == code {
			return code
		}
		code = to[0]
	}
	return code
}

// loadKommuneAar creates table kommune_aar(kode, aar, kode_aar): for every
// year FirstYear..LastYear and every code that was replaced by then, the
// code valid in that year (from the code changes of package reference).
// Codes not in it are valid as they are.
func loadKommuneAar(ctx context.Context, conn *sql.Conn) error {
	ref, err := reference.Load()
	if err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	changes := changesByCode(ref.Changes)
	if _, err := conn.ExecContext(ctx, `CREATE TABLE kommune_aar (kode VARCHAR, aar INTEGER, kode_aar VARCHAR)`); err != nil {
		return fmt.Errorf("calibration: create kommune_aar: %w", err)
	}
	codes := make([]string, 0, len(changes))
	for c := range changes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var values []string
	var args []any
	for y := FirstYear; y <= LastYear; y++ {
		for _, c := range codes {
			if n := codeInYear(changes, c, y); n != c {
				values = append(values, "(?, ?, ?)")
				args = append(args, c, y, n)
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	q := `INSERT INTO kommune_aar VALUES ` + strings.Join(values, ", ")
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("calibration: fill kommune_aar: %w", err)
	}
	return nil
}
