package warehouse

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// extractsSchema is the audit log of research extracts (package research).
const extractsSchema = `
CREATE TABLE IF NOT EXISTS extracts (
    happened_at TIMESTAMPTZ NOT NULL,
    project     VARCHAR NOT NULL,
    approval    VARCHAR NOT NULL,
    spec_hash   VARCHAR NOT NULL,
    key_id      VARCHAR NOT NULL,
    data_state  VARCHAR NOT NULL,
    rows_out    BIGINT NOT NULL,
    rows_suppressed BIGINT NOT NULL,
    outcome     VARCHAR NOT NULL,
    detail      VARCHAR,
    out_dir     VARCHAR,
    checksums   VARCHAR NOT NULL
);`

func init() { schemas = append(schemas, extractsSchema) }

// Extract is one research extract in the audit log: who asked (project and
// approval), for what (the hash of the project file), with which project key
// and data state, and what went out. Every extract is logged, also one
// refused because k could not be met and one that failed.
type Extract struct {
	At         time.Time
	Project    string
	Approval   string
	SpecHash   string
	KeyID      string
	DataState  string // the deliveries read, e.g. "nir 20180228T020000; bosetting 20180305T020000"
	Rows       int64  // rows written over all tables
	Suppressed int64  // rows left out to reach k
	Outcome    ExtractOutcome
	Detail     string // the reason of a refusal or failure
	OutDir     string
	// Registration is the project's registration the extract was
	// delivered under; QIUnion the quasi-identifiers over all the
	// registration's extracts that k was checked against.
	Registration string
	QIUnion      string
	// Checksums maps each output file's name to its sha256 in hex.
	Checksums map[string]string
}

// ExtractOutcome is what a request for a research extract came to, as the
// audit log records it (column extracts.outcome): its values are the
// strings stored, so logs written before the type existed read back
// unchanged.
type ExtractOutcome string

// The outcomes of a research extract.
const (
	ExtractDelivered ExtractOutcome = "delivered" // written to its directory and registered as delivered
	ExtractRefused   ExtractOutcome = "refused"   // not approved or registered, or k could not be met: see Detail
	ExtractFailed    ExtractOutcome = "failed"    // an error on the way: see Detail
)

// RecordExtract adds e to the audit log. A zero At is the time of the call.
func (w *Warehouse) RecordExtract(ctx context.Context, e Extract) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	sums, err := json.Marshal(e.Checksums) // encoding/json sorts map keys
	if err != nil {
		return fmt.Errorf("warehouse: extract log: %w", err)
	}
	if e.Checksums == nil {
		sums = []byte("{}")
	}
	_, err = w.db.ExecContext(ctx, `INSERT INTO extracts (happened_at, project, approval, spec_hash, key_id, data_state,
		rows_out, rows_suppressed, outcome, detail, out_dir, checksums, registration, qi_union) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At, e.Project, e.Approval, e.SpecHash, e.KeyID, e.DataState, e.Rows, e.Suppressed, e.Outcome, e.Detail, e.OutDir, string(sums),
		e.Registration, e.QIUnion)
	if err != nil {
		return fmt.Errorf("warehouse: extract log: %w", err)
	}
	return nil
}

// Extracts returns the logged research extracts, newest first, at most
// limit of them (0: all).
func (w *Warehouse) Extracts(ctx context.Context, limit int) ([]Extract, error) {
	lim := ""
	if limit > 0 {
		lim = fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := w.db.QueryContext(ctx, `SELECT happened_at, project, approval, spec_hash, key_id, data_state,
		rows_out, rows_suppressed, outcome, coalesce(detail, ''), coalesce(out_dir, ''), checksums,
		coalesce(registration, ''), coalesce(qi_union, '')
		FROM extracts ORDER BY happened_at DESC, project`+lim)
	if err != nil {
		return nil, fmt.Errorf("warehouse: extract log: %w", err)
	}
	defer rows.Close()
	var out []Extract
	for rows.Next() {
		var e Extract
		var sums string
		if err := rows.Scan(&e.At, &e.Project, &e.Approval, &e.SpecHash, &e.KeyID, &e.DataState,
			&e.Rows, &e.Suppressed, &e.Outcome, &e.Detail, &e.OutDir, &sums, &e.Registration, &e.QIUnion); err != nil {
			return nil, fmt.Errorf("warehouse: extract log: %w", err)
		}
		if err := json.Unmarshal([]byte(sums), &e.Checksums); err != nil {
			return nil, fmt.Errorf("warehouse: extract log: checksums of %s: %w", e.Project, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warehouse: extract log: %w", err)
	}
	return out, nil
}
