package warehouse

import (
	"context"
	"fmt"
	"time"
)

// schemas are the ledger tables of other parts of the warehouse's record
// (job runs, research extracts), each added by the file that uses them in
// an init function; every statement must be idempotent (IF NOT EXISTS).
var schemas []string

// migrations bring a ledger made by an older version up to date; each
// statement is idempotent.
const migrations = `
ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS incremental BOOLEAN DEFAULT false;
UPDATE events SET action = 'refuse' WHERE action = 'conflict';
CREATE TABLE IF NOT EXISTS builds (
    started       TIMESTAMPTZ NOT NULL,
    finished      TIMESTAMPTZ NOT NULL,
    as_of         DATE,
    states_built  INTEGER NOT NULL,
    rows_built    BIGINT NOT NULL,
    publication   VARCHAR,
    outcome       VARCHAR NOT NULL,
    detail        VARCHAR
);`

// Deliveries returns every loaded delivery (without table counts), by
// source and delivery id: what the mart builder derives the data states from.
func (w *Warehouse) Deliveries(ctx context.Context) ([]DeliveryLoad, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT source, delivery_id, digest, key_id, extracted, late, coalesce(incremental, false)
		FROM deliveries ORDER BY source, delivery_id`)
	if err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer rows.Close()
	var out []DeliveryLoad
	for rows.Next() {
		var d DeliveryLoad
		if err := rows.Scan(&d.Source, &d.ID, &d.Digest, &d.KeyID, &d.Extracted, &d.Late, &d.Incremental); err != nil {
			return nil, fmt.Errorf("warehouse: ledger: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	return out, nil
}

// LoadRow is one table of one delivery as the ledger counts it.
type LoadRow struct {
	Source, ID string
	TableLoad
}

// AllLoads returns the table counts of every loaded delivery, for the
// data test that reconciles the ledger with the Parquet files.
func (w *Warehouse) AllLoads(ctx context.Context) ([]LoadRow, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT source, delivery_id, tbl, rows_read, rows_loaded, rows_quarantined
		FROM table_loads ORDER BY source, delivery_id, tbl`)
	if err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer rows.Close()
	var out []LoadRow
	for rows.Next() {
		var r LoadRow
		if err := rows.Scan(&r.Source, &r.ID, &r.Table, &r.Read, &r.Loaded, &r.Quarantine); err != nil {
			return nil, fmt.Errorf("warehouse: ledger: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	return out, nil
}

// BuildOutcome is what a build of the marts did, as the ledger records it.
type BuildOutcome string

// The outcomes of a build.
const (
	BuildReleased  BuildOutcome = "released"  // its candidate went live
	BuildHeld      BuildOutcome = "held"      // its candidate waits: a check held it for a person
	BuildCandidate BuildOutcome = "candidate" // its candidate waits for a release (manual or calendar)
	BuildUnchanged BuildOutcome = "unchanged" // nothing new: the newest publication holds these figures
	BuildFailed    BuildOutcome = "failed"    // nothing published: see Detail
)

// Build is one build of the marts as the ledger records it: when, for
// which as-of date, how many data states were computed, what was published
// (the publication id) or why not.
type Build struct {
	Started, Finished time.Time
	AsOf              time.Time // zero: the newest state
	States            int
	Rows              int64
	Publication       string
	Outcome           BuildOutcome
	Detail            string
}

// RecordBuild adds a build of the marts to the ledger.
func (w *Warehouse) RecordBuild(ctx context.Context, b Build) error {
	var asOf any
	if !b.AsOf.IsZero() {
		asOf = b.AsOf.Format("2006-01-02")
	}
	_, err := w.db.ExecContext(ctx, `INSERT INTO builds VALUES (?, ?, CAST(? AS DATE), ?, ?, ?, ?, ?)`,
		b.Started, b.Finished, asOf, b.States, b.Rows, b.Publication, b.Outcome, b.Detail)
	if err != nil {
		return fmt.Errorf("warehouse: ledger: %w", err)
	}
	return nil
}

// Builds returns the recorded builds, newest first, at most limit (0: all).
func (w *Warehouse) Builds(ctx context.Context, limit int) ([]Build, error) {
	q := `SELECT started, finished, as_of, states_built, rows_built, coalesce(publication, ''), outcome, coalesce(detail, '')
		FROM builds ORDER BY started DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := w.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer rows.Close()
	var out []Build
	for rows.Next() {
		var b Build
		var asOf *time.Time
		if err := rows.Scan(&b.Started, &b.Finished, &asOf, &b.States, &b.Rows, &b.Publication, &b.Outcome, &b.Detail); err != nil {
			return nil, fmt.Errorf("warehouse: ledger: %w", err)
		}
		if asOf != nil {
			b.AsOf = *asOf
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	return out, nil
}
