package demo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"integstat/extract/delivery"
	"integstat/extract/reference"
	"integstat/transform/ident"
)

// The settlement indicators of indicators.md whose published figures the
// model must reproduce.
var settlementIDs = []string{
	"bosatte", "bosatte_ovf", "bosatte_em", "bosatte_em_over15", "bosatte_em_under15",
	"barnefamilier", "barnefamilier_personer", "barnefamilier_barn", "bosatte_andre_voksne",
	"bosatte_selvbosatt", "kommuner_selvbosatt", "kommuner_bosatt_em",
	"andel_bosatt_6mnd", "andel_bosatt_12mnd", "bosatt_etter_12mnd", "andel_em_bosatt_3mnd",
	"ventetid_mnd", "ventetid_mnd_em", "ventetid_mnd_barnefamilier",
	"venter_3112", "venter_3112_familie", "venter_3112_em", "venter_3112_andre", "venter_3112_over12mnd",
	"anmodet", "anmodet_em", "vedtatt", "vedtatt_em", "kommuner_anmodet", "kommuner_vedtatt",
}

// bosSnapshot is one settlement delivery read back from its files: rows as
// maps from column to text ("" for null, "true"/"false" for booleans).
type bosSnapshot struct {
	dir      string
	persons  []map[string]string
	requests []map[string]string
}

var (
	bosOnce  sync.Once
	bosModel *bosetting
	bosErr   error

	finalOnce sync.Once
	finalSnap *bosSnapshot
)

// testBosetting builds the replica the tests share: seed 1, factor 1.
func testBosetting(t *testing.T) *bosetting {
	t.Helper()
	bosOnce.Do(func() {
		bosModel, bosErr = newBosetting(newWorld(1, 0, newIDAllocator()), 1, slog.New(slog.NewTextHandler(io.Discard, nil)))
	})
	if bosErr != nil {
		t.Fatal(bosErr)
	}
	return bosModel
}

// finalSnapshot is the shared model's snapshot of 31.12.2017, the newest
// state, which the published figures are computed from.
func finalSnapshot(t *testing.T) *bosSnapshot {
	t.Helper()
	b := testBosetting(t)
	finalOnce.Do(func() { finalSnap = snapshotAt(t, b, date(2017, 12, 31)) })
	if finalSnap == nil {
		t.Fatal("no snapshot of 31.12.2017")
	}
	return finalSnap
}

// snapshotAt writes b's delivery extracted at 23:00 on day through the
// real writers and reads it back.
func snapshotAt(t *testing.T, b *bosetting, day time.Time) *bosSnapshot {
	t.Helper()
	at := time.Date(day.Year(), day.Month(), day.Day(), 23, 0, 0, 0, delivery.Oslo)
	d, err := openDelivery(t.TempDir(), "bosetting", at, Options{Seed: 1}, &answerKey{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.emit(d); err != nil {
		t.Fatal(err)
	}
	if _, err := d.close(); err != nil {
		t.Fatal(err)
	}
	s := &bosSnapshot{dir: d.dir}
	jr, err := delivery.NewJSONLReader(openFile(t, d.dir, "personer.jsonl.gz"), "personer.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	s.persons = readRows(t, func(row map[string]string) error {
		rec, err := jr.Next()
		for k, v := range rec.Values {
			row[k] = v.Raw
		}
		return err
	})
	cr, err := delivery.NewCSVReader(openFile(t, d.dir, "anmodninger.csv"), "anmodninger.csv")
	if err != nil {
		t.Fatal(err)
	}
	s.requests = readRows(t, func(row map[string]string) error {
		rec, err := cr.Next()
		for i, v := range rec.Fields {
			row[cr.Header()[i]] = v
		}
		return err
	})
	return s
}

// openFile opens dir/name for reading until the test ends.
func openFile(t *testing.T, dir, name string) io.Reader {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readRows collects the rows next fills until it returns io.EOF.
func readRows(t *testing.T, next func(row map[string]string) error) []map[string]string {
	t.Helper()
	var rows []map[string]string
	for {
		row := map[string]string{}
		err := next(row)
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

func parseDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

// yearsOld is the age in whole years on day on, with the 29 February rule
// of indicators.md, written here apart from the model's own helper: the
// birthday in a common year of someone born on 29 February is 1 March.
func yearsOld(birth, on time.Time) int {
	m, d := birth.Month(), birth.Day()
	if m == time.February && d == 29 && !isLeapYear(on.Year()) {
		m, d = time.March, 1
	}
	n := on.Year() - birth.Year()
	if on.Before(time.Date(on.Year(), m, d, 0, 0, 0, 0, time.UTC)) {
		n--
	}
	return n
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// plusMonths is the date n calendar months after d, clamped to the month's
// end: the "within N months" of indicators.md.
func plusMonths(d time.Time, n int) time.Time {
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1)
	if d.Day() > last.Day() {
		return last
	}
	return first.AddDate(0, 0, d.Day()-1)
}

func TestYearsOld(t *testing.T) {
	cases := []struct {
		birth, on string
		want      int
	}{
		{"2000-02-29", "2018-02-28", 17},
		{"2000-02-29", "2018-03-01", 18},
		{"2000-02-29", "2016-02-28", 15},
		{"2000-02-29", "2016-02-29", 16},
		{"1999-12-31", "2017-12-31", 18},
		{"1999-12-31", "2017-12-30", 17},
		{"2000-03-01", "2017-03-01", 17},
		{"2000-03-01", "2017-02-28", 16},
	}
	for _, c := range cases {
		if got := yearsOld(parseDay(t, c.birth), parseDay(t, c.on)); got != c.want {
			t.Errorf("yearsOld(%s, %s) = %d, want %d", c.birth, c.on, got, c.want)
		}
	}
	if got := plusMonths(parseDay(t, "2017-08-31"), 6); !got.Equal(parseDay(t, "2018-02-28")) {
		t.Errorf("2017-08-31 + 6 months = %s", got.Format(time.DateOnly))
	}
}

// settlementFigures computes the settlement indicators of indicators.md
// straight from their definitions over a snapshot's rows. Keys are
// "indicator/year"; shares are fractions.
func settlementFigures(t *testing.T, s *bosSnapshot) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	set := func(id string, y int, v float64) { out[fmt.Sprintf("%s/%d", id, y)] = v }
	type person struct {
		row                   map[string]string
		birth, vedtak, bosatt time.Time
		settled, em, skjult   bool
	}
	ps := make([]person, len(s.persons))
	for i, r := range s.persons {
		p := person{row: r, birth: parseDay(t, r["fodselsdato"]), vedtak: parseDay(t, r["vedtak_dato"]),
			em: r["enslig_mindreaarig"] == "true", skjult: r["skjult_identitet"] == "true"}
		if r["bosatt_dato"] != "" {
			p.bosatt, p.settled = parseDay(t, r["bosatt_dato"]), true
		}
		ps[i] = p
	}
	for y := bosFirst; y <= bosLast; y++ {
		var n, ovf, em, em15, emU, selv, w6, w12, em3 int
		var wait, waitEM, waitBF float64
		households := map[string][]person{}
		emKommuner, selvKommuner := map[string]bool{}, map[string]bool{}
		var settled []person
		for _, p := range ps {
			if !p.settled || p.bosatt.Year() != y {
				continue
			}
			settled = append(settled, p)
			n++
			w := float64(p.bosatt.Sub(p.vedtak).Hours()/24) / 30.4375
			wait += w
			if !p.bosatt.After(plusMonths(p.vedtak, 6)) {
				w6++
			}
			if !p.bosatt.After(plusMonths(p.vedtak, 12)) {
				w12++
			}
			if p.row["kategori"] == "OVF" {
				ovf++
			}
			if p.em {
				em++
				waitEM += w
				if yearsOld(p.birth, p.bosatt) >= 15 {
					em15++
				} else {
					emU++
				}
				if !p.bosatt.After(plusMonths(p.vedtak, 3)) {
					em3++
				}
				if !p.skjult {
					emKommuner[p.row["kommunenummer"]] = true
				}
			}
			if p.row["avtalt_selvbosetting"] == "true" {
				selv++
				if !p.skjult {
					selvKommuner[p.row["kommunenummer"]] = true
				}
			}
			if id := p.row["familie_id"]; id != "" {
				households[id] = append(households[id], p)
			}
		}
		var bf, bfPersons, bfChildren int
		inBF := map[string]bool{}
		for id, members := range households {
			var child, adult, minor bool
			for _, m := range members {
				minor = minor || m.em
				if yearsOld(m.birth, m.bosatt) < 18 {
					child = true
				} else {
					adult = true
				}
			}
			if minor || !child || !adult {
				continue
			}
			bf++
			inBF[id] = true
			for _, m := range members {
				bfPersons++
				waitBF += float64(m.bosatt.Sub(m.vedtak).Hours()/24) / 30.4375
				if yearsOld(m.birth, m.bosatt) < 18 {
					bfChildren++
				}
			}
		}
		others := 0
		for _, p := range settled {
			if !p.em && !inBF[p.row["familie_id"]] && !p.skjult {
				others++
			}
		}
		set("bosatte", y, float64(n))
		set("bosatte_ovf", y, float64(ovf))
		set("bosatte_em", y, float64(em))
		set("bosatte_em_over15", y, float64(em15))
		set("bosatte_em_under15", y, float64(emU))
		set("barnefamilier", y, float64(bf))
		set("barnefamilier_personer", y, float64(bfPersons))
		set("barnefamilier_barn", y, float64(bfChildren))
		set("bosatte_andre_voksne", y, float64(others))
		set("bosatte_selvbosatt", y, float64(selv))
		set("kommuner_selvbosatt", y, float64(len(selvKommuner)))
		set("kommuner_bosatt_em", y, float64(len(emKommuner)))
		set("andel_bosatt_6mnd", y, float64(w6)/float64(n))
		set("andel_bosatt_12mnd", y, float64(w12)/float64(n))
		set("bosatt_etter_12mnd", y, float64(n-w12))
		set("andel_em_bosatt_3mnd", y, float64(em3)/float64(em))
		set("ventetid_mnd", y, wait/float64(n))
		set("ventetid_mnd_em", y, waitEM/float64(em))
		set("ventetid_mnd_barnefamilier", y, waitBF/float64(bfPersons))

		// The stock waiting on 31.12.
		end := time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
		var waiting []person
		waitingHH := map[string][]person{}
		for _, p := range ps {
			if p.vedtak.After(end) || p.row["fra"] == "UTLANDET" || (p.settled && !p.bosatt.After(end)) {
				continue
			}
			waiting = append(waiting, p)
			if id := p.row["familie_id"]; id != "" {
				waitingHH[id] = append(waitingHH[id], p)
			}
		}
		var fam, emW, over12 int
		for _, p := range waiting {
			if p.em {
				emW++
			} else if id := p.row["familie_id"]; id != "" {
				var child, adult bool
				for _, m := range waitingHH[id] {
					if yearsOld(m.birth, end) < 18 {
						child = true
					} else {
						adult = true
					}
				}
				if child && adult {
					fam++
				}
			}
			if plusMonths(p.vedtak, 12).Before(end) {
				over12++
			}
		}
		set("venter_3112", y, float64(len(waiting)))
		set("venter_3112_familie", y, float64(fam))
		set("venter_3112_em", y, float64(emW))
		set("venter_3112_andre", y, float64(len(waiting)-fam-emW))
		set("venter_3112_over12mnd", y, float64(over12))
	}
	sums := map[string]int{}
	for _, r := range s.requests {
		for _, c := range []string{"anmodet", "anmodet_em", "vedtatt", "vedtatt_em"} {
			if r[c] == "" {
				continue
			}
			v, err := strconv.Atoi(r[c])
			if err != nil {
				t.Fatalf("anmodninger %s: %v", c, err)
			}
			sums[c+"/"+r["aar"]] += v
			if v > 0 && (c == "anmodet" || c == "vedtatt") {
				sums["kommuner_"+c+"/"+r["aar"]]++
			}
		}
	}
	for k, v := range sums {
		out[k] = float64(v)
	}
	return out
}

// TestSettlementFigures recomputes every settlement figure from the rows of
// the 2017 snapshot and compares it with the published one under its kind.
func TestSettlementFigures(t *testing.T) {
	got := settlementFigures(t, finalSnapshot(t))
	figs, err := reference.PublishedFigures()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, id := range settlementIDs {
		ids[id] = true
	}
	checked := 0
	for _, f := range figs {
		if !ids[f.Indicator] {
			continue
		}
		v, ok := got[fmt.Sprintf("%s/%d", f.Indicator, f.Year)]
		if !ok {
			t.Errorf("%s %d: not computed", f.Indicator, f.Year)
			continue
		}
		checked++
		if !f.Matches(v) {
			t.Errorf("%s %d = %v, published %v (%s)", f.Indicator, f.Year, v, f.Value, f.Kind)
		}
	}
	if checked < 70 {
		t.Errorf("only %d settlement figures checked", checked)
	}
	// 2013 is not published; it must still look like the years around it.
	for _, c := range []struct {
		id     string
		lo, hi float64
	}{{"bosatte", 5500, 6300}, {"venter_3112", 4700, 5100}, {"andel_bosatt_6mnd", 0.35, 0.6}, {"bosatte_ovf", 700, 1200}} {
		if v := got[c.id+"/2013"]; v < c.lo || v > c.hi {
			t.Errorf("%s 2013 = %v, want a plausible value in [%v, %v]", c.id, v, c.lo, c.hi)
		}
	}
}

// TestSettlementSnapshots checks that the snapshots are consistent with
// each other and with the contract's rules for the source.
func TestSettlementSnapshots(t *testing.T) {
	b := testBosetting(t)
	ref := b.w.ref
	final := finalSnapshot(t)
	byDUF := map[string]map[string]string{}
	for _, r := range final.persons {
		if byDUF[r["duf"]] != nil {
			t.Fatalf("DUF number repeated in the 2017 snapshot")
		}
		byDUF[r["duf"]] = r
	}
	for _, snap := range []time.Time{date(2013, 12, 31), date(2015, 6, 30), date(2015, 12, 31), date(2016, 12, 31), date(2017, 12, 31)} {
		s := final
		if snap.Year() != 2017 {
			s = snapshotAt(t, b, snap)
		}
		name := snap.Format(time.DateOnly)
		cutoff := name + " 23:00:00"
		want := 0
		for _, r := range final.persons {
			if !parseDay(t, r["vedtak_dato"]).After(snap) {
				want++
			}
		}
		if len(s.persons) != want {
			t.Errorf("%s: %d persons, want the %d decided by then", name, len(s.persons), want)
		}
		for _, r := range s.persons {
			f := byDUF[r["duf"]]
			if f == nil {
				t.Fatalf("%s: a person missing from the 2017 snapshot", name)
			}
			if r["sist_endret"] > cutoff {
				t.Errorf("%s: sist_endret after the extraction", name)
			}
			if r["bosatt_dato"] == "" {
				if r["kommunenummer"] != "" {
					t.Errorf("%s: a waiting person has a kommune", name)
				}
				if r["fnr"] != "" && (r["kategori"] != "ASYL" || r["fnr"] != f["fnr"]) {
					t.Errorf("%s: a waiting person has an identity number other than an asylum seeker's D-number", name)
				}
				// The record differs from the final one only in what settlement sets.
				for k, v := range r {
					if k != "bosatt_dato" && k != "kommunenummer" && k != "fnr" && k != "sist_endret" && f[k] != v {
						t.Errorf("%s: %s of a waiting person changes later", name, k)
					}
				}
				continue
			}
			bosatt := parseDay(t, r["bosatt_dato"])
			if bosatt.After(snap) {
				t.Errorf("%s: settled after the extraction", name)
			}
			if !ref.ValidOn(r["kommunenummer"], bosatt) {
				t.Errorf("%s: kommune %s not valid on the settlement date", name, r["kommunenummer"])
			}
			if r["fnr"] == "" {
				t.Errorf("%s: a settled person without identity number", name)
			}
			if !reflect.DeepEqual(r, f) {
				t.Errorf("%s: the record of a person settled %s changes later", name, r["bosatt_dato"])
			}
		}
		maxAar := 0
		for _, r := range s.requests {
			aar, _ := strconv.Atoi(r["aar"])
			maxAar = max(maxAar, aar)
			if !ref.ValidOn(r["kommunenummer"], date(aar, 1, 1)) {
				t.Errorf("%s: anmodninger %d: kommune %s not valid on 1 January", name, aar, r["kommunenummer"])
			}
		}
		if maxAar != snap.Year()+1 {
			t.Errorf("%s: requests up to %d, want %d", name, maxAar, snap.Year()+1)
		}
	}

	// Requests: the 2017 snapshot holds 2018 partly answered, earlier years
	// all answered; decisions mostly but not always within the request.
	var open2018, rows2018, above, answered int
	for _, r := range final.requests {
		if r["aar"] == "2018" {
			rows2018++
			if r["vedtatt"] == "" {
				open2018++
			}
			continue
		}
		if r["vedtatt"] == "" {
			t.Errorf("anmodninger %s %s unanswered at the end of 2017", r["aar"], r["kommunenummer"])
			continue
		}
		answered++
		a, _ := strconv.Atoi(r["anmodet"])
		v, _ := strconv.Atoi(r["vedtatt"])
		ae, _ := strconv.Atoi(r["anmodet_em"])
		ve, _ := strconv.Atoi(r["vedtatt_em"])
		if v > a {
			above++
		}
		if ae > a || ve > v {
			t.Errorf("anmodninger %s %s: minors exceed the total", r["aar"], r["kommunenummer"])
		}
	}
	if open2018 == 0 || open2018 == rows2018 {
		t.Errorf("2018 requests: %d of %d unanswered, want some but not all", open2018, rows2018)
	}
	if above == 0 || above > answered/5 {
		t.Errorf("%d of %d decisions above the request, want a few", above, answered)
	}
}

// TestSettlementRecords checks the records themselves: households share
// what the contract says they share, minors come from the right place, and
// identity numbers encode the person's birth date and kind.
func TestSettlementRecords(t *testing.T) {
	b := testBosetting(t)
	s := finalSnapshot(t)
	households := map[string][]map[string]string{}
	kinds := map[bool]int{}
	for _, r := range s.persons {
		if id := r["familie_id"]; id != "" {
			households[id] = append(households[id], r)
		}
		if r["enslig_mindreaarig"] == "true" && r["bosatt_dato"] != "" {
			under15 := yearsOld(parseDay(t, r["fodselsdato"]), parseDay(t, r["bosatt_dato"])) < 15
			if under15 != (r["fra"] == "OMSORGSSENTER") || r["familie_id"] != "" || r["kategori"] != "ASYL" {
				t.Errorf("unaccompanied minor: fra %s, kategori %s, under 15 %v, in a household %v", r["fra"], r["kategori"], under15, r["familie_id"] != "")
			}
		}
		if (r["kategori"] == "ASYL") == (r["fra"] == "UTLANDET") {
			t.Errorf("kategori %s from %s", r["kategori"], r["fra"])
		}
		if r["fnr"] == "" {
			continue
		}
		n, err := ident.Parse(r["fnr"], ident.Options{AllowSynthetic: true})
		if err != nil {
			t.Errorf("identity number: %v", err)
			continue
		}
		if !n.Birth.Equal(parseDay(t, r["fodselsdato"])) || n.Female != (r["kjonn"] == "K") {
			t.Errorf("identity number does not match the birth date or sex")
		}
		kinds[n.Kind == ident.DNumber]++
	}
	if share := float64(kinds[true]) / float64(kinds[true]+kinds[false]); share < 0.05 || share > 0.2 {
		t.Errorf("D-numbers are %.2f of the identity numbers, want about 0.1", share)
	}
	for _, m := range households {
		for _, r := range m[1:] {
			for _, k := range []string{"kategori", "fra", "vedtak_dato", "bosatt_dato", "kommunenummer", "nasjonalitet"} {
				if r[k] != m[0][k] {
					t.Errorf("a household differs in %s", k)
				}
			}
		}
	}

	// Kommuner that settle refugees are mostly those that decided to.
	decided := map[string]bool{}
	for _, r := range s.requests {
		if r["vedtatt"] != "" && r["vedtatt"] != "0" {
			decided[r["aar"]+" "+r["kommunenummer"]] = true
		}
	}
	var in, all int
	for _, r := range s.persons {
		if r["bosatt_dato"] != "" {
			all++
			if decided[r["bosatt_dato"][:4]+" "+r["kommunenummer"]] {
				in++
			}
		}
	}
	if share := float64(in) / float64(all); share < 0.9 || share == 1 {
		t.Errorf("%.3f of the settled are in kommuner that decided to settle refugees that year, want most but not all", share)
	}

	settled := b.settledPersons()
	n := 0
	for _, r := range s.persons {
		if r["bosatt_dato"] != "" {
			n++
		}
	}
	if len(settled) != n {
		t.Errorf("settledPersons lists %d, the snapshot %d settled", len(settled), n)
	}
	for _, p := range settled {
		if p.number == "" || !b.w.ref.ValidOn(p.kommune, p.bosatt) {
			t.Fatalf("settled person without number or with an invalid kommune")
		}
	}
}

// TestSettlementDeterministic builds the model twice from the same seed and
// requires byte-identical deliveries.
func TestSettlementDeterministic(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var files [2][][]byte
	var persons [2][]settledPerson
	for i := range files {
		b, err := newBosetting(newWorld(7, 0, newIDAllocator()), 0.5, log)
		if err != nil {
			t.Fatal(err)
		}
		persons[i] = b.settledPersons()
		s := snapshotAt(t, b, date(2016, 12, 31))
		for _, name := range []string{"personer.jsonl.gz", "anmodninger.csv"} {
			data, err := os.ReadFile(filepath.Join(s.dir, name))
			if err != nil {
				t.Fatal(err)
			}
			files[i] = append(files[i], data)
		}
	}
	for j := range files[0] {
		if !bytes.Equal(files[0][j], files[1][j]) {
			t.Errorf("file %d differs between two builds from the same seed", j)
		}
	}
	if !reflect.DeepEqual(persons[0], persons[1]) {
		t.Error("settledPersons differs between two builds from the same seed")
	}
}

// TestSettlementReplicas checks that a second replica writes persons but no
// requests (their key is the kommune, which replicas share) and that its
// numbers do not collide with the first's.
func TestSettlementReplicas(t *testing.T) {
	ids := newIDAllocator()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	seen := map[string]bool{}
	for rep := range 2 {
		b, err := newBosetting(newWorld(3, uint64(rep), ids), 0.2, log)
		if err != nil {
			t.Fatal(err)
		}
		s := snapshotAt(t, b, date(2017, 12, 31))
		if (len(s.requests) > 0) != (rep == 0) {
			t.Errorf("replica %d wrote %d requests", rep, len(s.requests))
		}
		for _, r := range s.persons {
			for _, k := range []string{"duf", "fnr"} {
				if v := r[k]; v != "" {
					if seen[v] {
						t.Fatalf("replica %d repeats a %s", rep, k)
					}
					seen[v] = true
				}
			}
		}
	}
}

func BenchmarkNewBosetting(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i := 0; b.Loop(); i++ {
		if _, err := newBosetting(newWorld(1, uint64(i), newIDAllocator()), 1, log); err != nil {
			b.Fatal(err)
		}
	}
}
