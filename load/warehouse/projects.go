package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"integstat/internal/duckappend"
)

// projectsSchema holds the registered research projects (package research)
// and what each registration's extracts delivered, so that the extracts of
// one project can be checked for k together.
const projectsSchema = `
CREATE TABLE IF NOT EXISTS research_projects (
    registration  VARCHAR PRIMARY KEY,
    project       VARCHAR NOT NULL,
    approval      VARCHAR NOT NULL,
    approved_by   VARCHAR NOT NULL,
    valid_from    DATE NOT NULL,
    valid_to      DATE NOT NULL,
    approved      VARCHAR NOT NULL,
    spec_hash     VARCHAR NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    replaced_at   TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS research_delivered (
    registration VARCHAR NOT NULL,
    extract_no   INTEGER NOT NULL,
    person       VARCHAR NOT NULL,
    element      VARCHAR NOT NULL
);
ALTER TABLE extracts ADD COLUMN IF NOT EXISTS registration VARCHAR;
ALTER TABLE extracts ADD COLUMN IF NOT EXISTS qi_union VARCHAR;`

func init() { schemas = append(schemas, projectsSchema) }

// Registration is a research project as registered by the warehouse owner:
// its approval, who approved it, how long it is valid and the tables and
// variables approved. ID is random and made at registration; the project's
// pseudonyms derive from it, so a project registered again gets new ones.
type Registration struct {
	ID         string
	Project    string
	Approval   string
	ApprovedBy string
	ValidFrom  time.Time
	ValidTo    time.Time
	// Approved maps each approved table to its approved variables.
	Approved     map[string][]string
	SpecHash     string
	RegisteredAt time.Time
}

// ErrRegistered is returned when a project id is registered already and
// the registration is not to replace it.
var ErrRegistered = errors.New("warehouse: project registered already")

// RegisterProject records r. An id registered before is refused with
// ErrRegistered unless replace is set; then the old registration is marked
// replaced and r becomes the project's registration.
func (w *Warehouse) RegisterProject(ctx context.Context, r Registration, replace bool) error {
	approved, err := json.Marshal(r.Approved)
	if err != nil {
		return fmt.Errorf("warehouse: research projects: %w", err)
	}
	if r.RegisteredAt.IsZero() {
		r.RegisteredAt = time.Now()
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("warehouse: research projects: %w", err)
	}
	defer tx.Rollback()
	var old string
	err = tx.QueryRowContext(ctx, `SELECT registration FROM research_projects WHERE project = ? AND replaced_at IS NULL`, r.Project).Scan(&old)
	switch {
	case err == nil && !replace:
		return fmt.Errorf("%w: %s (registration %s); register it again with --replace to give it a new registration and new pseudonyms", ErrRegistered, r.Project, old)
	case err == nil:
		if _, err := tx.ExecContext(ctx, `UPDATE research_projects SET replaced_at = ? WHERE registration = ?`, r.RegisteredAt, old); err != nil {
			return fmt.Errorf("warehouse: research projects: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("warehouse: research projects: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO research_projects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
		r.ID, r.Project, r.Approval, r.ApprovedBy, r.ValidFrom, r.ValidTo, string(approved), r.SpecHash, r.RegisteredAt); err != nil {
		return fmt.Errorf("warehouse: research projects: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("warehouse: research projects: %w", err)
	}
	return nil
}

// ProjectRegistration returns the current registration of project, and
// false if it has none.
func (w *Warehouse) ProjectRegistration(ctx context.Context, project string) (Registration, bool, error) {
	var r Registration
	var approved string
	err := w.db.QueryRowContext(ctx, `SELECT registration, project, approval, approved_by, valid_from, valid_to, approved, spec_hash, registered_at
		FROM research_projects WHERE project = ? AND replaced_at IS NULL`, project).
		Scan(&r.ID, &r.Project, &r.Approval, &r.ApprovedBy, &r.ValidFrom, &r.ValidTo, &approved, &r.SpecHash, &r.RegisteredAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Registration{}, false, nil
	}
	if err != nil {
		return Registration{}, false, fmt.Errorf("warehouse: research projects: %w", err)
	}
	if err := json.Unmarshal([]byte(approved), &r.Approved); err != nil {
		return Registration{}, false, fmt.Errorf("warehouse: research projects: %s: %w", project, err)
	}
	return r, true, nil
}

// Delivered is one element of what an extract delivered about a person (a
// table and the quasi-identifier values of one of their rows, as text), by
// the person's pseudonym in the project.
type Delivered struct {
	Person, Element string
}

// DeliveredTo returns everything the extracts of registration delivered
// about persons, and how many extracts delivered it.
func (w *Warehouse) DeliveredTo(ctx context.Context, registration string) ([]Delivered, int, error) {
	var n int
	if err := w.db.QueryRowContext(ctx, `SELECT coalesce(max(extract_no), 0) FROM research_delivered WHERE registration = ?`, registration).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("warehouse: research delivered: %w", err)
	}
	rows, err := w.db.QueryContext(ctx, `SELECT DISTINCT person, element FROM research_delivered WHERE registration = ? ORDER BY ALL`, registration)
	if err != nil {
		return nil, 0, fmt.Errorf("warehouse: research delivered: %w", err)
	}
	defer rows.Close()
	var out []Delivered
	for rows.Next() {
		var d Delivered
		if err := rows.Scan(&d.Person, &d.Element); err != nil {
			return nil, 0, fmt.Errorf("warehouse: research delivered: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("warehouse: research delivered: %w", err)
	}
	return out, n, nil
}

// RecordDelivered adds what extract number no of registration delivered.
func (w *Warehouse) RecordDelivered(ctx context.Context, registration string, no int, ds []Delivered) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("warehouse: research delivered: %w", err)
	}
	defer conn.Close()
	rows := make([][]driver.Value, len(ds))
	for i, d := range ds {
		rows[i] = []driver.Value{registration, int32(no), d.Person, d.Element}
	}
	if err := duckappend.Rows(ctx, conn, "research_delivered", rows); err != nil {
		return fmt.Errorf("warehouse: research delivered: %w", err)
	}
	return nil
}
