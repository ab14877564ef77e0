package research

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"integstat/internal/duckappend"
	"integstat/load/warehouse"
	"integstat/transform/pseudo"
)

// extractor holds one extract's DuckDB connection and progress.
type extractor struct {
	p    *Project
	pol  *Policy
	conn *sql.Conn
	key  *pseudo.Key
	log  *slog.Logger
	m    *Manifest
	// tables are the wanted tables in project order, qis the
	// quasi-identifiers: the project's, the owner's and the sources of
	// derived values, and the household.
	tables []*wantedTable
	qis    []qi
	// persons counts the persons of the extract, in any table, before
	// suppression.
	persons int64
	// levels is each person's level of every quasi-identifier (local
	// recoding), has which quasi-identifiers the person has a value of,
	// household the household of a person and members a household's persons.
	levels    map[string][]int
	has       map[string]uint64
	household map[string]string
	members   map[string][]string
	// suppressed are the persons left out with all their rows; in the
	// tables each person has rows in, dropped those whose rows are left
	// out (so that the set of tables a person is in does not single them
	// out); tablePersons counts each table's persons.
	suppressed   map[string]bool
	in, dropped  map[string]uint64
	tablePersons []int64
}

// wantedTable is one wanted table while it is extracted.
type wantedTable struct {
	t *Table
	// vars are the person, then the wanted variables in order, then the
	// sources of derived values that were not asked for (hidden: read
	// for the check, never written).
	vars   []*Variable
	hidden int      // vars[hidden:] are not written
	qis    []int    // the quasi-identifiers among vars (indices into extractor.qis)
	derive [][2]int // for each var, the quasi-identifiers its value is derived from, or {-1, -1}
	sens   []string // the sensitive variables among vars
	rows   int64
}

// qi is a quasi-identifier of the extract.
type qi struct {
	name      string
	h         Hierarchy
	max       int // the highest level allowed
	weight    float64
	household bool
	// composition marks a member variable (a sex, an age) that makes up
	// the composition of a household, part of the household's value.
	composition bool
	hidden      bool // not written, only checked
}

// householdLevels is the hierarchy of the household: its size is known,
// or the household link is removed.
type householdLevels struct{}

func (householdLevels) Levels() []string { return []string{"household", "hidden"} }

func (householdLevels) Generalise(v string, level int) string {
	if level == 0 {
		return v
	}
	return All
}

// setup chooses the tables' variables and the quasi-identifiers: those
// the project declares, then the owner's, then the sources of derived
// values, then the household.
func (x *extractor) setup() {
	add := func(name string, h Hierarchy, maxLevel string, household, hidden bool) int {
		if j := x.qiIndex(name); j >= 0 {
			x.qis[j].hidden = x.qis[j].hidden && hidden
			return j
		}
		top := len(h.Levels()) - 1
		if maxLevel != "" {
			top = levelIndex(h, maxLevel)
		}
		w := 1.0
		if pw, ok := x.p.Weights[name]; ok {
			w = pw
		}
		x.qis = append(x.qis, qi{name: name, h: h, max: top, weight: w, household: household, hidden: hidden})
		return len(x.qis) - 1
	}
	for _, q := range x.p.QuasiIdentifiers {
		add(q.Variable, x.p.wanted(q.Variable).Hierarchy, q.MaxLevel, false, false)
	}
	for _, tr := range x.p.Tables {
		t, _ := Lookup(tr.Table)
		wt := &wantedTable{t: t, vars: []*Variable{&t.Variables[0]}}
		for _, name := range tr.Variables {
			if v, _ := t.Variable(name); v.Name != person.Name {
				wt.vars = append(wt.vars, v)
			}
		}
		wt.hidden = len(wt.vars)
		for _, v := range wt.vars[1:wt.hidden] {
			for _, src := range x.pol.Derived[v.Name] {
				if sv, ok := t.Variable(src); ok && !slices.Contains(wt.vars, sv) {
					wt.vars = append(wt.vars, sv)
				}
			}
		}
		for c, v := range wt.vars {
			switch {
			case c == 0:
			case v.Hierarchy != nil && x.pol.isQI(v.Name):
				add(v.Name, v.Hierarchy, "", false, c >= wt.hidden)
			case v.Hierarchy != nil && c >= wt.hidden:
				add(v.Name, v.Hierarchy, "", false, true)
			case v.Rekey == pseudo.KindFamily && x.pol.Households:
				add(v.Name, householdLevels{}, "", true, false)
			}
			if slices.Contains(x.pol.Sensitive, v.Name) && c < wt.hidden {
				wt.sens = append(wt.sens, v.Name)
			}
		}
		x.tables = append(x.tables, wt)
	}
	if slices.ContainsFunc(x.qis, func(q qi) bool { return q.household }) {
		for j := range x.qis {
			x.qis[j].composition = !x.qis[j].household && slices.Contains(x.pol.Composition, x.qis[j].name)
		}
	}
	for _, wt := range x.tables {
		for _, v := range wt.vars {
			j := x.qiIndex(v.Name)
			if j >= 0 && v.Name != person.Name {
				wt.qis = append(wt.qis, j)
			}
			d := [2]int{-1, -1}
			if srcs := x.pol.Derived[v.Name]; len(srcs) == 2 {
				d = [2]int{x.qiIndex(srcs[0]), x.qiIndex(srcs[1])}
			}
			wt.derive = append(wt.derive, d)
		}
	}
}

func (x *extractor) run(ctx context.Context, files map[string][]string, prior []warehouse.Delivered, out string) ([]warehouse.Delivered, error) {
	x.setup()
	for i, wt := range x.tables {
		if err := x.load(ctx, i, wt, files[wt.t.Name]); err != nil {
			return nil, err
		}
	}
	if err := x.rekey(ctx); err != nil {
		return nil, err
	}
	if err := x.mapQIs(ctx); err != nil {
		return nil, err
	}
	if err := x.prepare(ctx, prior); err != nil {
		return nil, err
	}
	if err := x.recode(ctx); err != nil {
		return nil, err
	}
	if err := x.report(ctx); err != nil {
		return nil, err
	}
	if err := x.write(ctx, out); err != nil {
		return nil, err
	}
	return x.delivered(ctx)
}

// mapQIs writes, for each quasi-identifier, the table g<j>(v, ls) of its
// values at every level (ls[1] is level 0), computed by its Hierarchy; for
// the household, its size ("n3") and then All.
func (x *extractor) mapQIs(ctx context.Context) error {
	for j, q := range x.qis {
		if q.household {
			var parts []string
			for i, wt := range x.tables {
				if slices.Contains(wt.qis, j) {
					parts = append(parts, fmt.Sprintf("SELECT %s AS v, person FROM w%d WHERE %s IS NOT NULL", ident(q.name), i, ident(q.name)))
				}
			}
			if err := x.exec(ctx, fmt.Sprintf("CREATE TEMP TABLE g%d AS SELECT v, ['n' || count(DISTINCT person), '%s'] AS ls FROM (%s) GROUP BY v",
				j, All, strings.Join(parts, " UNION ALL "))); err != nil {
				return err
			}
			continue
		}
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
		if err := x.exec(ctx, fmt.Sprintf("CREATE TEMP TABLE g%d (v VARCHAR PRIMARY KEY, ls VARCHAR[])", j)); err != nil {
			return err
		}
		rows := make([][]driver.Value, len(values))
		for r, v := range values {
			ls := make([]string, len(q.h.Levels()))
			for l := range ls {
				ls[l] = q.h.Generalise(v, l)
			}
			rows[r] = []driver.Value{v, ls}
		}
		if err := duckappend.Rows(ctx, x.conn, fmt.Sprintf("g%d", j), rows); err != nil {
			return err
		}
	}
	return nil
}

// unit is the SQL expression of the person a row of table i belongs to: its
// pseudonym, or for a row without one, the row itself (it cannot be joined
// to any other row, so it is a person of its own).
func unit(i int) string {
	return fmt.Sprintf("coalesce(w%d.person, '#%d:' || w%d.rowid)", i, i, i)
}

// prepare writes, for each table i, d<i>(u, q0, q1, …): the distinct
// combinations of each person's raw quasi-identifier values in it; the
// persons' levels lv(u, l0, …), all 0; sup(u), the suppressed; prior(u,
// e), what earlier extracts of the registration delivered; and s<i>_<name>
// (u, s), the values of each sensitive variable. It counts the persons and
// learns which quasi-identifiers each person has and their households.
func (x *extractor) prepare(ctx context.Context, prior []warehouse.Delivered) error {
	x.has, x.household, x.members, x.suppressed = map[string]uint64{}, map[string]string{}, map[string][]string{}, map[string]bool{}
	x.in, x.dropped = map[string]uint64{}, map[string]uint64{}
	for i, wt := range x.tables {
		cols := []string{unit(i) + " AS u"}
		for c, j := range wt.qis {
			cols = append(cols, fmt.Sprintf("CAST(w%d.%s AS VARCHAR) AS q%d", i, ident(x.qis[j].name), c))
		}
		if err := x.exec(ctx, fmt.Sprintf("CREATE TEMP TABLE d%d AS SELECT DISTINCT %s FROM w%d", i, strings.Join(cols, ", "), i)); err != nil {
			return err
		}
		us, err := x.strings(ctx, fmt.Sprintf("SELECT DISTINCT u FROM d%d", i))
		if err != nil {
			return err
		}
		for _, u := range us {
			x.in[u] |= 1 << i
		}
		x.tablePersons = append(x.tablePersons, int64(len(us)))
		for c, j := range wt.qis {
			us, err := x.strings(ctx, fmt.Sprintf("SELECT DISTINCT u FROM d%d", i)) // a missing value is All at the top
			if err != nil {
				return err
			}
			for _, u := range us {
				x.has[u] |= 1 << j
			}
			if x.qis[j].household {
				pairs, err := x.strings(ctx, fmt.Sprintf("SELECT u || ' ' || min(q%d) FROM d%d WHERE q%d IS NOT NULL GROUP BY u ORDER BY 1", c, i, c))
				if err != nil {
					return err
				}
				for _, pair := range pairs {
					u, f, _ := strings.Cut(pair, " ")
					x.household[u] = f
					x.members[f] = append(x.members[f], u)
				}
			}
		}
		for _, s := range wt.sens {
			if err := x.exec(ctx, fmt.Sprintf("CREATE TEMP TABLE s%d_%s AS SELECT DISTINCT %s AS u, CAST(%s AS VARCHAR) AS s FROM w%d WHERE %s IS NOT NULL",
				i, s, unit(i), ident(s), i, ident(s))); err != nil {
				return err
			}
		}
	}
	var all []string
	for i := range x.tables {
		all = append(all, fmt.Sprintf("SELECT u FROM d%d", i))
	}
	units, err := x.strings(ctx, "SELECT DISTINCT u FROM ("+strings.Join(all, " UNION ALL ")+") ORDER BY u")
	if err != nil {
		return err
	}
	x.persons = int64(len(units))
	cols := make([]string, len(x.qis))
	for j := range x.qis {
		cols[j] = fmt.Sprintf("l%d INTEGER NOT NULL", j)
	}
	if err := x.exec(ctx, fmt.Sprintf("CREATE TEMP TABLE lv (u VARCHAR PRIMARY KEY, %s); CREATE TEMP TABLE lvc AS SELECT * FROM lv; CREATE TEMP TABLE sup (u VARCHAR PRIMARY KEY); CREATE TEMP TABLE drp (u VARCHAR, t INTEGER); CREATE TEMP TABLE prior (u VARCHAR, e VARCHAR)",
		strings.Join(cols, ", "))); err != nil {
		return err
	}
	x.levels = make(map[string][]int, len(units))
	for _, u := range units {
		x.levels[u] = make([]int, len(x.qis))
	}
	if err := x.storeLevels(ctx, units, false); err != nil {
		return err
	}
	rows := make([][]driver.Value, len(prior))
	for i, d := range prior {
		rows[i] = []driver.Value{d.Person, d.Element}
	}
	return duckappend.Rows(ctx, x.conn, "prior", rows)
}

// storeLevels writes the levels of persons us to lv (replacing, if set).
func (x *extractor) storeLevels(ctx context.Context, us []string, replace bool) error {
	rows := make([][]driver.Value, len(us))
	for i, u := range us {
		row := []driver.Value{u}
		for _, l := range x.levels[u] {
			row = append(row, int32(l))
		}
		rows[i] = row
	}
	table := "lv"
	if replace {
		table = "lvc"
		if err := x.exec(ctx, "DELETE FROM lvc"); err != nil {
			return err
		}
	}
	if err := duckappend.Rows(ctx, x.conn, table, rows); err != nil {
		return err
	}
	if replace {
		return x.exec(ctx, "DELETE FROM lv WHERE u IN (SELECT u FROM lvc); INSERT INTO lv SELECT * FROM lvc")
	}
	return nil
}

// elements is a query of every (u, e) the extract would deliver at the
// current levels: e is a table's name and the values of its
// quasi-identifiers in one row of the person's, as JSON (names sorted).
// Suppressed persons deliver nothing.
func (x *extractor) elements() string {
	parts := make([]string, len(x.tables))
	for i := range x.tables {
		from, e := x.element(i, func(int) bool { return true })
		parts[i] = fmt.Sprintf("SELECT d%d.u, %s AS e FROM %s WHERE NOT %s", i, e, from, gone(i, fmt.Sprintf("d%d.u", i)))
	}
	return strings.Join(parts, " UNION ALL ")
}

// element returns the FROM clause (d<i> with the persons' levels and what
// the values need) and the SQL of the element of a row of table i at the
// current levels: the table's name and the values of the quasi-identifiers
// keep selects, as JSON (names sorted). The household's value is its
// composition (compositionSQL) while it is linked, All when not.
func (x *extractor) element(i int, keep func(j int) bool) (from, e string) {
	wt := x.tables[i]
	from = fmt.Sprintf("d%d JOIN lv ON lv.u = d%d.u", i, i)
	type kv struct{ name, expr string }
	var kvs []kv
	for c, j := range wt.qis {
		if !keep(j) {
			continue
		}
		if x.qis[j].household {
			from += fmt.Sprintf(" LEFT JOIN (%s) hc ON hc.f = d%d.q%d", x.compositionSQL(), i, c)
			kvs = append(kvs, kv{x.qis[j].name, fmt.Sprintf("CASE WHEN lv.l%d >= 1 THEN '%s' ELSE hc.c END", j, All)})
			continue
		}
		from += fmt.Sprintf(" LEFT JOIN g%d ON g%d.v = d%d.q%d", j, j, i, c)
		kvs = append(kvs, kv{x.qis[j].name, x.valueSQL(j)})
	}
	slices.SortFunc(kvs, func(a, b kv) int { return strings.Compare(a.name, b.name) })
	e = "'{}'"
	if len(kvs) > 0 {
		args := make([]string, len(kvs))
		for a, p := range kvs {
			args[a] = literal(p.name) + ", " + p.expr
		}
		e = "CAST(json_object(" + strings.Join(args, ", ") + ") AS VARCHAR)"
	}
	return from, literal(wt.t.Name) + " || ' ' || " + e
}

// compositionSQL is a query of each household's composition (f, c) at the
// current levels: the sorted list of its members, each the set of what is
// written of their composition variables (sex, ages, birth year) in every
// table that has one or the household. It is what a researcher reads off
// the members linked by the household pseudonym (and by the person
// pseudonym across tables), so it holds the size too, and it coarsens as
// the members' own values are generalised: a household's value in its
// members' signatures, so every group of persons counts k households of
// one composition.
func (x *extractor) compositionSQL() string {
	var members, households []string
	for i, wt := range x.tables {
		hc, comp := -1, false
		for c, j := range wt.qis {
			if x.qis[j].household {
				hc = c
			}
			comp = comp || x.qis[j].composition
		}
		if hc < 0 && !comp {
			continue
		}
		from, e := x.element(i, func(j int) bool { return x.qis[j].composition })
		members = append(members, fmt.Sprintf("SELECT d%d.u, %s AS e FROM %s WHERE NOT %s", i, e, from, gone(i, fmt.Sprintf("d%d.u", i))))
		if hc >= 0 {
			households = append(households, fmt.Sprintf("SELECT u, q%d AS f FROM d%d WHERE q%d IS NOT NULL AND NOT %s", hc, i, hc, gone(i, "u")))
		}
	}
	return fmt.Sprintf(`WITH me AS (SELECT u, CAST(to_json(list_sort(list_distinct(list(e)))) AS VARCHAR) AS m FROM (%s) GROUP BY u),
		hm AS (SELECT u, min(f) AS f FROM (%s) GROUP BY u)
		SELECT f, CAST(to_json(list_sort(list(m))) AS VARCHAR) AS c FROM hm JOIN me USING (u) GROUP BY f`,
		strings.Join(members, " UNION ALL "), strings.Join(households, " UNION ALL "))
}

// smallQuery is a query of the persons (u) whose group is too small: a
// person's signature is the set of everything delivered about them, now
// and by the registration's earlier extracts; a group, the persons of one
// signature, must count k persons and k households, and ℓ values of each
// sensitive variable when the owner asks for ℓ-diversity.
func (x *extractor) smallQuery() string {
	hh := "SELECT u, u AS h FROM sg"
	if j := slices.IndexFunc(x.qis, func(q qi) bool { return q.household }); j >= 0 {
		var parts []string
		for i, wt := range x.tables {
			for c, jj := range wt.qis {
				if jj == j {
					parts = append(parts, fmt.Sprintf("SELECT u, min(q%d) AS f FROM d%d GROUP BY u", c, i))
				}
			}
		}
		hh = fmt.Sprintf(`SELECT sg.u, coalesce(CASE WHEN lv.l%d = 0 THEN fam.f END, sg.u) AS h FROM sg LEFT JOIN lv ON lv.u = sg.u
			LEFT JOIN (SELECT u, min(f) AS f FROM (%s) GROUP BY u) fam ON fam.u = sg.u`, j, strings.Join(parts, " UNION ALL "))
	}
	cond := fmt.Sprintf("cl.n < %d OR cl.nh < %d", x.p.K, x.p.K)
	ld := ""
	if x.pol.LDiversity >= 2 {
		for i, wt := range x.tables {
			for _, s := range wt.sens {
				t := fmt.Sprintf("s%d_%s", i, s)
				ld += fmt.Sprintf(", %s_n AS (SELECT sig, count(DISTINCT s) AS n FROM sg JOIN %s USING (u) WHERE NOT %s GROUP BY sig)", t, t, gone(i, "u"))
				cond += fmt.Sprintf(" OR sig IN (SELECT sig FROM %s_n WHERE n < %d)", t, x.pol.LDiversity)
			}
		}
	}
	return fmt.Sprintf(`WITH el AS (%s UNION ALL SELECT u, e FROM prior),
		sg AS (SELECT u, list_sort(list_distinct(list(e))) AS sig FROM el GROUP BY u),
		hh AS (%s),
		cl AS (SELECT sig, count(*) AS n, count(DISTINCT h) AS nh FROM sg JOIN hh USING (u) GROUP BY sig)%s
		SELECT u FROM sg JOIN cl USING (sig) WHERE %s ORDER BY u`, x.elements(), hh, ld, cond)
}

// recode generalises locally: while some persons are in groups that are
// too small, each of them has one quasi-identifier raised a level, the one
// whose next level costs least (its weight times the share of its
// hierarchy climbed), so persons in large enough groups keep their detail.
// Persons whose group is still too small with everything raised as far as
// allowed are suppressed with all their rows (and their household's link
// removed), until every group is large enough. An extract that would
// suppress more than max_suppression, or whose groups cannot be made large
// enough together with the registration's earlier extracts, is refused.
func (x *extractor) recode(ctx context.Context) error {
	for round := 0; ; round++ {
		small, err := x.strings(ctx, x.smallQuery())
		if err != nil {
			return err
		}
		var changed []string
		seen := map[string]bool{}
		raise := func(u string, j int) {
			x.levels[u][j]++
			if !seen[u] {
				seen[u] = true
				changed = append(changed, u)
			}
		}
		for _, u := range small {
			lev, ok := x.levels[u]
			if !ok || x.suppressed[u] || seen[u] {
				continue
			}
			best, cost := -1, 0.0
			for j, q := range x.qis {
				if x.has[u]&(1<<j) == 0 || lev[j] >= q.max {
					continue
				}
				if c := q.weight * float64(lev[j]+1) / float64(len(q.h.Levels())-1); best < 0 || c < cost {
					best, cost = j, c
				}
			}
			if best < 0 {
				// Nothing more to generalise within what the project
				// allows: suppress a single value (set it to All) rather
				// than the person, the one of least weight.
				for j, q := range x.qis {
					if top := len(q.h.Levels()) - 1; x.has[u]&(1<<j) != 0 && lev[j] < top && (best < 0 || q.weight < cost) {
						best, cost = j, q.weight
					}
				}
				if best < 0 {
					continue
				}
				if !x.qis[best].household {
					x.levels[u][best] = len(x.qis[best].h.Levels()) - 2
				}
			}
			if f := x.household[u]; x.qis[best].household && f != "" {
				for _, m := range x.members[f] {
					if x.levels[m][best] == 0 {
						raise(m, best)
					}
				}
				continue
			}
			raise(u, best)
		}
		if len(changed) == 0 {
			x.log.Info("research extract: local recoding done", "rounds", round, "persons_small", len(small))
			break
		}
		if err := x.storeLevels(ctx, changed, true); err != nil {
			return err
		}
	}
	// Suppress what generalising could not protect; a suppressed member
	// removes the household link of the others, which changes their
	// signatures, so repeat until nothing changes.
	for {
		small, err := x.strings(ctx, x.smallQuery())
		if err != nil {
			return err
		}
		var sup, changed []string
		var drop [][]driver.Value
		var stuck int
		hj := slices.IndexFunc(x.qis, func(q qi) bool { return q.household })
		hideHousehold := func(u string) {
			if hj < 0 || x.household[u] == "" {
				return
			}
			for _, m := range x.members[x.household[u]] {
				if x.levels[m][hj] == 0 {
					x.levels[m][hj] = 1
					changed = append(changed, m)
				}
			}
		}
		for _, u := range small {
			if _, ok := x.levels[u]; !ok || x.suppressed[u] {
				stuck++
				continue
			}
			// Generalised as far as it goes, the person is still alone
			// by the tables they are in: leave out their rows of the
			// table with the fewest persons, or the person if it is the
			// last table.
			left, rarest := x.in[u]&^x.dropped[u], -1
			for i := range x.tables {
				if left&(1<<i) != 0 && (rarest < 0 || x.tablePersons[i] < x.tablePersons[rarest]) {
					rarest = i
				}
			}
			if rarest < 0 || left == 1<<rarest {
				sup = append(sup, u)
				continue
			}
			x.dropped[u] |= 1 << rarest
			drop = append(drop, []driver.Value{u, int32(rarest)})
			if hj >= 0 && slices.Contains(x.tables[rarest].qis, hj) {
				hideHousehold(u)
			}
		}
		if len(drop) > 0 {
			if err := duckappend.Rows(ctx, x.conn, "drp", drop); err != nil {
				return err
			}
		}
		if len(sup) == 0 && len(drop) == 0 && stuck > 0 {
			// Persons already delivered are in a group under k: the
			// persons who shared their earlier signature are left out of
			// this extract, so that they keep sharing it.
			if sup, err = x.strings(ctx, fmt.Sprintf(`WITH ps AS (SELECT u, list_sort(list_distinct(list(e))) AS sig FROM prior GROUP BY u)
				SELECT u FROM ps WHERE sig IN (SELECT sig FROM ps WHERE u IN (%s)) AND u IN (SELECT u FROM lv) AND u NOT IN (SELECT u FROM sup) ORDER BY u`, x.smallQuery())); err != nil {
				return err
			}
			if len(sup) == 0 {
				return x.refuse(ctx, fmt.Sprintf("%d persons delivered by the project's %d earlier extracts would be in groups under k together with this one", stuck, x.m.Extract-1))
			}
		}
		if len(sup) == 0 && len(drop) == 0 {
			break
		}
		for _, u := range sup {
			x.suppressed[u] = true
			hideHousehold(u)
		}
		rows := make([][]driver.Value, len(sup))
		for i, u := range sup {
			rows[i] = []driver.Value{u}
		}
		if err := duckappend.Rows(ctx, x.conn, "sup", rows); err != nil {
			return err
		}
		if len(changed) > 0 {
			if err := x.storeLevels(ctx, changed, true); err != nil {
				return err
			}
		}
	}
	if share(int64(len(x.suppressed)), x.persons) > *x.p.MaxSuppression {
		return x.refuse(ctx, "")
	}
	return nil
}

// refuse returns the error of a refused extract: k, the allowed share,
// the most generalisation allowed, and the persons and rows of each table
// it would still suppress.
func (x *extractor) refuse(ctx context.Context, why string) error {
	if err := x.report(ctx); err != nil {
		return err
	}
	tl := make([]string, len(x.m.Tables))
	for i, t := range x.m.Tables {
		tl[i] = fmt.Sprintf("%d of %d rows of %s", t.Suppressed, t.RowsIn, t.Table)
	}
	if why != "" {
		why = "; " + why
	}
	return fmt.Errorf("%w: k = %d cannot be met within max_suppression %v and the allowed generalisation (%s): it would still suppress %d of %d persons (%.1f%%), with %s%s; allow more generalisation (max_level) or suppression, lower k, or ask for fewer variables",
		ErrRefused, x.p.K, *x.p.MaxSuppression, x.maxSummary(), x.m.Persons.Suppressed, x.persons, 100*x.m.Persons.Share, strings.Join(tl, ", "), why)
}

// maxSummary is the most generalisation allowed in one line:
// "fodselsaar: 5-year band, …".
func (x *extractor) maxSummary() string {
	parts := make([]string, len(x.qis))
	for j, q := range x.qis {
		parts[j] = q.name + ": " + q.h.Levels()[q.max]
	}
	return strings.Join(parts, ", ")
}

// report fills the manifest's information loss: per quasi-identifier the
// values at each level and suppressed, the persons and rows suppressed per
// table, and the smallest group.
func (x *extractor) report(ctx context.Context) error {
	var sup []string
	for u := range x.suppressed {
		sup = append(sup, u)
	}
	ns := int64(len(sup))
	x.m.Persons = PersonLoss{PersonsIn: x.persons, Suppressed: ns, PersonsOut: x.persons - ns, Share: share(ns, x.persons)}
	x.m.Tables = nil
	for i, wt := range x.tables {
		var s int64
		if err := x.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM w%d WHERE %s", i, gone(i, unit(i)))).Scan(&s); err != nil {
			return fmt.Errorf("research: %w", err)
		}
		x.m.Tables = append(x.m.Tables, TableLoss{Table: wt.t.Name, RowsIn: wt.rows, Suppressed: s, RowsOut: wt.rows - s, Share: share(s, wt.rows)})
	}
	x.m.Generalisation = nil
	for j, q := range x.qis {
		g := Generalisation{Variable: q.name, MaxLevel: q.h.Levels()[q.max], Levels: q.h.Levels(), Weight: q.weight, Checked: q.hidden}
		counts := make([]int64, len(g.Levels))
		var total int64
		for i, wt := range x.tables {
			if !slices.Contains(wt.qis, j) {
				continue
			}
			rows, err := x.conn.QueryContext(ctx, fmt.Sprintf(`SELECT CASE WHEN %s THEN -1 ELSE lv.l%d END AS l, count(*)
				FROM w%d JOIN lv ON lv.u = %s WHERE w%d.%s IS NOT NULL GROUP BY ALL`, gone(i, unit(i)), j, i, unit(i), i, ident(q.name)))
			if err != nil {
				return fmt.Errorf("research: %w", err)
			}
			for rows.Next() {
				var l, n int64
				if err := rows.Scan(&l, &n); err != nil {
					rows.Close()
					return fmt.Errorf("research: %w", err)
				}
				total += n
				if l < 0 {
					g.Suppressed += n
				} else {
					counts[l] += n
				}
			}
			rows.Close()
		}
		for l, n := range counts {
			g.Values = append(g.Values, LevelShare{Level: g.Levels[l], Values: n, Share: share(n, total)})
		}
		g.SuppressedShare = share(g.Suppressed, total)
		x.m.Generalisation = append(x.m.Generalisation, g)
	}
	q := fmt.Sprintf(`WITH el AS (%s UNION ALL SELECT u, e FROM prior), sg AS (SELECT u, list_sort(list_distinct(list(e))) AS sig FROM el GROUP BY u)
		SELECT coalesce(min(n), 0) FROM (SELECT sig, count(*) AS n FROM sg GROUP BY sig) WHERE sig IN (SELECT sig FROM sg WHERE u IN (SELECT u FROM lv) AND u NOT IN (SELECT u FROM sup))`, x.elements())
	if err := x.conn.QueryRowContext(ctx, q).Scan(&x.m.Persons.SmallestGroup); err != nil {
		return fmt.Errorf("research: %w", err)
	}
	union, err := x.strings(ctx, fmt.Sprintf(`SELECT DISTINCT split_part(e, ' ', 1) || '.' || unnest(json_keys(substr(e, strpos(e, ' ') + 1))) AS q
		FROM (SELECT DISTINCT e FROM (%s UNION ALL SELECT u, e FROM prior)) ORDER BY q`, x.elements()))
	if err != nil {
		return err
	}
	x.m.QIUnion = union
	return nil
}

// delivered returns what the extract delivered about each person, for the
// registration's record.
func (x *extractor) delivered(ctx context.Context) ([]warehouse.Delivered, error) {
	rows, err := x.conn.QueryContext(ctx, "SELECT DISTINCT u, e FROM ("+x.elements()+") ORDER BY ALL")
	if err != nil {
		return nil, fmt.Errorf("research: %w", err)
	}
	defer rows.Close()
	var out []warehouse.Delivered
	for rows.Next() {
		var d warehouse.Delivered
		if err := rows.Scan(&d.Person, &d.Element); err != nil {
			return nil, fmt.Errorf("research: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// valueSQL is the SQL of quasi-identifier j's value for the person at
// their level, for a row whose raw value is joined as g<j>: at the top of
// the hierarchy every value is All, a missing one too, so that even
// whether a value is missing says nothing.
func (x *extractor) valueSQL(j int) string {
	return fmt.Sprintf("CASE WHEN lv.l%d >= %d THEN '%s' ELSE g%d.ls[lv.l%d + 1] END", j, len(x.qis[j].h.Levels())-1, All, j, j)
}

// gone is the SQL condition that the person u (an SQL expression) has no
// rows in table i of the extract: suppressed, or their rows of the table
// left out.
func gone(i int, u string) string {
	return fmt.Sprintf("(%s IN (SELECT u FROM sup) OR %s IN (SELECT u FROM drp WHERE t = %d))", u, u, i)
}

func (x *extractor) qiIndex(name string) int {
	return slices.IndexFunc(x.qis, func(q qi) bool { return q.name == name })
}
