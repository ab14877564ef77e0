// Package marts builds the marts the statistics portal and analysts read
// (shared/spec/marts.md): it computes every indicator of every data state
// of the warehouse from the Parquet history with the SQL models of package
// sql, keeps the values in the history (state/historikk.duckdb), decides
// their protection, runs the data tests and publishes publisert.duckdb and
// analyse.duckdb together (package publish). Adding a delivery computes
// only the states it makes or changes.
package marts

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"integstat/extract/contract"
	"integstat/extract/reference"
	"integstat/internal/duckappend"
	"integstat/load/protect"
	"integstat/load/publish"
	"integstat/load/releases"
	"integstat/load/sqlmodel"
	"integstat/load/warehouse"
	"integstat/transform/store"
)

// FirstYear is the first year figures are computed for: the first year of
// the municipality lists in the reference data.
const FirstYear = 2013

// Options configures a build.
type Options struct {
	Warehouse *warehouse.Warehouse
	// AsOf publishes the figures as known at the end of that date (only
	// states on or before it); zero publishes the newest.
	AsOf    time.Time
	Protect protect.Options
	Keep    int    // publications kept; 0 means publish.DefaultKeep
	Memory  string // DuckDB memory limit, e.g. "2GB"; "" means 2GB
	// Release says when the build's candidate becomes current: Auto (at
	// once unless held; also ""), Manual or Calendar (left waiting).
	Release releases.Mode
	Hold    HoldRules // the checks that hold a candidate; zero fields take DefaultHoldRules
	Log     *slog.Logger
}

// Result says what a build did.
type Result struct {
	States      []StateBuilt // the data states computed by this build
	Publication string       // the id of the new candidate (or the newest publication when unchanged), "" if none
	Unchanged   bool         // nothing new: the newest publication already holds these figures
	Released    bool         // the candidate was made current by this build (mode auto)
	Held        []string     // the warnings that hold the candidate for a person
	Previous    string       // the release that was current when the build began, "" if none
	AsOf        time.Time    // the as-of date of the publication (zero: newest)
	Figures     int64        // values in the published indikator table
	Tests       []sqlmodel.TestResult
	// Suppression is, per source and level below the nation, how many
	// rows of the publication's current figures about persons are
	// suppressed (see suppression); nil when nothing was published.
	// SuppressionByIndicator is the same per indicator.
	Suppression, SuppressionByIndicator []warehouse.Suppression
}

// Outcome names what the build did, as the ledger's builds record it:
// released, held, unchanged or candidate (waiting for release).
func (r *Result) Outcome() warehouse.BuildOutcome {
	switch {
	case r.Released:
		return warehouse.BuildReleased
	case len(r.Held) > 0:
		return warehouse.BuildHeld
	case r.Unchanged:
		return warehouse.BuildUnchanged
	}
	return warehouse.BuildCandidate
}

// StateBuilt is one data state computed by a build.
type StateBuilt struct {
	State
	Rows       int64
	Suppressed int
	// HiddenAfterShown counts the figures another kept state showed with
	// the same numbers that protection still hid as complements, having no
	// other of their kind to take (protect.Cell.Shown).
	HiddenAfterShown int
	Duration         time.Duration
}

// builder holds what one build shares between its steps.
type builder struct {
	opt  Options
	log  *slog.Logger
	proj *sqlmodel.Project
	cat  []Indicator
	ref  *reference.Data
	db   *sql.DB
	conn *sql.Conn
	// protection names the method version and protection options ("m1
	// t=4 n=10 w=3"); version adds the models' hash ("m1 t=4 n=10 w=3
	// f25ac4df8765717b"). A state's version starts with the protection it
	// was computed under (carryDecisions compares them).
	protection, version string
}

// Build computes the data states not yet in the history and publishes the
// marts as of opt.AsOf. Nothing is published unless every data test passes
// and the attack on the protection recovers nothing; the previous
// publication then stays live and the error says why.
func Build(ctx context.Context, opt Options) (*Result, error) {
	if opt.Release == "" {
		opt.Release = releases.Auto
	}
	b, err := newBuilder(ctx, opt)
	if err != nil {
		return nil, err
	}
	defer b.close()
	ds, err := opt.Warehouse.Deliveries(ctx)
	if err != nil {
		return nil, err
	}
	states := States(ds)
	res := &Result{AsOf: opt.AsOf}
	for _, st := range states {
		built, err := b.computeState(ctx, st)
		if err != nil {
			return res, err
		}
		if built != nil {
			res.States = append(res.States, *built)
		}
	}
	if err := b.publish(ctx, states, res); err != nil {
		return res, err
	}
	if res.Publication == "" {
		return res, nil
	}
	// The cost of protection, measured on what was published once, when it
	// is published (a build with nothing new reads it from the ledger): the
	// build has succeeded, so a failure here is only logged.
	if res.Unchanged {
		if got, err := opt.Warehouse.SuppressionByIndicator(ctx, res.Publication); err == nil && len(got) > 0 {
			res.SuppressionByIndicator, res.Suppression = got, warehouse.Totals(got)
			return res, nil
		}
	}
	dir := publish.Dir(opt.Warehouse.Dir, res.Publication)
	sup, err := b.suppression(ctx, dir)
	if err == nil {
		err = opt.Warehouse.RecordSuppression(ctx, res.Publication, sup)
	}
	if err != nil {
		b.log.Warn("measuring the suppression failed", "publication", res.Publication, "err", err)
		return res, nil
	}
	res.SuppressionByIndicator, res.Suppression = sup, warehouse.Totals(sup)
	for _, s := range res.Suppression {
		b.log.Info("suppressed below national level", "publication", res.Publication, "source", s.Source, "level", s.Level,
			"rows", s.Rows, "suppressed", s.Suppressed, "primary", s.Primary, "secondary", s.Suppressed-s.Primary,
			"percent", fmt.Sprintf("%.1f", s.Share()), "by_indicator", byIndicatorText(sup, s))
	}
	return res, nil
}

// byIndicatorText lists, for the source and level of total, the share
// suppressed of each indicator that has any suppressed, the largest first:
// "bosatte_em 12.5%, bosatte 3.1%".
func byIndicatorText(byIndicator []warehouse.Suppression, total warehouse.Suppression) string {
	var parts []warehouse.Suppression
	for _, s := range byIndicator {
		if s.Source == total.Source && s.Level == total.Level && s.Suppressed > 0 {
			parts = append(parts, s)
		}
	}
	slices.SortStableFunc(parts, func(a, b warehouse.Suppression) int { return cmp.Compare(b.Share(), a.Share()) })
	text := make([]string, len(parts))
	for i, s := range parts {
		text[i] = fmt.Sprintf("%s %.1f%%", s.Indicator, s.Share())
	}
	return strings.Join(text, ", ")
}

// suppressionQuery reads, from a publication's marts attached as sp
// (publisert) and sa (analyse), the current figures at kommune and fylke
// level and of today's structure: indikator (each indicator's newest state) and
// the newest state of indikator_dagens_inndeling, whether each is shown as
// suppressed, and its true numbers. Rows with status '.' (no figure can be
// stated) are neither shown nor suppressed and are left out.
const suppressionQuery = `
WITH dagens AS (
    SELECT * FROM sp.indikator_dagens_inndeling d
    WHERE d.data_per = (SELECT max(x.data_per) FROM sp.indikator_dagens_inndeling x WHERE x.indikator = d.indikator)
), shown AS (
    SELECT indikator, aar, niva, region, status FROM sp.indikator WHERE niva IN ('kommune', 'fylke')
    UNION ALL
    SELECT indikator, aar, 'dagens', region, status FROM dagens
), truth AS (
    SELECT indikator, aar, niva, region, verdi, teller, nevner FROM sa.indikator
    UNION ALL
    SELECT a.indikator, a.aar, 'dagens', a.region, a.verdi, a.teller, a.nevner
    FROM sa.indikator_dagens_inndeling a JOIN dagens d USING (indikator, aar, region, data_per)
)
SELECT s.indikator, s.aar, s.niva, s.region, t.verdi, t.teller, t.nevner, s.status = ':'
FROM shown s JOIN truth t USING (indikator, aar, niva, region)
WHERE s.status <> '.'`

// suppression measures the loss protection costs in the publication in
// dir: for each source and level below the nation (kommune, fylke and
// today's structure), the rows of current figures about persons, how many
// are suppressed, and how many of those the primary rules alone suppress
// (the rest are complements: secondary suppression).
func (b *builder) suppression(ctx context.Context, dir string) ([]warehouse.Suppression, error) {
	for alias, file := range map[string]string{"sp": publish.PublishedFile, "sa": publish.AnalysisFile} {
		if _, err := b.conn.ExecContext(ctx, fmt.Sprintf(`ATTACH %s AS %s (READ_ONLY)`, quote(filepath.Join(dir, file)), alias)); err != nil {
			return nil, fmt.Errorf("marts: suppression: %w", err)
		}
		defer b.conn.ExecContext(context.WithoutCancel(ctx), `DETACH `+alias)
	}
	byID := map[string]Indicator{}
	for _, c := range b.cat {
		byID[c.ID] = c
	}
	rows, err := b.conn.QueryContext(ctx, suppressionQuery)
	if err != nil {
		return nil, fmt.Errorf("marts: suppression: %w", err)
	}
	defer rows.Close()
	type key struct{ source, level, indicator string }
	count := map[key]*warehouse.Suppression{}
	for rows.Next() {
		var f Figure
		var v sql.NullFloat64
		var t, n sql.NullInt64
		var hidden bool
		if err := rows.Scan(&f.Indicator, &f.Year, &f.Level, &f.Region, &v, &t, &n, &hidden); err != nil {
			return nil, fmt.Errorf("marts: suppression: %w", err)
		}
		ind, ok := byID[f.Indicator]
		if !ok || !ind.Person {
			continue
		}
		f.Value = v.Float64
		if t.Valid {
			f.Teller = &t.Int64
		}
		if n.Valid {
			f.Nevner = &n.Int64
		}
		k := key{ind.Source, f.Level, f.Indicator}
		s := count[k]
		if s == nil {
			s = &warehouse.Suppression{Source: ind.Source, Level: f.Level, Indicator: f.Indicator}
			count[k] = s
		}
		s.Rows++
		if hidden {
			s.Suppressed++
			if protect.Primary(cell(f, ind), b.opt.Protect) {
				s.Primary++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("marts: suppression: %w", err)
	}
	out := make([]warehouse.Suppression, 0, len(count))
	for _, s := range count {
		out = append(out, *s)
	}
	warehouse.SortSuppression(out)
	return out, nil
}

func newBuilder(ctx context.Context, opt Options) (*builder, error) {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	proj, err := Project()
	if err != nil {
		return nil, err
	}
	cat, err := Catalogue()
	if err != nil {
		return nil, err
	}
	ref, err := reference.Load()
	if err != nil {
		return nil, err
	}
	hash, err := modelsHash()
	if err != nil {
		return nil, fmt.Errorf("marts: %w", err)
	}
	method, err := currentMethod()
	if err != nil {
		return nil, err
	}
	b := &builder{opt: opt, log: log, proj: proj, cat: cat, ref: ref,
		protection: fmt.Sprintf("m%d t=%d n=%d w=%d", method.Version, opt.Protect.Threshold, opt.Protect.MinDenominator, opt.Protect.MinWidth)}
	b.version = b.protection + " " + hash
	if b.db, err = sql.Open("duckdb", ""); err != nil {
		return nil, fmt.Errorf("marts: %w", err)
	}
	if b.conn, err = b.db.Conn(ctx); err != nil {
		b.db.Close()
		return nil, fmt.Errorf("marts: %w", err)
	}
	mem := opt.Memory
	if mem == "" {
		mem = "2GB"
	}
	tmp := opt.Warehouse.Tmp()
	hist := opt.Warehouse.IndicatorHistory()
	setup := []string{
		fmt.Sprintf("SET memory_limit = %s", quote(mem)),
		fmt.Sprintf("SET temp_directory = %s", quote(tmp)),
		"SET preserve_insertion_order = false",
		fmt.Sprintf("ATTACH %s AS hist", quote(hist)),
		`CREATE TABLE IF NOT EXISTS hist.historikk (
			kilde VARCHAR NOT NULL, data_per DATE NOT NULL, indikator VARCHAR NOT NULL, aar INTEGER NOT NULL,
			niva VARCHAR NOT NULL, region VARCHAR NOT NULL, verdi DOUBLE, teller BIGINT, nevner BIGINT,
			beskyttet BOOLEAN NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS hist.tilstand_bygget (
			kilde VARCHAR NOT NULL, data_per DATE NOT NULL, leveranser VARCHAR NOT NULL, versjon VARCHAR NOT NULL,
			bygget TIMESTAMPTZ NOT NULL, sekunder DOUBLE NOT NULL, rader BIGINT NOT NULL, beskyttet INTEGER NOT NULL,
			PRIMARY KEY (kilde, data_per))`,
	}
	for _, s := range setup {
		if _, err := b.conn.ExecContext(ctx, s); err != nil {
			b.close()
			return nil, fmt.Errorf("marts: %s: %w", strings.SplitN(s, " ", 3)[:2], err)
		}
	}
	if err := b.loadProtected(ctx); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// loadProtected creates the table of the persons with protected identity.
func (b *builder) loadProtected(ctx context.Context) error {
	return ProtectedPersons(ctx, b.conn, b.opt.Warehouse, protectedTable)
}

// stateVersion is the version a state's figures are computed with: the
// build's, and a digest of the protected persons among the state's
// persons, so that a person newly protected (by a later settlement
// delivery) computes again exactly the states they are in. It defines the
// state's source views.
func (b *builder) stateVersion(ctx context.Context, st State) (string, error) {
	var persons []string
	for _, tb := range contract.OfSource(st.Source) {
		if err := b.sourceView(ctx, st, tb); err != nil {
			return "", err
		}
		// Every row of a delivery names a person of its personer (or
		// tolk) table, so those tables hold all of the state's persons.
		if tb.Persons {
			persons = append(persons, "SELECT person FROM "+tb.Relation())
		}
	}
	if len(persons) == 0 {
		return b.version, nil
	}
	var digest sql.NullString
	err := b.conn.QueryRowContext(ctx, `SELECT md5(string_agg(DISTINCT person, ',' ORDER BY person)) FROM (`+
		strings.Join(persons, " UNION ")+`) WHERE person IN (SELECT person FROM `+protectedTable+`)`).Scan(&digest)
	if err != nil {
		return "", fmt.Errorf("marts: state %s %s: protected persons: %w", st.Source, st.Date.Format(time.DateOnly), err)
	}
	if !digest.Valid {
		return b.version, nil
	}
	return b.version + " p=" + digest.String[:16], nil
}

func (b *builder) close() {
	if b.conn != nil {
		b.conn.Close()
	}
	if b.db != nil {
		b.db.Close()
	}
}

// quote makes a SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// lastYear is the last year figures are computed for in a state: the
// state's own year (its figures are preliminary until the year is over).
func lastYear(st State) int { return st.Date.Year() }

// computeState computes the values of one data state and stores them in
// the history, with their protection, in one transaction; it returns nil
// when the history already holds the state from the same deliveries with
// the same models.
func (b *builder) computeState(ctx context.Context, st State) (*StateBuilt, error) {
	sig := strings.Join(st.Deliveries, ",")
	start := time.Now()
	version, err := b.stateVersion(ctx, st)
	if err != nil {
		return nil, err
	}
	prev, err := b.previousState(ctx, st)
	if err != nil {
		return nil, err
	}
	version += prev.version
	var have, ver string
	err = b.conn.QueryRowContext(ctx, `SELECT leveranser, versjon FROM hist.tilstand_bygget WHERE kilde = ? AND data_per = ?`,
		st.Source, st.Date).Scan(&have, &ver)
	if err == nil && have == sig && ver == version {
		return nil, nil
	}
	if err := b.prepare(ctx, FirstYear, lastYear(st), []State{st}); err != nil {
		return nil, err
	}
	models, err := b.proj.Upstream("indikator_" + st.Source)
	if err != nil {
		return nil, fmt.Errorf("marts: %w", err)
	}
	if _, err := sqlmodel.Build(ctx, b.conn, models); err != nil {
		return nil, fmt.Errorf("marts: state %s %s: %w", st.Source, st.Date.Format(time.DateOnly), err)
	}
	// The tests of the models built here (staging's keys among them) run
	// on every state; the publication runs those of the marts.
	if _, err := sqlmodel.RunTests(ctx, b.conn, b.proj.TestsFor(models, true)); err != nil {
		return nil, fmt.Errorf("marts: state %s %s: data tests: %w: %w", st.Source, st.Date.Format(time.DateOnly), ErrVerify, err)
	}
	if _, err := b.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE figurer AS SELECT * FROM indikator_`+st.Source); err != nil {
		return nil, fmt.Errorf("marts: state %s %s: %w", st.Source, st.Date.Format(time.DateOnly), err)
	}
	figs, err := b.readFigures(ctx, "figurer")
	if err != nil {
		return nil, err
	}
	if err := b.carryDecisions(ctx, st, figs); err != nil {
		return nil, err
	}
	supp := Protect(figs, b.cat, b.opt.Protect)
	if err := b.store(ctx, st, sig, version, figs, supp, time.Since(start)); err != nil {
		return nil, err
	}
	built := &StateBuilt{State: st, Rows: int64(len(figs)), Suppressed: supp, Duration: time.Since(start)}
	for _, f := range figs {
		if f.ShownBefore && f.Protected {
			built.HiddenAfterShown++
		}
	}
	b.log.Info("data state computed", "source", st.Source, "data_per", st.Date.Format(time.DateOnly),
		"deliveries", len(st.Deliveries), "figures", len(figs), "suppressed", supp,
		"hidden_after_shown", built.HiddenAfterShown, "seconds", built.Duration.Seconds())
	return built, nil
}

// prevState is the data state of the same source before a state, as the
// history holds it: its date (zero when there is none) and a version
// suffix that changes whenever it is computed again.
type prevState struct {
	date    time.Time
	version string
}

// previousState finds the state of st's source just before st in the
// history. The states of a source are computed in order, so it is
// already computed in this build when it had to be.
func (b *builder) previousState(ctx context.Context, st State) (prevState, error) {
	var p prevState
	var built time.Time
	err := b.conn.QueryRowContext(ctx, `SELECT data_per, bygget FROM hist.tilstand_bygget
		WHERE kilde = ? AND data_per < ? ORDER BY data_per DESC LIMIT 1`, st.Source, st.Date).Scan(&p.date, &built)
	if err == sql.ErrNoRows {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("marts: state %s %s: previous state: %w", st.Source, st.Date.Format(time.DateOnly), err)
	}
	p.version = fmt.Sprintf(" prev=%s@%d", p.date.Format(time.DateOnly), built.UnixMicro())
	return p, nil
}

// carryDecisions marks each figure whose numbers (verdi, teller, nevner)
// are the same in another published state of its source with the decision
// of that state: hidden there (HiddenBefore), Protect hides it again; shown
// there (ShownBefore), Protect takes it as a complement only after the
// others of its kind, never if it is 0, and the build counts each one it
// hides (StateBuilt.HiddenAfterShown).
//
// The states compared are every state of the source the history holds
// under the same protection (method, threshold, minimum denominator and
// width; version): the earlier ones, not only the one before (a figure
// that changes and changes back is the same row to a reader of both); the
// later ones, which a delivery loaded late leaves as the kept publications
// show them; and the state's own version before this one, which the
// earlier publications show. A figure that did not change is so shown in
// every kept state or hidden in every one, and no hidden number is read
// off another. Where states disagree, hiding wins. Under other protection
// nothing is carried: a change of method is meant to change decisions.
func (b *builder) carryDecisions(ctx context.Context, st State, figs []Figure) error {
	rows, err := b.conn.QueryContext(ctx, `SELECT h.indikator, h.aar, h.niva, h.region, bool_or(h.beskyttet)
		FROM hist.historikk h
		JOIN hist.tilstand_bygget t ON t.kilde = h.kilde AND t.data_per = h.data_per AND starts_with(t.versjon, ? || ' ')
		JOIN figurer f ON f.indikator = h.indikator AND f.aar = h.aar AND f.niva = h.niva AND f.region = h.region
		WHERE h.kilde = ?
		  AND f.verdi IS NOT DISTINCT FROM h.verdi AND f.teller IS NOT DISTINCT FROM h.teller
		  AND f.nevner IS NOT DISTINCT FROM h.nevner
		GROUP BY ALL`, b.protection, st.Source)
	if err != nil {
		return fmt.Errorf("marts: state %s %s: earlier decisions: %w", st.Source, st.Date.Format(time.DateOnly), err)
	}
	defer rows.Close()
	type key struct {
		ind, level, region string
		year               int
	}
	hidden := map[key]bool{}
	for rows.Next() {
		var k key
		var h bool
		if err := rows.Scan(&k.ind, &k.year, &k.level, &k.region, &h); err != nil {
			return fmt.Errorf("marts: state %s %s: earlier decisions: %w", st.Source, st.Date.Format(time.DateOnly), err)
		}
		hidden[k] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("marts: state %s %s: earlier decisions: %w", st.Source, st.Date.Format(time.DateOnly), err)
	}
	for i, f := range figs {
		h, ok := hidden[key{f.Indicator, f.Level, f.Region, f.Year}]
		figs[i].HiddenBefore, figs[i].ShownBefore = h, ok && !h
	}
	return nil
}

// prepare creates the external relations the models read for years
// first..last and the given states: the years, the reference tables and,
// per state, its source tables as views over the state's Parquet files.
func (b *builder) prepare(ctx context.Context, first, last int, states []State) error {
	// The years of the state, and the next one, marked, for the figures
	// that exist before their year (NextYear in the catalogue).
	if _, err := b.conn.ExecContext(ctx, fmt.Sprintf(
		`CREATE OR REPLACE TABLE aar AS SELECT CAST(range AS INTEGER) AS aar, range > %d AS neste FROM range(%d, %d)`,
		last, first, last+2)); err != nil {
		return fmt.Errorf("marts: %w", err)
	}
	if err := loadReference(ctx, b.conn, b.ref, first, last+1, b.cat); err != nil {
		return err
	}
	for _, st := range states {
		for _, tb := range contract.OfSource(st.Source) {
			if err := b.sourceView(ctx, st, tb); err != nil {
				return err
			}
		}
	}
	return nil
}

// sourceView defines the source table tb of state st as a view over the
// Parquet partitions of the state's deliveries, with protected persons
// masked (maskProtected).
func (b *builder) sourceView(ctx context.Context, st State, tb *contract.Table) error {
	files, err := b.opt.Warehouse.PartFiles(tb.Source, tb.Name, st.Deliveries)
	if err != nil {
		return fmt.Errorf("marts: %w", err)
	}
	limit := ""
	if len(files) == 0 {
		// A database read may hold no row of a table; the view must
		// still have the table's columns, from any partition.
		ps, err := b.opt.Warehouse.Partitions(tb.Source, tb.Name)
		if err != nil {
			return fmt.Errorf("marts: %w", err)
		}
		if len(ps) == 0 {
			return fmt.Errorf("marts: state %s %s: no Parquet for table %s", st.Source, st.Date.Format(time.DateOnly), tb.Name)
		}
		files, limit = ps[0].Files[:1], " LIMIT 0"
	}
	q := fmt.Sprintf(`CREATE OR REPLACE VIEW %s AS SELECT %s FROM %s%s`, tb.Relation(), maskProtected(tb), store.ReadSQL(files), limit)
	if _, err := b.conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("marts: source view %s: %w", tb.Relation(), err)
	}
	return nil
}

// readFigures reads the output of an indicator model.
func (b *builder) readFigures(ctx context.Context, model string) ([]Figure, error) {
	rows, err := b.conn.QueryContext(ctx, `SELECT indikator, aar, niva, region, verdi, teller, nevner FROM `+model+
		` ORDER BY indikator, aar, niva, region`)
	if err != nil {
		return nil, fmt.Errorf("marts: %s: %w", model, err)
	}
	defer rows.Close()
	var out []Figure
	for rows.Next() {
		var f Figure
		var v sql.NullFloat64
		var t, n sql.NullInt64
		if err := rows.Scan(&f.Indicator, &f.Year, &f.Level, &f.Region, &v, &t, &n); err != nil {
			return nil, fmt.Errorf("marts: %s: %w", model, err)
		}
		f.Value = v.Float64
		if t.Valid {
			f.Teller = &t.Int64
		}
		if n.Valid {
			f.Nevner = &n.Int64
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("marts: %s: %w", model, err)
	}
	return out, nil
}

// store replaces the state's values in the history in one transaction:
// the figures of temporary table figurer, marked protected where figs say.
func (b *builder) store(ctx context.Context, st State, sig, version string, figs []Figure, supp int, took time.Duration) error {
	if _, err := b.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE beskyttet (indikator VARCHAR, aar INTEGER, niva VARCHAR, region VARCHAR)`); err != nil {
		return fmt.Errorf("marts: history: %w", err)
	}
	var rows [][]driver.Value
	for _, f := range figs {
		if f.Protected {
			rows = append(rows, []driver.Value{f.Indicator, int32(f.Year), f.Level, f.Region})
		}
	}
	if err := duckappend.Rows(ctx, b.conn, "beskyttet", rows); err != nil {
		return fmt.Errorf("marts: history: %w", err)
	}
	day := st.Date.Format(time.DateOnly)
	tx, err := b.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("marts: history: %w", err)
	}
	defer tx.Rollback()
	stmts := []struct {
		q    string
		args []any
	}{
		{`DELETE FROM hist.historikk WHERE kilde = ? AND data_per = CAST(? AS DATE)`, []any{st.Source, day}},
		{`DELETE FROM hist.tilstand_bygget WHERE kilde = ? AND data_per = CAST(? AS DATE)`, []any{st.Source, day}},
		{`INSERT INTO hist.historikk
			SELECT ?, CAST(? AS DATE), f.indikator, f.aar, f.niva, f.region, f.verdi, f.teller, f.nevner, b.indikator IS NOT NULL
			FROM figurer f
			LEFT JOIN beskyttet b ON b.indikator = f.indikator AND b.aar = f.aar AND b.niva = f.niva AND b.region = f.region`,
			[]any{st.Source, day}},
		{`INSERT INTO hist.tilstand_bygget VALUES (?, CAST(? AS DATE), ?, ?, now(), ?, ?, ?)`,
			[]any{st.Source, day, sig, version, took.Seconds(), len(figs), supp}},
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("marts: history: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("marts: history: %w", err)
	}
	return nil
}
