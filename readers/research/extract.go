// Package research delivers anonymised, documented extracts of the
// pseudonymised microdata to approved research projects: a project file
// names the variables, the population, the quasi-identifiers and k; the
// extract re-keys every person per project (so two projects cannot be
// joined), generalises the quasi-identifiers along documented hierarchies
// until every combination is shared by at least k persons, suppresses what
// remains, and writes Parquet, CSV, a codebook and a manifest that a re-run
// reproduces byte for byte. docs/research.md is the user's guide.
package research

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"integstat/internal/duckappend"
	"integstat/load/marts"
	"integstat/load/warehouse"
	"integstat/transform/pseudo"
	"integstat/transform/store"
)

// ErrRefused marks an extract refused because k cannot be met within the
// generalisation and suppression the project file allows.
var ErrRefused = errors.New("research: extract refused")

// Options configure one extract.
type Options struct {
	Project   *Project
	Warehouse *warehouse.Warehouse
	// Key is the master pseudonymisation key; the project's key is derived
	// from it and the project's registration.
	Key *pseudo.Key
	// Policy is the owner's attacker model; nil reads it from the
	// warehouse (LoadPolicy).
	Policy *Policy
	// Out is the output directory; it must be empty or absent.
	Out string
	// Now is the day the registration must be valid on; zero: today.
	Now time.Time
	Log *slog.Logger
}

// Extract writes the project's extract to opt.Out and logs it (or its
// refusal or failure) in the warehouse's audit log. It returns the manifest
// written. An error wrapping ErrRefused means k could not be met, one
// wrapping ErrNotApproved that the project is not registered for it.
func Extract(ctx context.Context, opt Options) (*Manifest, error) {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p := opt.Project
	if p == nil || opt.Key == nil || opt.Warehouse == nil {
		return nil, errors.New("research: Extract needs a project, a key and a warehouse")
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("research: project: %w", err)
	}
	pol := opt.Policy
	if pol == nil {
		var err error
		if pol, err = LoadPolicy(opt.Warehouse.ResearchPolicy()); err != nil {
			return nil, err
		}
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	m := &Manifest{Project: p.ID, Approval: p.Approval, SpecHash: p.SpecHash(), K: p.K, MaxSuppression: *p.MaxSuppression}
	fail := func(err error) (*Manifest, error) {
		outcome := warehouse.ExtractFailed
		if errors.Is(err, ErrRefused) || errors.Is(err, ErrNotApproved) {
			outcome = warehouse.ExtractRefused
		}
		if lerr := opt.Warehouse.RecordExtract(ctx, m.auditRecord(outcome, err.Error(), opt.Out)); lerr != nil {
			return nil, errors.Join(err, lerr)
		}
		log.Warn("research extract "+string(outcome), "project", p.ID, "k", p.K, "reason", err)
		return nil, err
	}
	reg, err := approved(ctx, opt.Warehouse, p, now)
	if err != nil {
		return fail(err)
	}
	projKey := projectKey(opt.Key, reg)
	m.Registration, m.KeyID = reg.ID, projKey.ID()
	m.KeyDerivation = "master key derived for \"" + keyPurpose(reg) + "\" (project id and registration)"
	if err := emptyDir(opt.Out); err != nil {
		return nil, err
	}
	prior, n, err := opt.Warehouse.DeliveredTo(ctx, reg.ID)
	if err != nil {
		return nil, err
	}
	m.Extract = n + 1
	files, err := dataState(ctx, opt.Warehouse, p, m)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("research: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("research: %w", err)
	}
	defer conn.Close()
	if err := marts.ProtectedPersons(ctx, conn, opt.Warehouse, "skjult_person"); err != nil {
		return fail(err)
	}
	x := &extractor{p: p, pol: pol, conn: conn, key: projKey, log: log, m: m}
	delivered, err := x.run(ctx, files, prior, opt.Out)
	if err != nil {
		return fail(err)
	}
	if err := opt.Warehouse.RecordDelivered(ctx, reg.ID, m.Extract, delivered); err != nil {
		return nil, err
	}
	if err := opt.Warehouse.RecordExtract(ctx, m.auditRecord(warehouse.ExtractDelivered, "", opt.Out)); err != nil {
		return nil, err
	}
	log.Info("research extract delivered", "project", p.ID, "registration", reg.ID, "key_id", m.KeyID, "rows", m.rows(), "suppressed", m.suppressed(), "out", opt.Out)
	return m, nil
}

// emptyDir makes dir if needed and refuses one that holds anything, so an
// extract never mixes with older files.
func emptyDir(dir string) error {
	if dir == "" {
		return errors.New("research: no output directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("research: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("research: %w", err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("research: output directory %s is not empty; an extract goes into a new or empty directory", dir)
	}
	return nil
}

// dataState finds the Parquet files of each wanted table at the newest data
// state of its source and records the states in m.
func dataState(ctx context.Context, wh *warehouse.Warehouse, p *Project, m *Manifest) (map[string][]string, error) {
	ds, err := wh.Deliveries(ctx)
	if err != nil {
		return nil, err
	}
	newest := marts.Newest(marts.States(ds), time.Time{})
	files := map[string][]string{}
	for _, tr := range p.Tables {
		t, _ := Lookup(tr.Table)
		st, ok := newest[t.Source]
		if !ok {
			return nil, fmt.Errorf("research: the warehouse has no delivery of source %s (wanted for %s)", t.Source, t.Name)
		}
		if !slices.ContainsFunc(m.DataState, func(s StateRef) bool { return s.Source == t.Source }) {
			m.DataState = append(m.DataState, StateRef{Source: t.Source, Date: st.Date.Format(time.DateOnly), Deliveries: st.Deliveries})
		}
		fs, err := wh.PartFiles(t.Source, t.Parquet, st.Deliveries)
		if err != nil {
			return nil, fmt.Errorf("research: %w", err)
		}
		files[t.Name] = append(files[t.Name], fs...)
		if len(files[t.Name]) == 0 {
			return nil, fmt.Errorf("research: no Parquet of %s in the data state %s %s", t.Name, t.Source, st.Date.Format(time.DateOnly))
		}
	}
	slices.SortFunc(m.DataState, func(a, b StateRef) int { return strings.Compare(a.Source, b.Source) })
	return files, nil
}

// exec runs SQL statements on the extract's connection.
func (x *extractor) exec(ctx context.Context, q string) error {
	if _, err := x.conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("research: %w", err)
	}
	return nil
}

// load reads table i's rows of the population into the temporary table w<i>.
func (x *extractor) load(ctx context.Context, i int, wt *wantedTable, files []string) error {
	cols := make([]string, len(wt.vars))
	for j, v := range wt.vars {
		cols[j] = fmt.Sprintf("%s AS %s", v.Expr, ident(v.Name))
	}
	// Persons with protected identity are never extracted, from any table.
	where := []string{"person NOT IN (SELECT person FROM skjult_person)"}
	if wt.t.Where != "" {
		where = append(where, wt.t.Where)
	}
	if len(x.p.Population.Years) > 0 && wt.t.Year != "" {
		ys := make([]string, len(x.p.Population.Years))
		for j, y := range x.p.Population.Years {
			ys[j] = strconv.Itoa(y)
		}
		where = append(where, fmt.Sprintf("%s IN (%s)", wt.t.Year, strings.Join(ys, ", ")))
	}
	for _, f := range x.p.Population.Filters {
		v, ok := wt.t.Variable(f.Variable)
		if !ok {
			continue
		}
		if len(f.In) > 0 {
			vals := make([]string, len(f.In))
			for j, s := range f.In {
				vals[j] = literal(s)
			}
			where = append(where, fmt.Sprintf("CAST(%s AS VARCHAR) IN (%s)", v.Expr, strings.Join(vals, ", ")))
		}
		if f.Min != nil {
			where = append(where, fmt.Sprintf("%s >= %s", v.Expr, strconv.FormatFloat(*f.Min, 'g', -1, 64)))
		}
		if f.Max != nil {
			where = append(where, fmt.Sprintf("%s <= %s", v.Expr, strconv.FormatFloat(*f.Max, 'g', -1, 64)))
		}
	}
	q := fmt.Sprintf("CREATE TEMP TABLE w%d AS SELECT %s FROM %s WHERE %s",
		i, strings.Join(cols, ", "), store.ReadSQL(files), strings.Join(where, " AND "))
	if err := x.exec(ctx, q); err != nil {
		return fmt.Errorf("%w (table %s)", err, wt.t.Name)
	}
	if err := x.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM w%d", i)).Scan(&wt.rows); err != nil {
		return fmt.Errorf("research: %w", err)
	}
	x.log.Info("research extract: population read", "table", wt.t.Name, "rows", wt.rows)
	return nil
}

// rekey replaces every value of a re-keyed variable (the person, the
// household) by its pseudonym under the project key.
func (x *extractor) rekey(ctx context.Context) error {
	kinds := map[string][]string{} // kind → "w<i>.<column>"
	var order []string
	for i, wt := range x.tables {
		for _, v := range wt.vars {
			if v.Rekey != "" {
				if _, ok := kinds[v.Rekey]; !ok {
					order = append(order, v.Rekey)
				}
				kinds[v.Rekey] = append(kinds[v.Rekey], fmt.Sprintf("w%d.%s", i, ident(v.Name)))
			}
		}
	}
	for n, kind := range order {
		cols := kinds[kind]
		parts := make([]string, len(cols))
		for j, c := range cols {
			tbl, col, _ := strings.Cut(c, ".")
			parts[j] = fmt.Sprintf("SELECT %s AS v FROM %s WHERE %s IS NOT NULL", col, tbl, col)
		}
		values, err := x.strings(ctx, "SELECT DISTINCT v FROM ("+strings.Join(parts, " UNION ALL ")+") ORDER BY v")
		if err != nil {
			return err
		}
		rk := fmt.Sprintf("rk%d", n)
		if err := x.exec(ctx, "CREATE TEMP TABLE "+rk+" (src VARCHAR PRIMARY KEY, dst VARCHAR NOT NULL)"); err != nil {
			return err
		}
		rows := make([][]driver.Value, len(values))
		for j, v := range values {
			rows[j] = []driver.Value{v, x.key.Pseudonym(kind, v)}
		}
		if err := duckappend.Rows(ctx, x.conn, rk, rows); err != nil {
			return err
		}
		for _, c := range cols {
			tbl, col, _ := strings.Cut(c, ".")
			if err := x.exec(ctx, fmt.Sprintf("UPDATE %s SET %s = %s.dst FROM %s WHERE %s.%s = %s.src", tbl, col, rk, rk, tbl, col, rk)); err != nil {
				return err
			}
		}
	}
	return nil
}

func share(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// strings runs a query of one VARCHAR column and returns its values.
func (x *extractor) strings(ctx context.Context, q string) ([]string, error) {
	rows, err := x.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("research: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("research: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("research: %w", err)
	}
	return out, nil
}

// ident quotes a column name for SQL.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// literal quotes a string for SQL.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
