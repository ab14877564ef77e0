package marts

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"integstat/internal/duckappend"
	"integstat/reference"
)

// regionRows returns the rows of ref_region for years first..last: the
// nation, the fylker and the kommuner valid on 31.12 of each year, with
// their names then and each kommune's fylke.
func regionRows(ref *reference.Data, first, last int) [][]driver.Value {
	var rows [][]driver.Value
	for y := first; y <= last; y++ {
		end := time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
		rows = append(rows, []driver.Value{int32(y), "land", "0", "Norge", "0"})
		fylker := map[string]bool{}
		for _, k := range ref.KommunerOn(end) {
			rows = append(rows, []driver.Value{int32(y), "kommune", k.Code, k.Name, k.Fylke})
			fylker[k.Fylke] = true
		}
		codes := make([]string, 0, len(fylker))
		for f := range fylker {
			codes = append(codes, f)
		}
		slices.Sort(codes)
		for _, f := range codes {
			name := f
			if fy, ok := ref.FylkeOn(f, end); ok {
				name = fy.Name
			}
			rows = append(rows, []driver.Value{int32(y), "fylke", f, name, f})
		}
	}
	return rows
}

// kommuneAarRows returns the rows of ref_kommune_aar for years first..last:
// every kommune code of the reference data mapped to the code it has on
// 31.12 of each year. A code that was replaced follows its changes forward
// (a merger: the new code). A code that did not exist yet maps back to the
// code it replaced; where it replaced several (a merger), to the lowest of
// them, documented as a limit in docs/marts.md. A code with no counterpart
// in the year is left out (records with it count nationally only).
func kommuneAarRows(ref *reference.Data, first, last int) [][]driver.Value {
	codes := map[string]bool{}
	for _, k := range ref.Kommuner {
		codes[k.Code] = true
	}
	sorted := make([]string, 0, len(codes))
	for c := range codes {
		sorted = append(sorted, c)
	}
	slices.Sort(sorted)
	var rows [][]driver.Value
	for y := first; y <= last; y++ {
		end := time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
		for _, c := range sorted {
			if to := codeInYear(ref, c, end, 0); to != "" {
				rows = append(rows, []driver.Value{c, int32(y), to})
			}
		}
	}
	return rows
}

// codeInYear maps code to the code valid on end, or "" when none.
func codeInYear(ref *reference.Data, code string, end time.Time, depth int) string {
	if ref.ValidOn(code, end) {
		return code
	}
	if depth > 5 {
		return ""
	}
	// Replaced before end: follow the changes from the code's last day.
	var last time.Time
	for _, k := range ref.Kommuner {
		if k.Code == code && !k.To.IsZero() && !k.To.After(end) && k.To.After(last) {
			last = k.To
		}
	}
	if !last.IsZero() {
		if to := ref.CodeAt(code, last.AddDate(0, 0, -1), end); len(to) > 0 && ref.ValidOn(to[0], end) {
			return to[0]
		}
	}
	// Not yet in use on end: the code it replaced.
	var olds []string
	for _, ch := range ref.Changes {
		if ch.New == code && ch.From.After(end) {
			olds = append(olds, ch.Old)
		}
	}
	slices.Sort(olds)
	for _, o := range olds {
		if to := codeInYear(ref, o, end, depth+1); to != "" {
			return to
		}
	}
	return ""
}

// kommuneDagensRows returns the rows of ref_kommune_dagens: every kommune
// code of the reference data mapped to the code and name it has in the
// newest list (today's structure), where it has one.
func kommuneDagensRows(ref *reference.Data) [][]driver.Value {
	today := time.Now().UTC()
	seen := map[string]bool{}
	var rows [][]driver.Value
	for _, k := range ref.Kommuner {
		if seen[k.Code] {
			continue
		}
		seen[k.Code] = true
		to := codeInYear(ref, k.Code, today, 0)
		if to == "" {
			continue
		}
		name := to
		if kn, ok := ref.KommuneOn(to, today); ok {
			name = kn.Name
		}
		rows = append(rows, []driver.Value{k.Code, to, name})
	}
	return rows
}

// loadReference creates the reference tables the models read: ref_region,
// ref_kommune_aar, ref_kommune_dagens and indikator_katalog (the seed).
func loadReference(ctx context.Context, conn *sql.Conn, ref *reference.Data, first, last int, katalog []Indicator) error {
	stmts := []struct {
		create string
		rows   [][]driver.Value
	}{
		{`CREATE OR REPLACE TABLE ref_region (aar INTEGER, niva VARCHAR, region VARCHAR, region_navn VARCHAR, fylke VARCHAR)`, regionRows(ref, first, last)},
		{`CREATE OR REPLACE TABLE ref_kommune_aar (kode VARCHAR, aar INTEGER, kode_aar VARCHAR)`, kommuneAarRows(ref, first, last)},
		{`CREATE OR REPLACE TABLE ref_kommune_dagens (kode VARCHAR, kode_dagens VARCHAR, navn_dagens VARCHAR)`, kommuneDagensRows(ref)},
		{`CREATE OR REPLACE TABLE indikator_katalog (indikator VARCHAR, kilde VARCHAR, type VARCHAR, om_personer BOOLEAN, additiv BOOLEAN,
			nivaer VARCHAR, del_av VARCHAR, neste_aar BOOLEAN, navn VARCHAR, enhet VARCHAR, definisjon VARCHAR,
			tema VARCHAR, navn_en VARCHAR, enhet_en VARCHAR, forklaring VARCHAR, forklaring_en VARCHAR)`, katalogRows(katalog)},
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s.create); err != nil {
			return fmt.Errorf("marts: reference tables: %w", err)
		}
		name := strings.Fields(s.create)[4]
		if err := duckappend.Rows(ctx, conn, name, s.rows); err != nil {
			return fmt.Errorf("marts: reference tables: %w", err)
		}
	}
	return nil
}
