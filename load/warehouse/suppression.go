package warehouse

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

func init() {
	schemas = append(schemas, `
CREATE TABLE IF NOT EXISTS publication_suppression_indicator (
    publication VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    level       VARCHAR NOT NULL,
    indicator   VARCHAR NOT NULL,
    rows_total  BIGINT NOT NULL,
    suppressed  BIGINT NOT NULL,
    primary_rule BIGINT NOT NULL,
    PRIMARY KEY (publication, source, level, indicator)
);`)
}

// Suppression is, for one publication, source and level below the nation
// (kommune, fylke, or dagens: today's structure), how many rows of the
// current figures about persons it publishes and how many of those it
// shows as suppressed (':'): Primary by the primary rules (small counts,
// small denominators), the rest as complements (secondary). It is the
// information protection costs, recorded so that `integstat runs` shows
// how it moves from build to build. Indicator is empty in a total over
// the indicators of the source and level (Totals).
type Suppression struct {
	Source, Level string
	Indicator     string
	Rows          int64
	Suppressed    int64
	Primary       int64
}

// Share is the suppressed share of the rows, in per cent.
func (s Suppression) Share() float64 {
	if s.Rows == 0 {
		return 0
	}
	return 100 * float64(s.Suppressed) / float64(s.Rows)
}

// Totals sums per-indicator suppression over the indicators of each source
// and level, in the order of SortSuppression.
func Totals(byIndicator []Suppression) []Suppression {
	type key struct{ source, level string }
	at := map[key]int{}
	var out []Suppression
	for _, s := range byIndicator {
		k := key{s.Source, s.Level}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, Suppression{Source: s.Source, Level: s.Level})
		}
		out[i].Rows += s.Rows
		out[i].Suppressed += s.Suppressed
		out[i].Primary += s.Primary
	}
	SortSuppression(out)
	return out
}

// SortSuppression orders suppression by source, then level from the finest
// (kommune, fylke, today's structure), then indicator.
func SortSuppression(s []Suppression) {
	levels := map[string]int{"kommune": 0, "fylke": 1, "dagens": 2}
	slices.SortFunc(s, func(a, b Suppression) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), cmp.Compare(levels[a.Level], levels[b.Level]),
			strings.Compare(a.Level, b.Level), strings.Compare(a.Indicator, b.Indicator))
	})
}

// RecordSuppression records the suppression of a publication per
// indicator, replacing what was recorded for it before (a build that finds
// the publication unchanged records it again).
func (w *Warehouse) RecordSuppression(ctx context.Context, publication string, byIndicator []Suppression) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM publication_suppression_indicator WHERE publication = ?`, publication); err != nil {
		return fmt.Errorf("warehouse: ledger: %w", err)
	}
	for _, x := range byIndicator {
		if _, err := tx.ExecContext(ctx, `INSERT INTO publication_suppression_indicator VALUES (?, ?, ?, ?, ?, ?, ?)`,
			publication, x.Source, x.Level, x.Indicator, x.Rows, x.Suppressed, x.Primary); err != nil {
			return fmt.Errorf("warehouse: ledger: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("warehouse: ledger: %w", err)
	}
	return nil
}

// SuppressionByIndicator returns the recorded suppression of a publication
// per source, level and indicator, in the order of SortSuppression; none
// for a publication built before it was recorded per indicator.
func (w *Warehouse) SuppressionByIndicator(ctx context.Context, publication string) ([]Suppression, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT source, level, indicator, rows_total, suppressed, primary_rule
		FROM publication_suppression_indicator WHERE publication = ?`, publication)
	if err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer rows.Close()
	var out []Suppression
	for rows.Next() {
		var s Suppression
		if err := rows.Scan(&s.Source, &s.Level, &s.Indicator, &s.Rows, &s.Suppressed, &s.Primary); err != nil {
			return nil, fmt.Errorf("warehouse: ledger: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	SortSuppression(out)
	return out, nil
}

// SuppressionOf returns the recorded suppression of each of the given
// publications by source and level (Totals), in the order of
// SortSuppression; a publication without a record (built before it was
// recorded) is missing from the map.
func (w *Warehouse) SuppressionOf(ctx context.Context, publications []string) (map[string][]Suppression, error) {
	out := map[string][]Suppression{}
	if len(publications) == 0 {
		return out, nil
	}
	args := make([]any, len(publications))
	for i, p := range publications {
		args[i] = p
	}
	rows, err := w.db.QueryContext(ctx, `SELECT publication, source, level, rows_total, suppressed, primary_rule
		FROM publication_suppression_indicator WHERE publication IN (?`+strings.Repeat(", ?", len(publications)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer rows.Close()
	byPub := map[string][]Suppression{}
	for rows.Next() {
		var p string
		var s Suppression
		if err := rows.Scan(&p, &s.Source, &s.Level, &s.Rows, &s.Suppressed, &s.Primary); err != nil {
			return nil, fmt.Errorf("warehouse: ledger: %w", err)
		}
		byPub[p] = append(byPub[p], s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	for p, s := range byPub {
		out[p] = Totals(s)
	}
	return out, nil
}
