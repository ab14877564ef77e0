package marts

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"integstat/extract/reference"
	"integstat/internal/duckappend"
)

// regionRows returns the rows of ref_region for years first..last: the
// nation, the fylker and the kommuner valid on 31.12 of each year, with
// their names then and each kommune's fylke.
func regionRows(ref *reference.Data, first, last int) [][]driver.Value {
	var rows [][]driver.Value
	for y := first; y <= last; y++ {
		end := yearEnd(y)
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
// (a merger: the new code); where they split it, it has no counterpart, as
// the records do not say which part a person was in. A code that did not
// exist yet maps back to the code it replaced; where it replaced several (a
// merger), to the lowest of them, documented as a limit in docs/marts.md. A
// code with no counterpart in the year is left out (records with it count
// nationally only).
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
		end := yearEnd(y)
		for _, c := range sorted {
			if to := codeInYear(ref, c, end, 0); to != "" {
				rows = append(rows, []driver.Value{c, int32(y), to})
			}
		}
	}
	return rows
}

// yearEnd is 31.12 of year y, the day whose codes a year's figures use.
func yearEnd(y int) time.Time { return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC) }

// codeInYear maps code to the code valid on end, or "" when none.
func codeInYear(ref *reference.Data, code string, end time.Time, depth int) string {
	if ref.ValidOn(code, end) {
		return code
	}
	if depth > 5 {
		return ""
	}
	// Replaced before end: follow the changes from the code's last day,
	// unless they split it.
	if last, ok := ref.LastDay(code); ok && last.Before(end) {
		if to := ref.CodeAt(code, last, end); len(to) == 1 && ref.ValidOn(to[0], end) {
			return to[0]
		}
		return ""
	}
	// Not yet in use on end: the code it replaced.
	var olds []string
	for _, ch := range ref.ChangesTo(code) {
		if ch.From.After(end) {
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

// kommuneDagensRows returns the rows of ref_kommune_dagens for years
// first..last: each kommune code valid on 31.12 of a year with the code of
// today's structure (the newest list) its territory lies in, one row per
// code of today. A code whose territory went to several of today's kommuner
// (a split, or a merger into a code later split) has a row for each, marked
// delt, with the reason in words: its figures cannot be divided between them.
func kommuneDagensRows(ref *reference.Data, first, last int) [][]driver.Value {
	newest := ref.Newest()
	var rows [][]driver.Value
	for y := first; y <= last; y++ {
		end := yearEnd(y)
		for _, k := range ref.KommunerOn(end) {
			today := ref.CodeAt(k.Code, end, newest)
			var merknad any
			if len(today) > 1 {
				merknad = splitNote(ref, k, y, today)
			}
			for _, to := range today {
				rows = append(rows, []driver.Value{int32(y), k.Code, to, todayName(ref, to), len(today) > 1, merknad})
			}
		}
	}
	return rows
}

// todayName is the name of kommune code in the newest list.
func todayName(ref *reference.Data, code string) string {
	if k, ok := ref.KommuneOn(code, ref.Newest()); ok {
		return k.Name
	}
	return code
}

// splitNote says, for a reader, why the figures of kommune k in year y are
// not carried to today's kommuner today: its territory lies in several.
func splitNote(ref *reference.Data, k reference.Kommune, y int, today []string) string {
	names := make([]string, len(today))
	for i, c := range today {
		names[i] = c + " " + todayName(ref, c)
	}
	list := strings.Join(names[:len(names)-1], ", ") + " og " + names[len(names)-1]
	return fmt.Sprintf("%s %s (%d) ligger i dag i flere kommuner (%s); registrene viser ikke i hvilken del personene bodde, så tallet kan ikke fordeles på dagens inndeling",
		k.Code, k.Name, y, list)
}

// loadReference creates the reference tables the models read: ref_region,
// ref_kommune_aar, ref_kommune_dagens, ref_region_kode and indikator_katalog
// (the seed).
func loadReference(ctx context.Context, conn *sql.Conn, ref *reference.Data, first, last int, katalog []Indicator) error {
	stmts := []struct {
		create string
		rows   [][]driver.Value
	}{
		{`CREATE OR REPLACE TABLE ref_region (aar INTEGER, niva VARCHAR, region VARCHAR, region_navn VARCHAR, fylke VARCHAR)`, regionRows(ref, first, last)},
		{`CREATE OR REPLACE TABLE ref_kommune_aar (kode VARCHAR, aar INTEGER, kode_aar VARCHAR)`, kommuneAarRows(ref, first, last)},
		{`CREATE OR REPLACE TABLE ref_kommune_dagens (aar INTEGER, kode VARCHAR, kode_dagens VARCHAR, navn_dagens VARCHAR, delt BOOLEAN, merknad VARCHAR)`, kommuneDagensRows(ref, first, last)},
		{`CREATE OR REPLACE TABLE ref_region_kode (niva VARCHAR, region VARCHAR, navn VARCHAR, navn_alle VARCHAR[], navneformer VARCHAR[],
			gyldig_fra DATE, gyldig_til DATE, fylke VARCHAR, forgjengere VARCHAR[], etterfolgere VARCHAR[], dagens VARCHAR[], tidligere VARCHAR[])`, regionKodeRows(ref)},
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
