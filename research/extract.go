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
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"integstat/internal/duckappend"
	"integstat/marts"
	"integstat/pseudo"
	"integstat/warehouse"
)

// ErrRefused marks an extract refused because k cannot be met within the
// generalisation and suppression the project file allows.
var ErrRefused = errors.New("research: extract refused")

// Options configure one extract.
type Options struct {
	Project   *Project
	Warehouse *warehouse.Warehouse
	// Key is the master pseudonymisation key; the project's key is derived
	// from it and the project id.
	Key *pseudo.Key
	// Out is the output directory; it must be empty or absent.
	Out string
	Log *slog.Logger
}

// Extract writes the project's extract to opt.Out and logs it (or its
// refusal or failure) in the warehouse's audit log. It returns the manifest
// written. An error wrapping ErrRefused means k could not be met.
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
	projKey := opt.Key.Derive("project/" + p.ID)
	m := &Manifest{Project: p.ID, Approval: p.Approval, SpecHash: p.SpecHash(), KeyID: projKey.ID(),
		KeyDerivation: "master key derived for \"project/" + p.ID + "\"", K: p.K, MaxSuppression: *p.MaxSuppression}
	if err := emptyDir(opt.Out); err != nil {
		return nil, err
	}
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
		return nil, err
	}
	x := &extractor{p: p, conn: conn, key: projKey, log: log, m: m}
	if err := x.run(ctx, files, opt.Out); err != nil {
		outcome := "failed"
		if errors.Is(err, ErrRefused) {
			outcome = "refused"
		}
		if lerr := opt.Warehouse.RecordExtract(ctx, m.auditRecord(outcome, err.Error(), opt.Out)); lerr != nil {
			return nil, errors.Join(err, lerr)
		}
		log.Warn("research extract "+outcome, "project", p.ID, "k", p.K, "reason", err)
		return nil, err
	}
	if err := opt.Warehouse.RecordExtract(ctx, m.auditRecord("delivered", "", opt.Out)); err != nil {
		return nil, err
	}
	log.Info("research extract delivered", "project", p.ID, "key_id", m.KeyID, "rows", m.rows(), "suppressed", m.suppressed(), "out", opt.Out)
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
		for _, id := range st.Deliveries {
			fs, err := filepath.Glob(filepath.Join(wh.Parquet(), t.Source, t.Parquet, "delivery_id="+id, "*.parquet"))
			if err != nil {
				return nil, fmt.Errorf("research: %w", err)
			}
			files[t.Name] = append(files[t.Name], fs...)
		}
		if len(files[t.Name]) == 0 {
			return nil, fmt.Errorf("research: no Parquet of %s in the data state %s %s", t.Name, t.Source, st.Date.Format(time.DateOnly))
		}
	}
	slices.SortFunc(m.DataState, func(a, b StateRef) int { return strings.Compare(a.Source, b.Source) })
	return files, nil
}

// extractor holds one extract's DuckDB connection and progress.
type extractor struct {
	p    *Project
	conn *sql.Conn
	key  *pseudo.Key
	log  *slog.Logger
	m    *Manifest
	// tables are the wanted tables in project order, qis the declared
	// quasi-identifiers with their hierarchies.
	tables []*wantedTable
	qis    []qi
	// persons counts the persons of the extract, in any table, before
	// suppression.
	persons int64
}

// wantedTable is one wanted table while it is extracted.
type wantedTable struct {
	t    *Table
	vars []*Variable // person first, then the wanted variables in order
	qis  []int       // the project's quasi-identifiers among vars (indices into extractor.qis)
	rows int64
}

// qi is a declared quasi-identifier.
type qi struct {
	name string
	h    Hierarchy
	max  int // the highest level allowed
}

func (x *extractor) run(ctx context.Context, files map[string][]string, out string) error {
	for _, q := range x.p.QuasiIdentifiers {
		v := x.p.wanted(q.Variable)
		top := len(v.Hierarchy.Levels()) - 1
		if q.MaxLevel != "" {
			top = levelIndex(v.Hierarchy, q.MaxLevel)
		}
		x.qis = append(x.qis, qi{name: q.Variable, h: v.Hierarchy, max: top})
	}
	for i, tr := range x.p.Tables {
		t, _ := Lookup(tr.Table)
		wt := &wantedTable{t: t, vars: []*Variable{&t.Variables[0]}}
		for _, name := range tr.Variables {
			if v, _ := t.Variable(name); v.Name != person.Name {
				wt.vars = append(wt.vars, v)
			}
		}
		for j, q := range x.qis {
			if slices.ContainsFunc(wt.vars, func(v *Variable) bool { return v.Name == q.name }) {
				wt.qis = append(wt.qis, j)
			}
		}
		if err := x.load(ctx, i, wt, files[t.Name]); err != nil {
			return err
		}
		x.tables = append(x.tables, wt)
	}
	if err := x.rekey(ctx); err != nil {
		return err
	}
	if err := x.mapQIs(ctx); err != nil {
		return err
	}
	if err := x.prepare(ctx); err != nil {
		return err
	}
	levels, err := x.search(ctx)
	if err != nil {
		return err
	}
	return x.write(ctx, levels, out)
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
	quoted := make([]string, len(files))
	for j, f := range files {
		quoted[j] = literal(f)
	}
	q := fmt.Sprintf("CREATE TEMP TABLE w%d AS SELECT %s FROM read_parquet([%s], hive_partitioning = false, union_by_name = true) WHERE %s",
		i, strings.Join(cols, ", "), strings.Join(quoted, ", "), strings.Join(where, " AND "))
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

// mapQIs writes, for each quasi-identifier, the table g<j>(v, l0, l1, …)
// of its values at every level, computed by its Hierarchy.
func (x *extractor) mapQIs(ctx context.Context) error {
	for j, q := range x.qis {
		var parts []string
		for i, wt := range x.tables {
			if slices.Contains(wt.qis, j) {
				parts = append(parts, fmt.Sprintf("SELECT CAST(%s AS VARCHAR) AS v FROM w%d", ident(q.name), i))
			}
		}
		values, err := x.strings(ctx, "SELECT DISTINCT v FROM ("+strings.Join(parts, " UNION ALL ")+") WHERE v IS NOT NULL ORDER BY v")
		if err != nil {
			return err
		}
		n := len(q.h.Levels())
		cols := make([]string, n)
		for l := range n {
			cols[l] = fmt.Sprintf("l%d VARCHAR", l)
		}
		if err := x.exec(ctx, fmt.Sprintf("CREATE TEMP TABLE g%d (v VARCHAR PRIMARY KEY, %s)", j, strings.Join(cols, ", "))); err != nil {
			return err
		}
		rows := make([][]driver.Value, len(values))
		for r, v := range values {
			row := []driver.Value{v}
			for l := range n {
				row = append(row, q.h.Generalise(v, l))
			}
			rows[r] = row
		}
		if err := duckappend.Rows(ctx, x.conn, fmt.Sprintf("g%d", j), rows); err != nil {
			return err
		}
	}
	return nil
}

// generalised returns the SELECT list and FROM clause of table i with its
// quasi-identifiers at levels: each quasi-identifier's generalised value;
// other variables are left out.
func (x *extractor) generalised(i int, levels []int) (qcols []string, from string) {
	wt := x.tables[i]
	from = fmt.Sprintf("w%d", i)
	for _, j := range wt.qis {
		from += fmt.Sprintf(" LEFT JOIN g%d ON g%d.v = CAST(w%d.%s AS VARCHAR)", j, j, i, ident(x.qis[j].name))
		qcols = append(qcols, fmt.Sprintf("g%d.l%d", j, levels[j]))
	}
	return qcols, from
}

// unit is the SQL expression of the person a row of table i belongs to: its
// pseudonym, or for a row without one, the row itself (it cannot be joined
// to any other row, so it is a person of its own).
func unit(i int) string {
	return fmt.Sprintf("coalesce(w%d.person, '#%d:' || w%d.rowid)", i, i, i)
}

// prepare writes, for each table i, d<i>(u, q0, q1, …): the distinct
// combinations of each person's raw quasi-identifier values in it, and
// n<i>(u, rows): each person's rows. The search generalises d<i>, which is
// much smaller than the table, and counts rows from n<i>. It also counts
// the persons of the extract.
func (x *extractor) prepare(ctx context.Context) error {
	var all []string
	for i, wt := range x.tables {
		cols := []string{unit(i) + " AS u"}
		for c, j := range wt.qis {
			cols = append(cols, fmt.Sprintf("CAST(w%d.%s AS VARCHAR) AS q%d", i, ident(x.qis[j].name), c))
		}
		q := fmt.Sprintf("CREATE TEMP TABLE d%d AS SELECT DISTINCT %s FROM w%d; CREATE TEMP TABLE n%d AS SELECT %s AS u, count(*) AS rows FROM w%d GROUP BY ALL",
			i, strings.Join(cols, ", "), i, i, unit(i), i)
		if err := x.exec(ctx, q); err != nil {
			return err
		}
		all = append(all, fmt.Sprintf("SELECT u FROM n%d", i))
	}
	return x.conn.QueryRowContext(ctx, "SELECT count(DISTINCT u) FROM ("+strings.Join(all, " UNION ALL ")+")").Scan(&x.persons)
}

// smallPersons returns a query of the persons (column u) whose signature at
// levels is shared by fewer than k persons. A person's signature is the set
// of (table, generalised quasi-identifier combination) of every row of
// theirs in every table: persons of one signature look alike in the whole
// extract, whichever tables are joined.
func (x *extractor) smallPersons(levels []int) string {
	parts := make([]string, len(x.tables))
	for i, wt := range x.tables {
		e, from := "'[]'", fmt.Sprintf("d%d", i)
		if len(wt.qis) > 0 {
			cols := make([]string, len(wt.qis))
			for c, j := range wt.qis {
				from += fmt.Sprintf(" LEFT JOIN g%d ON g%d.v = d%d.q%d", j, j, i, c)
				cols[c] = fmt.Sprintf("g%d.l%d", j, levels[j])
			}
			e = "to_json(list_value(" + strings.Join(cols, ", ") + "))"
		}
		parts[i] = fmt.Sprintf("SELECT d%d.u, '%d ' || %s AS e FROM %s", i, i, e, from)
	}
	return fmt.Sprintf(`SELECT u FROM (SELECT u, list_sort(list_distinct(list(e))) AS sig FROM (%s) GROUP BY u) QUALIFY count(*) OVER (PARTITION BY sig) < %d`,
		strings.Join(parts, " UNION ALL "), x.p.K)
}

// loss is what a generalisation suppresses: persons, and rows per table.
type loss struct {
	persons int64
	rows    []int64
}

// suppressed counts the persons and rows that levels would suppress.
func (x *extractor) suppressed(ctx context.Context, levels []int) (loss, error) {
	sel := []string{"(SELECT count(*) FROM s)"}
	for i := range x.tables {
		sel = append(sel, fmt.Sprintf("(SELECT coalesce(sum(rows), 0) FROM n%d SEMI JOIN s USING (u))", i))
	}
	l := loss{rows: make([]int64, len(x.tables))}
	dst := []any{&l.persons}
	for i := range l.rows {
		dst = append(dst, &l.rows[i])
	}
	q := fmt.Sprintf("WITH s AS (%s) SELECT %s", x.smallPersons(levels), strings.Join(sel, ", "))
	if err := x.conn.QueryRowContext(ctx, q).Scan(dst...); err != nil {
		return loss{}, fmt.Errorf("research: %w", err)
	}
	return l, nil
}

// search finds the least generalisation that meets k for persons across
// the extract within the allowed suppression of persons: a full-domain
// search over the lattice of levels, lowest total level first; among nodes
// of one height the one suppressing the fewest persons wins, then the
// fewest rows, then the first in the order of the declarations. It returns
// ErrRefused, with the top node's loss, when no node fits.
func (x *extractor) search(ctx context.Context) ([]int, error) {
	nodes := [][]int{{}}
	for _, q := range x.qis {
		var next [][]int
		for _, n := range nodes {
			for l := 0; l <= q.max; l++ {
				next = append(next, append(slices.Clone(n), l))
			}
		}
		nodes = next
	}
	height := func(n []int) int {
		s := 0
		for _, l := range n {
			s += l
		}
		return s
	}
	slices.SortStableFunc(nodes, func(a, b []int) int { return height(a) - height(b) })
	maxShare := *x.p.MaxSuppression
	rows := func(l loss) (n int64) {
		for _, r := range l.rows {
			n += r
		}
		return n
	}
	// Generalising merges signatures, so the persons suppressed at a node
	// include those suppressed at any node above it: the top of the
	// lattice suppresses the fewest, and if it does not fit, none does.
	top := nodes[len(nodes)-1]
	best, bestLoss, err := top, loss{}, error(nil)
	if bestLoss, err = x.suppressed(ctx, top); err != nil {
		return nil, err
	}
	var found []int
	if share(bestLoss.persons, x.persons) <= maxShare {
		for _, n := range nodes {
			if found != nil && height(n) > height(found) {
				break
			}
			l, err := x.suppressed(ctx, n)
			if err != nil {
				return nil, err
			}
			if share(l.persons, x.persons) <= maxShare &&
				(found == nil || l.persons < bestLoss.persons || l.persons == bestLoss.persons && rows(l) < rows(bestLoss)) {
				found, best, bestLoss = n, n, l
			}
		}
	}
	x.m.Generalisation = nil
	for j, q := range x.qis {
		x.m.Generalisation = append(x.m.Generalisation, Generalisation{Variable: q.name, Level: best[j], LevelName: q.h.Levels()[best[j]],
			MaxLevel: q.h.Levels()[q.max], Levels: q.h.Levels()})
	}
	x.m.Persons = PersonLoss{PersonsIn: x.persons, Suppressed: bestLoss.persons, PersonsOut: x.persons - bestLoss.persons, Share: share(bestLoss.persons, x.persons)}
	x.m.Tables = nil
	for i, wt := range x.tables {
		s := bestLoss.rows[i]
		x.m.Tables = append(x.m.Tables, TableLoss{Table: wt.t.Name, RowsIn: wt.rows, Suppressed: s, RowsOut: wt.rows - s, Share: share(s, wt.rows)})
	}
	if found == nil {
		tl := make([]string, len(x.m.Tables))
		for i, t := range x.m.Tables {
			tl[i] = fmt.Sprintf("%d of %d rows of %s", t.Suppressed, t.RowsIn, t.Table)
		}
		return nil, fmt.Errorf("%w: k = %d cannot be met within max_suppression %v and the allowed generalisation: the best generalisation (%s) would still suppress %d of %d persons (%.1f%%), with %s; allow more generalisation (max_level) or suppression, lower k, or ask for fewer quasi-identifiers",
			ErrRefused, x.p.K, maxShare, x.m.levelSummary(), bestLoss.persons, x.persons, 100*x.m.Persons.Share, strings.Join(tl, ", "))
	}
	if err := x.exec(ctx, "CREATE TEMP TABLE sup AS "+x.smallPersons(found)); err != nil {
		return nil, err
	}
	x.log.Info("research extract: generalisation chosen", "levels", x.m.levelSummary(), "persons_suppressed", bestLoss.persons, "rows_suppressed", rows(bestLoss))
	return found, nil
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
