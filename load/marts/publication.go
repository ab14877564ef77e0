package marts

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"integstat/extract/contract"
	"integstat/internal/duckappend"
	"integstat/load/publish"
	"integstat/load/releases"
	"integstat/load/sqlmodel"
	"integstat/transform/store"
)

// martModels are the models the publication copies into its files.
var martModels = []string{"indikator", "indikator_historikk", "publisert_indikator", "publisert_indikator_historikk",
	"indikator_dagens_inndeling", "publisert_indikator_dagens_inndeling", "region", "region_kode", "tilstand"}

// ErrVerify reports a publication that failed its verification: a data
// test, the protection attack or the check that the published mart holds
// nothing it must not.
var ErrVerify = errors.New("publication not verified; the previous one stays live")

// publish builds the marts of the publication as of b.opt.AsOf from the
// history into a draft, verifies it and makes it live.
func (b *builder) publish(ctx context.Context, states []State, res *Result) error {
	wh := b.opt.Warehouse
	if len(states) == 0 {
		return fmt.Errorf("marts: nothing to publish: no delivery loaded")
	}
	newest := Newest(states, b.opt.AsOf)
	if len(newest) == 0 {
		return fmt.Errorf("marts: nothing to publish: no delivery extracted by %s", b.opt.AsOf.Format(time.DateOnly))
	}
	asOf := b.opt.AsOf
	last := time.Time{}
	var current []State
	for _, st := range newest {
		current = append(current, st)
		if st.Date.After(last) {
			last = st.Date
		}
	}
	sort.Slice(current, func(i, j int) bool { return current[i].Source < current[j].Source })
	if asOf.IsZero() {
		asOf = last
	}
	if err := publish.Clean(wh.Dir); err != nil {
		return err
	}
	prev, err := publish.Current(wh.Dir)
	if err != nil {
		return err
	}
	res.Previous = prev
	if newest, same := b.samePublication(ctx, asOf, current); len(res.States) == 0 && same {
		b.log.Info("marts unchanged: the newest publication rests on the same data", "as_of", asOf.Format(time.DateOnly))
		res.AsOf, res.Unchanged, res.Publication = asOf, true, newest
		return b.release(res)
	}
	// The newest state's sources for the microdata of the analysis mart,
	// and the reference tables for every year in the history.
	if err := b.prepare(ctx, FirstYear, last.Year(), current); err != nil {
		return err
	}
	if err := b.publishInputs(ctx, asOf); err != nil {
		return err
	}
	models, err := b.proj.Upstream(martModels...)
	if err != nil {
		return fmt.Errorf("marts: %w", err)
	}
	if _, err := sqlmodel.Build(ctx, b.conn, models); err != nil {
		return fmt.Errorf("marts: %w", err)
	}
	results, err := sqlmodel.RunTests(ctx, b.conn, b.proj.TestsFor(models, false))
	res.Tests = results
	if err != nil {
		return fmt.Errorf("marts: data tests: %w: %w", ErrVerify, err)
	}
	draft, err := publish.Begin(wh.Dir)
	if err != nil {
		return err
	}
	defer draft.Abort()
	if err := b.writeFiles(ctx, draft.Dir(), draft.ID(), asOf, current); err != nil {
		return err
	}
	if err := b.verify(ctx, filepath.Join(draft.Dir(), publish.PublishedFile)); err != nil {
		return err
	}
	if err := b.conn.QueryRowContext(ctx, `SELECT count(*) FROM indikator`).Scan(&res.Figures); err != nil {
		return fmt.Errorf("marts: %w", err)
	}
	info := releases.Info{ID: draft.ID(), Built: time.Now().UTC().Truncate(time.Second), AsOf: asOf.Format(time.DateOnly),
		States: map[string]string{}, Deliveries: deliveriesUsed(current), Version: b.version, Figures: res.Figures}
	for _, st := range current {
		info.States[st.Source] = st.Date.Format(time.DateOnly)
	}
	if info.Warnings, err = b.holds(ctx, prev, filepath.Join(draft.Dir(), publish.PublishedFile), current); err != nil {
		return err
	}
	if err := releases.WriteInfo(draft.Dir(), info); err != nil {
		return err
	}
	if err := draft.Complete(); err != nil {
		return err
	}
	res.Publication, res.AsOf, res.Held = draft.ID(), asOf, info.Warnings
	b.log.Info("marts candidate made", "publication", draft.ID(), "as_of", asOf.Format(time.DateOnly), "figures", res.Figures)
	return b.release(res)
}

// release makes the build's candidate current in mode auto, unless it is
// held or was released before (a rollback since is a person's decision),
// and prunes the candidates beyond Keep that were never released.
func (b *builder) release(res *Result) error {
	wh := b.opt.Warehouse.Dir
	if b.opt.Release == releases.Auto && res.Publication != "" {
		info, err := releases.ReadInfo(wh, res.Publication)
		if err != nil {
			return err
		}
		res.Held = info.Warnings
		ever, err := everReleased(wh, res.Publication)
		if err != nil {
			return err
		}
		if !ever && !info.Held() {
			if err := publish.MakeCurrent(wh, publish.Release{ID: res.Publication, By: "auto", Note: "integstat run --release auto"}); err != nil {
				return err
			}
			res.Released = true
			b.log.Info("marts released", "publication", res.Publication)
		}
	}
	if err := publish.Prune(wh, b.opt.Keep); err != nil {
		b.log.Warn("pruning candidates never released failed; the next build tries again", "err", err)
	}
	return nil
}

// everReleased reports whether publication id was ever current.
func everReleased(warehouseDir, id string) (bool, error) {
	rs, err := publish.Releases(warehouseDir)
	for _, r := range rs {
		if r.ID == id {
			return true, err
		}
	}
	cur, cerr := publish.Current(warehouseDir)
	return cur == id, errors.Join(err, cerr)
}

// publishInputs provides the relations the mart models and data tests
// read besides the history: the as-of date, the ledger's counts and the
// Parquet files' row counts.
func (b *builder) publishInputs(ctx context.Context, asOf time.Time) error {
	wh := b.opt.Warehouse
	loads, err := wh.AllLoads(ctx)
	if err != nil {
		return err
	}
	rows := make([][]driver.Value, 0, len(loads))
	for _, l := range loads {
		rows = append(rows, []driver.Value{l.Source, l.ID, l.Table, l.Read, l.Loaded, l.Quarantine})
	}
	stmts := []string{
		`CREATE OR REPLACE VIEW historikk AS SELECT * FROM hist.historikk`,
		fmt.Sprintf(`CREATE OR REPLACE TABLE publisering AS SELECT DATE %s AS as_of`, quote(asOf.Format(time.DateOnly))),
		`CREATE OR REPLACE TABLE ledger_loads (source VARCHAR, delivery_id VARCHAR, tbl VARCHAR, read BIGINT, loaded BIGINT, quarantined BIGINT)`,
	}
	for _, s := range stmts {
		if _, err := b.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("marts: %w", err)
		}
	}
	if err := duckappend.Rows(ctx, b.conn, "ledger_loads", rows); err != nil {
		return fmt.Errorf("marts: %w", err)
	}
	// The layout of the partitions is package store's: the glob and the
	// pattern that reads source, table and delivery back from a file name.
	re := quote(store.PartPathRegexp)
	q := fmt.Sprintf(`CREATE OR REPLACE TABLE parquet_rows AS
		SELECT regexp_extract(file_name, %[1]s, 1) AS source,
		       regexp_extract(file_name, %[1]s, 2) AS tbl,
		       regexp_extract(file_name, %[1]s, 3) AS delivery_id,
		       sum(num_rows) AS rows
		FROM parquet_file_metadata(%[2]s)
		GROUP BY ALL`, re, quote(wh.PartitionGlob("*", "*", "*")))
	if _, err := b.conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("marts: parquet row counts: %w", err)
	}
	return nil
}

// deliveriesUsed names the deliveries a publication rests on.
func deliveriesUsed(current []State) string {
	var used []string
	for _, st := range current {
		used = append(used, st.Source+"="+strings.Join(st.Deliveries, "+"))
	}
	return strings.Join(used, " ")
}

// samePublication reports whether the newest publication (released or a
// candidate) was built as of asOf from the same deliveries with the same
// models and settings, so that building it again would change nothing; it
// returns that publication's id.
func (b *builder) samePublication(ctx context.Context, asOf time.Time, current []State) (string, bool) {
	ids, err := publish.List(b.opt.Warehouse.Dir)
	if err != nil || len(ids) == 0 {
		return "", false
	}
	newest := ids[len(ids)-1]
	info, err := releases.ReadInfo(b.opt.Warehouse.Dir, newest)
	if err != nil {
		return "", false
	}
	return newest, info.AsOf == asOf.Format(time.DateOnly) && info.Deliveries == deliveriesUsed(current) && info.Version == b.version
}

// writeFiles writes both marts of a publication into dir.
func (b *builder) writeFiles(ctx context.Context, dir, id string, asOf time.Time, current []State) error {
	meta := fmt.Sprintf(`SELECT %s AS publikasjon, DATE %s AS as_of, now() AS bygget, %s AS leveranser, %s AS versjon`,
		quote(id), quote(asOf.Format(time.DateOnly)), quote(deliveriesUsed(current)), quote(b.version))
	order := ` ORDER BY indikator, aar, niva, region, data_per`
	analyse := []string{
		`CREATE TABLE a.indikator AS SELECT * EXCLUDE (kilde, beskyttet) FROM indikator` + order,
		`CREATE TABLE a.indikator_historikk AS SELECT * EXCLUDE (kilde, beskyttet) FROM indikator_historikk` + order,
		`CREATE TABLE a.indikator_dagens_inndeling AS SELECT * EXCLUDE (kilde, beskyttet) FROM indikator_dagens_inndeling` + order,
		`CREATE TABLE a.region AS SELECT * FROM region ORDER BY aar, niva, region`,
		`CREATE TABLE a.region_kode AS SELECT * FROM region_kode ORDER BY niva, region`,
		`CREATE TABLE a.indikator_katalog AS SELECT * FROM indikator_katalog`,
		`CREATE TABLE a.tilstand AS SELECT * FROM tilstand ORDER BY kilde, data_per`,
		`CREATE TABLE a.publikasjon AS ` + meta,
	}
	for _, st := range current {
		for _, tb := range contract.OfSource(st.Source) {
			analyse = append(analyse, fmt.Sprintf(`CREATE TABLE a.%s_%s AS SELECT * FROM %s`, tb.Source, tb.Name, tb.Relation()))
		}
	}
	published := []string{
		`CREATE TABLE p.indikator AS SELECT * FROM publisert_indikator` + order,
		`CREATE TABLE p.indikator_historikk AS SELECT * FROM publisert_indikator_historikk` + order,
		`CREATE TABLE p.indikator_dagens_inndeling AS SELECT * FROM publisert_indikator_dagens_inndeling` + order,
		`CREATE TABLE p.region AS SELECT * FROM region ORDER BY aar, niva, region`,
		`CREATE TABLE p.region_kode AS SELECT * FROM region_kode ORDER BY niva, region`,
		`CREATE TABLE p.indikator_katalog AS SELECT * FROM indikator_katalog`,
		`CREATE TABLE p.tilstand AS SELECT * FROM tilstand ORDER BY kilde, data_per`,
		`CREATE TABLE p.publikasjon AS ` + meta,
	}
	for _, f := range []struct {
		alias, file string
		stmts       []string
	}{{"a", publish.AnalysisFile, analyse}, {"p", publish.PublishedFile, published}} {
		if _, err := b.conn.ExecContext(ctx, fmt.Sprintf(`ATTACH %s AS %s`, quote(filepath.Join(dir, f.file)), f.alias)); err != nil {
			return fmt.Errorf("marts: %s: %w", f.file, err)
		}
		for _, s := range f.stmts {
			if _, err := b.conn.ExecContext(ctx, s); err != nil {
				b.conn.ExecContext(ctx, `DETACH `+f.alias)
				return fmt.Errorf("marts: %s: %w", f.file, err)
			}
		}
		if _, err := b.conn.ExecContext(ctx, `DETACH `+f.alias); err != nil {
			return fmt.Errorf("marts: %s: %w", f.file, err)
		}
	}
	return nil
}

// verify reads the published mart back, with a connection of its own, and
// checks that it holds only what the portal may see: no value where the
// status is ':', no table of microdata, and no suppressed value derivable
// from the published ones (the attack of Attack on every data state).
func (b *builder) verify(ctx context.Context, path string) error {
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return fmt.Errorf("marts: verify: %w", err)
	}
	defer db.Close()
	var leaks int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM indikator_historikk
		WHERE status = ':' AND (verdi IS NOT NULL OR teller IS NOT NULL OR nevner IS NOT NULL)`).Scan(&leaks); err != nil {
		return fmt.Errorf("marts: verify: %w", err)
	}
	if leaks > 0 {
		return fmt.Errorf("marts: verify: %w: %d suppressed values carry a value", ErrVerify, leaks)
	}
	var tables []string
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("marts: verify: %w", err)
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("marts: verify: %w", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	allowed := map[string]bool{"indikator": true, "indikator_historikk": true, "region": true, "region_kode": true, "indikator_katalog": true, "tilstand": true, "publikasjon": true, "indikator_dagens_inndeling": true}
	for _, t := range tables {
		if !allowed[t] {
			return fmt.Errorf("marts: verify: %w: unexpected table %s in the published mart", ErrVerify, t)
		}
	}
	derivable, unavoidable, err := AttackPublishedWith(ctx, db, b.conn, b.cat, b.opt.Protect)
	if err != nil {
		return err
	}
	if len(unavoidable) > 0 {
		f := unavoidable[0]
		b.log.Warn("suppressed figures the national figures give away whatever is hidden (inherent, see load/protect)",
			"count", len(unavoidable), "example", fmt.Sprintf("%s %d %s %s", f.Indicator, f.Year, f.Level, f.Region))
	}
	if len(derivable) > 0 {
		f := derivable[0]
		return fmt.Errorf("marts: verify: %w: %d suppressed values can be derived or narrowed below the minimum width, e.g. %s %d %s %s",
			ErrVerify, len(derivable), f.Indicator, f.Year, f.Level, f.Region)
	}
	return nil
}
