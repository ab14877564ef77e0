// Package warehouse lays out a warehouse directory and keeps its ledger:
// which deliveries were loaded with which content, and for every delivery
// and table how many rows were read, loaded and quarantined.
//
// Layout of DIR (--warehouse):
//
//	restricted/          mode 0700: personal data and secrets only
//	  key                the pseudonymisation key made by `make demo` (real runs use --key-file)
//	  identity.map       numbers → person (package pseudo)
//	  quarantine/<source>/<delivery_id>/<file>.quarantine.csv  bad rows with file, line, column and reason
//	parquet/<source>/<table>/delivery_id=<id>/part-<n>.parquet  pseudonymised tables, one partition per delivery (package store's layout)
//	state/ledger.duckdb  the ledger (this package)
//	state/historikk.duckdb  every indicator value at every data state (package marts)
//	state/person_merges.csv  old person key → new, pseudonyms only (WriteMerges, ReadMerges)
//	state/tolk.watermark  how far the last read of the interpreter database got
//	state/tmp/           DuckDB's spill space while the marts are built
//	state/research-policy.json  the owner's attacker model for research extracts (package research)
//	state/lock           the lock of the warehouse (Lock)
//	publications/<id>/   complete publications of the marts (package publish)
//	marts                → publications/<id>: the published and analysis marts
package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"integstat/load/publish"
	"integstat/transform/store"

	_ "github.com/duckdb/duckdb-go/v2" // the ledger is a DuckDB file
)

// Warehouse is an open warehouse directory.
type Warehouse struct {
	Dir string
	db  *sql.DB
}

// Paths of the warehouse layout.
func (w *Warehouse) Restricted() string { return filepath.Join(w.Dir, "restricted") }

// Quarantine is the directory of quarantined rows (restricted).
func (w *Warehouse) Quarantine() string { return filepath.Join(w.Dir, "restricted", "quarantine") }

// Parquet is the root of the pseudonymised tables.
func (w *Warehouse) Parquet() string { return filepath.Join(w.Dir, "parquet") }

// Partitions lists the complete partitions of a table, oldest delivery
// first (package store's layout under Parquet).
func (w *Warehouse) Partitions(source, table string) ([]store.Partition, error) {
	ps, err := store.Partitions(w.Parquet(), source, table)
	if err != nil {
		return nil, fmt.Errorf("warehouse: %w", err)
	}
	return ps, nil
}

// PartFiles returns the finished Parquet files of the partitions of a
// table that the deliveries ids wrote, in the order of ids. A delivery
// that wrote no file of the table adds none.
func (w *Warehouse) PartFiles(source, table string, ids []string) ([]string, error) {
	ps, err := w.Partitions(source, table)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		if i := slices.IndexFunc(ps, func(p store.Partition) bool { return p.DeliveryID == id }); i >= 0 {
			out = append(out, ps[i].Files...)
		}
	}
	return out, nil
}

// PartitionGlob is the glob pattern (Go's and DuckDB's) of the finished
// Parquet files of one delivery's partition of a table; "*" for source,
// table or deliveryID matches every one.
func (w *Warehouse) PartitionGlob(source, table, deliveryID string) string {
	return store.PartGlob(w.Parquet(), source, table, deliveryID)
}

// QuarantineFile is the file of the rows of the delivered file named file
// that one delivery quarantined (restricted).
func (w *Warehouse) QuarantineFile(source, deliveryID, file string) string {
	return filepath.Join(w.Quarantine(), source, deliveryID, file+".quarantine.csv")
}

// Marts is the directory of the current publication of the marts (a
// symbolic link that package publish replaces atomically).
func (w *Warehouse) Marts() string { return publish.CurrentDir(w.Dir) }

// State is the directory of the pipeline's own state: the ledger, the
// history of indicator values, watermarks.
func (w *Warehouse) State() string { return filepath.Join(w.Dir, "state") }

// Ledger is the DuckDB file of the ledger (this package).
func (w *Warehouse) Ledger() string { return filepath.Join(w.State(), "ledger.duckdb") }

// Watermark is the file of the watermark of a source read from a database
// (package tolkdb, FileWatermark): how far the last read got.
func (w *Warehouse) Watermark(source string) string {
	return filepath.Join(w.State(), source+".watermark")
}

// ResearchPolicy is the file of the owner's attacker model for research
// extracts (package research, LoadPolicy), in the state directory, where
// requesters cannot write.
func (w *Warehouse) ResearchPolicy() string { return filepath.Join(w.State(), "research-policy.json") }

// Tmp is the directory where DuckDB spills what does not fit in memory
// while the marts are built.
func (w *Warehouse) Tmp() string { return filepath.Join(w.State(), "tmp") }

// PersonMerges is the file of person-key merges (package pseudo, Merges):
// a line "old,new" for every person key that a later link replaced, so
// that rows written under an old key count as the same person.
func (w *Warehouse) PersonMerges() string { return filepath.Join(w.State(), "person_merges.csv") }

// IdentityMap is the file of the links between a person's identity
// numbers (package pseudo; restricted).
func (w *Warehouse) IdentityMap() string { return filepath.Join(w.Restricted(), "identity.map") }

// IndicatorHistory is the DuckDB file of every indicator value at every data state
// (package marts).
func (w *Warehouse) IndicatorHistory() string { return filepath.Join(w.State(), "historikk.duckdb") }

const schema = `
CREATE TABLE IF NOT EXISTS deliveries (
    source      VARCHAR NOT NULL,
    delivery_id VARCHAR NOT NULL,
    digest      VARCHAR NOT NULL,
    extracted   TIMESTAMPTZ NOT NULL,
    loaded_at   TIMESTAMPTZ NOT NULL,
    late        BOOLEAN NOT NULL,
    key_id      VARCHAR NOT NULL,
    PRIMARY KEY (source, delivery_id)
);
CREATE TABLE IF NOT EXISTS table_loads (
    source      VARCHAR NOT NULL,
    delivery_id VARCHAR NOT NULL,
    tbl         VARCHAR NOT NULL,
    rows_read   BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    PRIMARY KEY (source, delivery_id, tbl),
    CHECK (rows_read = rows_loaded + rows_quarantined)
);
CREATE TABLE IF NOT EXISTS events (
    happened_at TIMESTAMPTZ NOT NULL,
    source      VARCHAR,
    delivery_id VARCHAR,
    action      VARCHAR NOT NULL,
    detail      VARCHAR
);`

// Open opens (creating if needed) the warehouse at dir. The restricted
// area is made readable by the owner only, and refused if it is not.
func Open(ctx context.Context, dir string) (*Warehouse, error) {
	w := &Warehouse{Dir: dir}
	for _, d := range []string{w.Parquet(), w.State()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("warehouse: %w", err)
		}
	}
	if err := os.MkdirAll(w.Quarantine(), 0o700); err != nil {
		return nil, fmt.Errorf("warehouse: %w", err)
	}
	st, err := os.Stat(w.Restricted())
	if err != nil {
		return nil, fmt.Errorf("warehouse: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("warehouse: %s is open to others (mode %v); it holds personal data: chmod 700 it", w.Restricted(), st.Mode().Perm())
	}
	db, err := sql.Open("duckdb", w.Ledger())
	if err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	if _, err := db.ExecContext(ctx, schema+migrations+strings.Join(schemas, "")); err != nil {
		db.Close()
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	w.db = db
	return w, nil
}

// Close closes the ledger.
func (w *Warehouse) Close() error { return w.db.Close() }

// Loaded returns the digest a delivery was loaded with, if it was.
func (w *Warehouse) Loaded(source, id string) (string, bool, error) {
	var d string
	err := w.db.QueryRow(`SELECT digest FROM deliveries WHERE source = ? AND delivery_id = ?`, source, id).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("warehouse: ledger: %w", err)
	}
	return d, true, nil
}

// Newest returns the newest delivery id loaded from source, or "".
func (w *Warehouse) Newest(source string) (string, error) {
	var id sql.NullString
	if err := w.db.QueryRow(`SELECT max(delivery_id) FROM deliveries WHERE source = ?`, source).Scan(&id); err != nil {
		return "", fmt.Errorf("warehouse: ledger: %w", err)
	}
	return id.String, nil
}

// TableLoad counts one table of one delivery.
type TableLoad struct {
	Table                    string
	Read, Loaded, Quarantine int64
}

// DeliveryLoad is one loaded delivery as the ledger records it (Record),
// with the counts of its tables (TableLoad).
type DeliveryLoad struct {
	Source, ID, Digest, KeyID string
	Extracted                 time.Time
	Late                      bool
	// Incremental marks a delivery that holds only the changes since the
	// previous one (a read of the interpreter database by endret_tidspunkt);
	// every file delivery is a full snapshot.
	Incremental bool
	Tables      []TableLoad
}

// Record registers a delivery as loaded, with its tables' counts, in one
// transaction: it is the last step of loading a delivery, after its files
// are in place, so a crash before it leaves the delivery to be loaded
// again. The ledger refuses counts where read ≠ loaded + quarantined.
func (w *Warehouse) Record(ctx context.Context, d DeliveryLoad) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (source, delivery_id, digest, extracted, loaded_at, late, key_id, incremental)
		VALUES (?, ?, ?, ?, now(), ?, ?, ?)`,
		d.Source, d.ID, d.Digest, d.Extracted, d.Late, d.KeyID, d.Incremental); err != nil {
		return fmt.Errorf("warehouse: recording %s/%s: %w", d.Source, d.ID, err)
	}
	for _, t := range d.Tables {
		if t.Read != t.Loaded+t.Quarantine {
			return fmt.Errorf("warehouse: %s/%s %s: read %d ≠ loaded %d + quarantined %d", d.Source, d.ID, t.Table, t.Read, t.Loaded, t.Quarantine)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO table_loads VALUES (?, ?, ?, ?, ?, ?)`,
			d.Source, d.ID, t.Table, t.Read, t.Loaded, t.Quarantine); err != nil {
			return fmt.Errorf("warehouse: recording %s/%s %s: %w", d.Source, d.ID, t.Table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("warehouse: ledger: %w", err)
	}
	return nil
}

// Event records something that happened to a delivery that loaded nothing
// (skipped, refused, rejected) with its reason.
func (w *Warehouse) Event(ctx context.Context, source, id, action, detail string) error {
	_, err := w.db.ExecContext(ctx, `INSERT INTO events VALUES (now(), ?, ?, ?, ?)`, source, id, action, detail)
	if err != nil {
		return fmt.Errorf("warehouse: ledger: %w", err)
	}
	return nil
}

// Loads returns the recorded table counts of one delivery.
func (w *Warehouse) Loads(ctx context.Context, source, id string) ([]TableLoad, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT tbl, rows_read, rows_loaded, rows_quarantined FROM table_loads
		WHERE source = ? AND delivery_id = ? ORDER BY tbl`, source, id)
	if err != nil {
		return nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer rows.Close()
	var out []TableLoad
	for rows.Next() {
		var t TableLoad
		if err := rows.Scan(&t.Table, &t.Read, &t.Loaded, &t.Quarantine); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeliveryRow is one loaded delivery with its totals, as `integstat runs`
// shows it.
type DeliveryRow struct {
	Source, ID                string
	LoadedAt                  time.Time
	Late                      bool
	Read, Loaded, Quarantined int64
	KeyID                     string
}

// EventRow is one recorded event (a delivery skipped, refused or rejected).
type EventRow struct {
	At                 time.Time
	Source, ID, Action string
	Detail             string
}

// History returns the loaded deliveries (newest load first) and the events,
// at most limit of each (0: all).
func (w *Warehouse) History(ctx context.Context, limit int) ([]DeliveryRow, []EventRow, error) {
	lim := ""
	if limit > 0 {
		lim = fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := w.db.QueryContext(ctx, `SELECT d.source, d.delivery_id, d.loaded_at, d.late, d.key_id,
		coalesce(sum(t.rows_read), 0), coalesce(sum(t.rows_loaded), 0), coalesce(sum(t.rows_quarantined), 0)
		FROM deliveries d LEFT JOIN table_loads t USING (source, delivery_id)
		GROUP BY ALL ORDER BY d.loaded_at DESC, d.delivery_id DESC, d.source`+lim)
	if err != nil {
		return nil, nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer rows.Close()
	var ds []DeliveryRow
	for rows.Next() {
		var d DeliveryRow
		if err := rows.Scan(&d.Source, &d.ID, &d.LoadedAt, &d.Late, &d.KeyID, &d.Read, &d.Loaded, &d.Quarantined); err != nil {
			return nil, nil, err
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	erows, err := w.db.QueryContext(ctx, `SELECT happened_at, coalesce(source, ''), coalesce(delivery_id, ''), action, coalesce(detail, '')
		FROM events ORDER BY happened_at DESC`+lim)
	if err != nil {
		return nil, nil, fmt.Errorf("warehouse: ledger: %w", err)
	}
	defer erows.Close()
	var es []EventRow
	for erows.Next() {
		var e EventRow
		if err := erows.Scan(&e.At, &e.Source, &e.ID, &e.Action, &e.Detail); err != nil {
			return nil, nil, err
		}
		es = append(es, e)
	}
	return ds, es, erows.Err()
}
