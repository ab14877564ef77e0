package intruder_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"integstat/internal/intruder"
	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
	"integstat/load/publish"
	"integstat/load/warehouse"
	"integstat/pipeline"
)

// The check across time is independent of the intruder's model and of
// protect: it reads what each kept publication shows (publisert.duckdb)
// and the truth behind it (analyse.duckdb), and pairs the data states of
// every row. A row whose true numbers did not change between two states
// (of one publication's indikator_historikk or indikator_dagens_inndeling,
// or of two publications the portal keeps) must be shown in both or hidden
// in both: where it is shown in one and hidden in the other, a reader who
// assumes the figure unchanged, as figures for past years mostly are,
// reads the hidden numbers off the shown ones, and is right.

// rowKey names a published row apart from its data state.
type rowKey struct {
	Indicator string
	Year      int
	Level     string // land, fylke, kommune or dagens (today's structure)
	Region    string
}

// stateRow is one data state of a row: what it shows and what is true.
type stateRow struct {
	State      string // the publication and data_per
	Hidden     bool   // status ':'
	Truth      string // the true verdi, teller and nevner
	Disclosing bool   // hiding it protects persons: see readStates
}

// crossLeak is a hidden row whose true numbers another state shows.
type crossLeak struct {
	Key           rowKey
	Hidden, Shown string // the states
	Truth         string // the numbers the shown state gives of the hidden one
	Disclosing    bool
}

func (l crossLeak) String() string {
	return fmt.Sprintf("%s %d %s %s hidden in %s, shown in %s", l.Key.Indicator, l.Key.Year, l.Key.Level, l.Key.Region, l.Hidden, l.Shown)
}

// crossStateLeaks returns, for every row and every state in which it is
// hidden, the first (by state) other state that shows the same true
// numbers: one leak per hidden row recovered, whatever the number of
// states that give it away.
func crossStateLeaks(rows map[rowKey][]stateRow) []crossLeak {
	var out []crossLeak
	for k, states := range rows {
		states = slices.Clone(states)
		slices.SortFunc(states, func(a, b stateRow) int { return strings.Compare(a.State, b.State) })
		for _, h := range states {
			if !h.Hidden {
				continue
			}
			for _, s := range states {
				if !s.Hidden && s.Truth == h.Truth {
					out = append(out, crossLeak{Key: k, Hidden: h.State, Shown: s.State, Truth: s.Truth, Disclosing: h.Disclosing})
					break
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b crossLeak) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// statesQuery reads, from a publication's two marts attached as p
// (publisert) and a (analyse), every row of both tables with data states,
// what it shows and its truth. Rows with status '.' show no number and
// hide none. A hidden row discloses persons when the indicator is about
// persons, it is below national level and it is not 0 (a count or teller
// not 0; for a mean, a nevner not 0).
const statesQuery = `
WITH t AS (
    SELECT 'h' AS tbl, * FROM (SELECT indikator, aar, niva, region, data_per, verdi, teller, nevner FROM a.indikator_historikk)
    UNION ALL
    SELECT 'd', * FROM (SELECT indikator, aar, 'dagens', region, data_per, verdi, teller, nevner FROM a.indikator_dagens_inndeling)
), s AS (
    SELECT 'h' AS tbl, indikator, aar, niva, region, data_per, status FROM p.indikator_historikk
    UNION ALL
    SELECT 'd', indikator, aar, 'dagens', region, data_per, status FROM p.indikator_dagens_inndeling
)
SELECT s.indikator, s.aar, s.niva, s.region, CAST(s.data_per AS VARCHAR), s.status = ':',
       concat_ws('|', coalesce(CAST(t.verdi AS VARCHAR), '-'), coalesce(CAST(t.teller AS VARCHAR), '-'), coalesce(CAST(t.nevner AS VARCHAR), '-')),
       CAST(k.om_personer AS VARCHAR) IN ('true', 'J') AND s.niva <> 'land'
           AND (coalesce(t.teller, 0) <> 0 OR (t.teller IS NULL AND coalesce(t.nevner, 0) <> 0))
FROM s
JOIN t USING (tbl, indikator, aar, niva, region, data_per)
JOIN p.indikator_katalog k USING (indikator)
WHERE s.status <> '.'`

// readStates adds every row of the publication in dir (a directory with
// publisert.duckdb and analyse.duckdb) to rows, its states named by pub
// and data_per.
func readStates(ctx context.Context, dir, pub string, rows map[rowKey][]stateRow) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for alias, file := range map[string]string{"p": publish.PublishedFile, "a": publish.AnalysisFile} {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ATTACH '%s' AS %s (READ_ONLY)`, filepath.Join(dir, file), alias)); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	rs, err := conn.QueryContext(ctx, statesQuery)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var k rowKey
		var r stateRow
		var day string
		if err := rs.Scan(&k.Indicator, &k.Year, &k.Level, &k.Region, &day, &r.Hidden, &r.Truth, &r.Disclosing); err != nil {
			return err
		}
		r.State = pub + " " + day
		rows[k] = append(rows[k], r)
	}
	return rs.Err()
}

// keptStates reads every publication the portal keeps in wh (released or
// candidate, publish.List).
func keptStates(t *testing.T, wh *warehouse.Warehouse) (rows map[rowKey][]stateRow, pubs int) {
	t.Helper()
	ids, err := publish.List(wh.Dir)
	if err != nil {
		t.Fatal(err)
	}
	rows = map[rowKey][]stateRow{}
	for _, id := range ids {
		if err := readStates(context.Background(), filepath.Join(wh.Dir, "publications", id), id, rows); err != nil {
			t.Fatalf("publication %s: %v", id, err)
		}
	}
	return rows, len(ids)
}

// checkAcrossTime runs the check across time on every publication kept in
// wh and logs what it finds. It fails the test if a hidden row that
// discloses persons is recovered, and returns all the hidden rows
// recovered: a hidden 0 or a number of no person discloses no one by
// itself, but it is often the complement that protects a cell that does.
func checkAcrossTime(t *testing.T, wh *warehouse.Warehouse) []crossLeak {
	t.Helper()
	start := time.Now()
	rows, pubs := keptStates(t, wh)
	leaks := crossStateLeaks(rows)
	hidden := 0
	for _, states := range rows {
		for _, s := range states {
			if s.Hidden {
				hidden++
			}
		}
	}
	byInd := map[string]int{}
	disclosing := 0
	for _, l := range leaks {
		byInd[l.Key.Indicator]++
		if l.Disclosing {
			disclosing++
			t.Errorf("across time: %s, and discloses persons", l)
		}
	}
	t.Logf("across time (method: every row of indikator_historikk and indikator_dagens_inndeling of %d kept publications, %d rows in %d states, %d of them hidden, "+
		"paired by state with its truth in analyse.duckdb): %d hidden rows shown unchanged in another state, %d of them disclosing persons; by indicator %v; in %v",
		pubs, len(rows), stateCount(rows), hidden, len(leaks), disclosing, byInd, time.Since(start))
	for i, l := range leaks {
		if i == 5 {
			break
		}
		t.Logf("e.g. %s", l)
	}
	return leaks
}

// attackAcrossTime attacks publication p again, knowing besides what it
// shows every hidden row of it that another kept state shows unchanged
// (leaks, from checkAcrossTime): the intruder who assumes a row unchanged,
// credited only where it is right. What the filled rows themselves give
// away checkAcrossTime counts; this returns the disclosing numbers (see
// discloses) the identities then recover that they do not recover from p
// alone.
func attackAcrossTime(t *testing.T, p publication, leaks []crossLeak) []intruder.Range {
	t.Helper()
	type at struct {
		key   rowKey
		state string
	}
	fill := map[at]string{}
	for _, l := range leaks {
		if pub, day, _ := strings.Cut(l.Hidden, " "); pub == p.id {
			fill[at{l.Key, day}] = l.Truth
		}
	}
	rows := slices.Clone(p.rows)
	filled := 0
	for i, r := range rows {
		truth, ok := fill[at{rowKey{r.Indicator, r.Year, r.Level, r.Region}, r.State}]
		if !ok || !r.Suppressed {
			continue
		}
		nums := strings.Split(truth, "|")
		for j, dst := range []**big.Rat{&r.Verdi, &r.Teller, &r.Nevner} {
			if nums[j] == "-" {
				continue
			}
			v, ok := new(big.Rat).SetString(nums[j])
			if !ok {
				t.Fatalf("%s: %q is not a number", r.Indicator, nums[j])
			}
			*dst = v
		}
		r.Suppressed = false
		rows[i] = r
		filled++
	}
	if filled == 0 {
		return nil // the intruder knows nothing more than p shows
	}
	_, _, plain := p.exactLeaks(t, p.rows)
	all, leaksX, disclosing := p.exactLeaks(t, rows)
	before := map[intruder.Cell]bool{}
	for _, r := range plain {
		before[r.Cell] = true
	}
	var more []intruder.Range
	for _, r := range disclosing {
		if !before[r.Cell] {
			more = append(more, r)
		}
	}

	t.Logf("across time, attack (method: the intruder's attack on the current publication with its %d rows hidden that another kept state shows unchanged filled in): "+
		"%d of %d suppressed numbers recovered exactly, %d of them disclosing, %d of those not recovered without what other states show",
		filled, len(leaksX), len(all), len(disclosing), len(more))
	for _, r := range more {
		t.Logf("recovered across time %s = %v", r.Cell, r.Lo)
	}
	return more
}

func stateCount(rows map[rowKey][]stateRow) int {
	seen := map[string]bool{}
	for _, states := range rows {
		for _, s := range states {
			seen[s.State] = true
		}
	}
	return len(seen)
}

// TestCrossStateLeaks checks the check across time on hand-made rows.
func TestCrossStateLeaks(t *testing.T) {
	k := rowKey{"bosatte", 2015, "kommune", "0538"}
	shown := func(state, truth string) stateRow { return stateRow{State: state, Truth: truth, Disclosing: true} }
	hidden := func(state, truth string) stateRow {
		return stateRow{State: state, Hidden: true, Truth: truth, Disclosing: true}
	}
	for _, c := range []struct {
		name   string
		states []stateRow
		want   []string // hidden state, shown state
	}{
		{"unchanged, shown then hidden", []stateRow{shown("p1 2016-01-05", "2"), hidden("p1 2017-01-05", "2")},
			[]string{"p1 2017-01-05", "p1 2016-01-05"}},
		{"unchanged, hidden then shown", []stateRow{hidden("p1 2016-01-05", "3"), shown("p1 2017-01-05", "3")},
			[]string{"p1 2016-01-05", "p1 2017-01-05"}},
		{"changed between the states", []stateRow{shown("p1 2016-01-05", "5"), hidden("p1 2017-01-05", "2")}, nil},
		{"hidden in both", []stateRow{hidden("p1 2016-01-05", "2"), hidden("p1 2017-01-05", "2")}, nil},
		{"shown in both", []stateRow{shown("p1 2016-01-05", "2"), shown("p1 2017-01-05", "2")}, nil},
		{"changed and changed back: the first state gives the third away", []stateRow{
			shown("p1 2016-01-05", "2"), hidden("p1 2017-01-05", "4"), hidden("p1 2018-01-05", "2")},
			[]string{"p1 2018-01-05", "p1 2016-01-05"}},
		{"one state in two publications, protected differently", []stateRow{
			hidden("p1 2017-01-05", "2"), shown("p2 2017-01-05", "2")},
			[]string{"p1 2017-01-05", "p2 2017-01-05"}},
		{"a share: the same teller over another nevner is not the same row", []stateRow{
			shown("p1 2016-01-05", "0.5|2|4"), hidden("p1 2017-01-05", "0.4|2|5")}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, l := range crossStateLeaks(map[rowKey][]stateRow{k: c.states}) {
				got = append(got, l.Hidden, l.Shown)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("leaks %v, want %v", got, c.want)
			}
		})
	}
}

// requireAgreement fails the test unless every row whose true numbers did
// not change between two kept states is shown in both or hidden in both
// (leaks, from checkAcrossTime, is empty), and unless the intruder who
// reads the other states recovers no more than from p alone. Protection
// carries each row's decision to the later states (marts.Build); a row an
// earlier state showed is hidden later only where nothing else protects a
// figure, which neither the small cases nor the demo need.
func requireAgreement(t *testing.T, p publication, leaks []crossLeak) {
	t.Helper()
	if len(leaks) > 0 {
		t.Errorf("across time: %d hidden rows are shown unchanged in another state", len(leaks))
	}
	if d := attackAcrossTime(t, p, leaks); len(d) > 0 {
		t.Errorf("across time: %d disclosing numbers recovered", len(d))
	}
}

// TestAttackSmallCases attacks the small cases, built twice, as of a date
// before the newest deliveries and then as of the newest, so that the
// portal keeps two publications. The attack on the current publication is
// sound, and the intruder, who knows every identity of the definitions and
// that counts are whole and non-negative, recovers no suppressed number
// that discloses persons (see discloses); then every data state of both
// publications is checked against each other (checkAcrossTime).
func TestAttackSmallCases(t *testing.T) {
	wh := fixture.Ingest(t, testkit.SmallInbox())
	fixture.Build(t, wh, time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC))
	fixture.Build(t, wh, time.Time{})
	p, all, leaks, disclosing := attackPublication(t, wh)
	if len(all) == 0 {
		t.Fatal("nothing suppressed to attack")
	}
	for _, r := range disclosing {
		t.Errorf("recovered %s = %v", r.Cell, r.Lo)
	}
	t.Logf("%d of %d suppressed numbers recovered exactly, %d of them disclosing", len(leaks), len(all), len(disclosing))

	rows, pubs := keptStates(t, wh)
	if pubs != 2 || stateCount(rows) < 4 {
		t.Fatalf("%d publications with %d states: the check needs several", pubs, stateCount(rows))
	}
	requireAgreement(t, p, checkAcrossTime(t, wh))
}

// TestAcrossTimeLateDelivery publishes the small cases without
// settlement's delivery of 2017-01-05, then loads it late and publishes
// again: the late delivery makes a data state of its own before the
// published one, which is computed anew. Both publications are kept, so
// a row that did not change must have the same decision in the state's
// old version (the first publication) and its new one (the second).
func TestAcrossTimeLateDelivery(t *testing.T) {
	held := func(source, id string) bool { return source == "bosetting" && id == "20170105T020000" }
	early := fixture.CopyInbox(t, testkit.SmallInbox(), func(source, id string) bool { return !held(source, id) })
	late := fixture.CopyInbox(t, testkit.SmallInbox(), held)
	wh, key := fixture.IngestWithKey(t, early)
	first := fixture.Build(t, wh, time.Time{})
	if _, err := pipeline.Ingest(context.Background(), pipeline.IngestOptions{Inbox: late, Warehouse: wh, Key: key, AllowSynthetic: true}); err != nil {
		t.Fatal(err)
	}
	second := fixture.Build(t, wh, time.Time{})
	recomputed := 0
	for _, s := range second.States {
		if s.Source == "bosetting" && s.Date.After(time.Date(2017, 1, 5, 0, 0, 0, 0, time.UTC)) {
			recomputed++
		}
	}
	if first.Publication == second.Publication || recomputed == 0 {
		t.Fatalf("fixture: the late delivery recomputed %d later states (publications %s, %s)", recomputed, first.Publication, second.Publication)
	}
	p, _, _, disclosing := attackPublication(t, wh)
	for _, r := range disclosing {
		t.Errorf("recovered %s = %v", r.Cell, r.Lo)
	}
	requireAgreement(t, p, checkAcrossTime(t, wh))
}
