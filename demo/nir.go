package demo

import (
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"integstat/extract/reference"
)

// The NIR model. Every person of the introduction register is drawn from a
// prior that follows the rules of the programme (right and duty from
// settlement, start within months, two years in the programme, three when
// extended, the outcomes IMDi reports), and the fitter then redraws persons
// until the indicators of indicators.md, computed at the data states the
// annual report used, hit the published figures.

// Person kinds of the NIR model.
const (
	kindSettled  = iota // a refugee of the settlement register, right and duty in the settlement kommune
	kindRP              // family immigrant or earlier refugee with right and duty (not in the settlement register)
	kindKT              // in the programme without a right (the kommune's offer)
	kindTraining        // Norwegian training only, right and duty
	kindPR              // Norwegian training only, duty only (P) or right only (R)
	kindAsyl            // asylum seeker in reception with Norwegian training
	kindKV              // asylum seeker in the culture-and-values course
	nKinds
)

// horizon is the last day the demo registers describe (the last delivery).
var horizon = date(2018, 2, 28)

// nirSpell is one introduction-programme decision.
type nirSpell struct {
	id         uint64
	kommune    string // valid on vedtak
	rett       string // RP or KT
	rp         time.Time
	vedtak     time.Time
	start      time.Time // zero: never started
	slutt      time.Time // zero or after horizon: ongoing
	avsl       string
	utvidet    bool
	spor       byte
	reg        time.Time // registered in NIR
	startKnown time.Time
	endKnown   time.Time
	grunnskole bool // GRUNNSKOLE hours in months where the kommune offers it
	vgs        bool
}

// nirTraining is one norskopplaering row with the months it has hours.
type nirTraining struct {
	kommune    string // valid on rp
	rett       string
	rp         time.Time
	first      time.Time // first hour; zero: none yet
	last       time.Time // last month with hours (first day); zero: none
	reg        time.Time
	firstKnown time.Time
}

// nirPerson is one person of the register and everything registered on him or her.
type nirPerson struct {
	kind     int
	settled  int // index into the settlement list, or -1
	active   bool
	locked   bool
	number   string
	dnumber  bool
	newNum   string    // the fødselsnummer replacing a D-number, or ""
	change   time.Time // when newNum replaced number
	birth    time.Time
	female   bool
	country  string
	innv     string
	given    string
	family   string
	timerLag int // days after a month's end its hours are registered
	spells   []nirSpell
	train    []nirTraining
}

type nirModel struct {
	w       *world
	settled []settledPerson
	persons []nirPerson
	offer   offerSets
	excl    exclusions
	pickers map[int]*kommunePicker
	// absentDim is the fit's sum of settled refugees left out of NIR.
	absentDim int
	log       *slog.Logger
}

// offerSets says which kommuner run primary school (GRUNNSKOLE) and upper
// secondary (VGS) inside the programme each year.
type offerSets struct {
	grunnskole, vgs map[int]map[string]bool
}

// exclusions are kommuner with no participants in a year, so that the count
// of kommuner with participants matches the published one.
type exclusions struct {
	intro map[int]map[string]bool
	norsk map[int]map[string]bool
}

func newNIR(w *world, settled []settledPerson, factor float64, log *slog.Logger) (*nirModel, error) {
	m := &nirModel{w: w, settled: settled, log: log, pickers: map[int]*kommunePicker{}}
	figs, err := reference.PublishedFigures()
	if err != nil {
		return nil, err
	}
	m.chooseKommuneSets(figs, factor)
	m.drawPopulation(factor)
	if err := m.fit(figs, factor, true); err != nil {
		return nil, err
	}
	if factor == 1 {
		// Fill kommuner that must count but are empty, then fit again
		// around the persons added there, until both hold.
		for round := 0; ; round++ {
			n := m.cover(figs)
			if n == 0 {
				break
			}
			if round == 5 {
				return nil, fmt.Errorf("kommune counts: %d kommuner still empty after %d rounds", n, round)
			}
			m.log.Info("nir kommune coverage", "persons added", n)
			if err := m.fit(figs, factor, false); err != nil {
				return nil, err
			}
		}
	}
	m.finish()
	return m, nil
}

// finish gives the calibrated persons what the fit does not depend on:
// identities, names, decision ids, and D-numbers replaced by fødselsnumre.
func (m *nirModel) finish() {
	r := m.w.rng("nir", "identity")
	kept := m.persons[:0]
	for _, p := range m.persons {
		if p.active {
			kept = append(kept, p)
		}
	}
	m.persons = kept
	for i := range m.persons {
		p := &m.persons[i]
		first := p.firstDate()
		if p.kind == kindSettled {
			s := m.settled[p.settled]
			if p.dnumber && r.Float64() < 0.5 {
				p.change = s.bosatt.AddDate(0, 0, 60+r.IntN(360))
				p.newNum = m.w.number(r, p.birth, p.female, false)
			}
		} else {
			lo, hi := 18, 55
			if p.kind == kindAsyl || p.kind == kindKV {
				lo, hi = 16, 60
			}
			p.birth = birthFor(r, lo+r.IntN(hi-lo+1), first)
			p.female = r.IntN(100) < 55
			p.country = country(r, first.Year())
			if p.kind == kindKT || p.kind == kindPR {
				p.country = pickWeighted(r, []weighted{{"THA", 3}, {"PHL", 3}, {"SOM", 2}, {"ERI", 2}, {"AFG", 1}, {"IRQ", 1}, {"RUS", 1}, {"VNM", 1}})
			}
			p.given, p.family = personName(r, p.country, p.female)
			p.innv = map[int]string{kindRP: "FAM", kindKT: "FAM", kindTraining: "FAM", kindPR: "ARB", kindAsyl: "ANN", kindKV: "ANN"}[p.kind]
			if (p.kind == kindRP || p.kind == kindTraining) && r.IntN(3) == 0 {
				p.innv = "FLU"
			}
			d := p.kind == kindAsyl || p.kind == kindKV || r.IntN(10) == 0
			p.dnumber = d
			p.number = m.w.number(r, p.birth, p.female, d)
			if d && r.Float64() < 0.35 {
				p.change = first.AddDate(0, 0, 90+r.IntN(400))
				p.newNum = m.w.number(r, p.birth, p.female, false)
			}
		}
		for j := range p.spells {
			p.spells[j].id = m.w.serial("vedtak")
		}
	}
}

// firstDate is the first date anything happened to p in the register.
func (p *nirPerson) firstDate() time.Time {
	return p.earliest(func(s *nirSpell) time.Time { return s.vedtak }, func(t *nirTraining) time.Time { return t.rp })
}

// earliest is the earliest of the dates spell picks from p's decisions and
// train from p's trainings.
func (p *nirPerson) earliest(spell func(*nirSpell) time.Time, train func(*nirTraining) time.Time) time.Time {
	var t time.Time
	for i := range p.spells {
		if d := spell(&p.spells[i]); t.IsZero() || d.Before(t) {
			t = d
		}
	}
	for i := range p.train {
		if d := train(&p.train[i]); t.IsZero() || d.Before(t) {
			t = d
		}
	}
	return t
}

// homeAt is the kommune of residence NIR shows on day asOf: that of the
// decision or training registered last by then, with its code on asOf.
func (m *nirModel) homeAt(p *nirPerson, asOf time.Time) string {
	var k string
	var from, reg time.Time
	for _, s := range p.spells {
		if !s.reg.After(asOf) && !s.reg.Before(reg) {
			k, from, reg = s.kommune, s.vedtak, s.reg
		}
	}
	for _, t := range p.train {
		if !t.reg.After(asOf) && !t.reg.Before(reg) {
			k, from, reg = t.kommune, t.rp, t.reg
		}
	}
	return m.w.codeOn(k, from, asOf)
}

// yearCode returns the code of kommune k (valid on from) in year y.
func (m *nirModel) yearCode(k string, from time.Time, y int) string {
	at := date(y, 1, 1)
	if at.Before(from) {
		return k
	}
	return m.w.codeOn(k, from, at)
}

// chooseKommuneSets picks the kommuner without participants and the
// kommuner offering school inside the programme, so that the published
// counts of kommuner hold: the excluded ones are those where the fewest
// refugees were settled; school is offered first where the most are.
func (m *nirModel) chooseKommuneSets(figs []reference.Figure, factor float64) {
	settledIn := map[int]map[string]int{}
	for _, s := range m.settled {
		for y := 2014; y <= 2017; y++ {
			if s.bosatt.Year() <= y && s.bosatt.Year() >= y-2 {
				if settledIn[y] == nil {
					settledIn[y] = map[string]int{}
				}
				settledIn[y][m.yearCode(s.kommune, s.bosatt, y)]++
			}
		}
	}
	want := func(ind string, y int) (int, bool) {
		for _, f := range figs {
			if f.Indicator == ind && f.Year == y {
				return int(f.Value), true
			}
		}
		return 0, false
	}
	ranked := func(y int) []string {
		var codes []string
		for _, k := range m.w.ref.KommunerOn(date(y, 6, 30)) {
			codes = append(codes, k.Code)
		}
		sort.SliceStable(codes, func(i, j int) bool {
			a, b := settledIn[y][codes[i]], settledIn[y][codes[j]]
			if a != b {
				return a > b
			}
			return m.w.kommuneSize(codes[i]) > m.w.kommuneSize(codes[j])
		})
		return codes
	}
	m.excl = exclusions{intro: map[int]map[string]bool{}, norsk: map[int]map[string]bool{}}
	m.offer = offerSets{grunnskole: map[int]map[string]bool{}, vgs: map[int]map[string]bool{}}
	for y := 2013; y <= 2018; y++ {
		codes := ranked(min(max(y, 2014), 2017))
		if y == 2018 {
			codes = nil
			for _, k := range m.w.ref.KommunerOn(date(2018, 1, 1)) {
				codes = append(codes, k.Code)
			}
		}
		m.excl.intro[y] = map[string]bool{}
		m.excl.norsk[y] = map[string]bool{}
		if n, ok := want("kommuner_intro", y); ok && factor == 1 {
			for _, c := range codes[min(n, len(codes)):] {
				m.excl.intro[y][c] = true
			}
		}
		if n, ok := want("kommuner_norsk", y); ok && factor == 1 {
			for _, c := range codes[min(n, len(codes)):] {
				m.excl.norsk[y][c] = true
				m.excl.intro[y][c] = true
			}
		}
		m.offer.grunnskole[y] = map[string]bool{}
		m.offer.vgs[y] = map[string]bool{}
		ng, okg := want("kommuner_intro_grunnskole", y)
		nv, okv := want("kommuner_intro_vgs", y)
		if !okg || factor != 1 {
			ng = len(codes) * 6 / 10
		}
		if !okv || factor != 1 {
			nv = len(codes) * 4 / 10
		}
		for i, c := range codes {
			if m.excl.intro[y][c] {
				continue
			}
			if i < ng {
				m.offer.grunnskole[y][c] = true
			}
			if i < nv {
				m.offer.vgs[y][c] = true
			}
		}
	}
}

// allowed reports whether a person not from the settlement register may be
// placed in kommune k: never in a kommune excluded in some year.
func (m *nirModel) allowed(k string, at time.Time) bool {
	for y, set := range m.excl.intro {
		if set[m.yearCode(k, at, y)] {
			return false
		}
	}
	return true
}

// clip removes a training's hours in a year where its kommune is counted
// as having none.
func (m *nirModel) clip(t *nirTraining) {
	for y, set := range m.excl.norsk {
		if t.first.IsZero() || !set[m.yearCode(t.kommune, t.rp, y)] || t.first.Year() > y || t.last.Year() < y {
			continue
		}
		if t.first.Year() == y {
			t.first, t.last = time.Time{}, time.Time{}
		} else {
			t.last = date(y-1, 12, 1)
		}
	}
}

// excluded reports whether kommune k (valid on at) has no participants in
// some year by the choice of chooseKommuneSets.
func (m *nirModel) excluded(k string, at time.Time) bool {
	for y, set := range m.excl.intro {
		if !at.After(date(y, 12, 31)) && set[m.yearCode(k, at, y)] {
			return true
		}
	}
	return false
}

// poolSizes are the numbers of persons of each optional kind drawn per unit
// of factor; the fitter switches them on and off.
var poolSizes = [nKinds]int{kindRP: 26000, kindKT: 24000, kindTraining: 80000, kindPR: 10000, kindAsyl: 40000, kindKV: 8000}

// activeShare is the prior share of a pool that is active.
var activeShare = [nKinds]float64{kindSettled: 0.99, kindRP: 0.5, kindKT: 0.5, kindTraining: 0.5, kindPR: 0.5, kindAsyl: 0.5, kindKV: 0.5}

func (m *nirModel) drawPopulation(factor float64) {
	r := m.w.rng("nir", "population")
	for i, s := range m.settled {
		a := age(s.birth, s.bosatt)
		if a < 18 || a > 55 || s.skjult {
			continue
		}
		p := nirPerson{kind: kindSettled, settled: i, number: s.number, dnumber: s.dnumber,
			birth: s.birth, female: s.female, country: s.country, innv: "FLU", given: s.given, family: s.family}
		m.redraw(&p, r)
		m.persons = append(m.persons, p)
	}
	for k := kindRP; k < nKinds; k++ {
		n := int(math.Round(float64(poolSizes[k]) * factor))
		for j := 0; j < n; j++ {
			p := nirPerson{kind: k, settled: -1}
			m.redraw(&p, r)
			m.persons = append(m.persons, p)
		}
	}
}

// redraw draws person p's registrations anew from the prior of its kind,
// keeping what the person is (identity, settlement).
func (m *nirModel) redraw(p *nirPerson, r *rand.Rand) {
	p.spells = p.spells[:0]
	p.train = p.train[:0]
	p.timerLag = 3 + r.IntN(30)
	p.active = r.Float64() < activeShare[p.kind]
	switch p.kind {
	case kindSettled:
		s := m.settled[p.settled]
		rp := s.bosatt.AddDate(0, 0, r.IntN(10))
		k := m.w.codeOn(s.kommune, s.bosatt, rp)
		if r.Float64() < 0.12 || m.excluded(k, rp) {
			// No programme (young adults in upper secondary school, some who
			// go straight to work): Norwegian training only.
			m.drawTraining(p, r, k, "RP", rp)
			return
		}
		m.drawIntro(p, r, k, "RP", rp)
	case kindRP, kindKT:
		rett := map[int]string{kindRP: "RP", kindKT: "KT"}[p.kind]
		rp := arrival(r, p.kind)
		m.drawIntro(p, r, m.pick(r, rp), rett, rp)
	default:
		rett := map[int]string{kindTraining: "RP", kindAsyl: "ASYL", kindKV: "KV", kindPR: "P"}[p.kind]
		if p.kind == kindPR && r.IntN(2) == 0 {
			rett = "R"
		}
		rp := arrival(r, p.kind)
		m.drawTraining(p, r, m.pick(r, rp), rett, rp)
	}
}

// pick draws a kommune for a person outside the settlement register,
// weighted by size, among the kommuner valid on at (municipal changes take
// effect on 1 January, so one picker serves a year).
func (m *nirModel) pick(r *rand.Rand, at time.Time) string {
	y := at.Year()
	p, ok := m.pickers[y]
	if !ok {
		mid := date(y, 6, 30)
		p = m.w.picker(mid, 0.9, func(c string) bool { return m.allowed(c, mid) })
		m.pickers[y] = p
	}
	return p.pick(r)
}

// arrivalWeights spread the dates on which rights begin over the years,
// weighted towards the large arrivals of 2015–2017.
var arrivalWeights = map[int][]weighted{
	kindRP:       {{"2010", 5}, {"2011", 6}, {"2012", 7}, {"2013", 8}, {"2014", 9}, {"2015", 11}, {"2016", 14}, {"2017", 13}, {"2018", 2}},
	kindKT:       {{"2010", 6}, {"2011", 6}, {"2012", 7}, {"2013", 8}, {"2014", 9}, {"2015", 10}, {"2016", 11}, {"2017", 11}, {"2018", 2}},
	kindTraining: {{"2010", 4}, {"2011", 5}, {"2012", 6}, {"2013", 7}, {"2014", 9}, {"2015", 11}, {"2016", 15}, {"2017", 14}, {"2018", 2}},
	kindPR:       {{"2010", 4}, {"2011", 5}, {"2012", 6}, {"2013", 7}, {"2014", 9}, {"2015", 10}, {"2016", 12}, {"2017", 12}, {"2018", 2}},
	kindAsyl:     {{"2013", 4}, {"2014", 5}, {"2015", 12}, {"2016", 14}, {"2017", 4}, {"2018", 1}},
	kindKV:       {{"2016", 8}, {"2017", 10}, {"2018", 1}},
}

// arrival draws the date a right (or reception) began for a person of kind.
func arrival(r *rand.Rand, kind int) time.Time {
	y := 0
	fmt.Sscan(pickWeighted(r, arrivalWeights[kind]), &y)
	t := randDate(r, date(y, 1, 1), date(y, 12, 31))
	if kind == kindAsyl && y == 2015 && r.Float64() < 0.6 {
		t = randDate(r, date(2015, 9, 1), date(2015, 12, 31)) // the autumn 2015 arrivals
	}
	if t.After(horizon) {
		t = randDate(r, date(2018, 1, 1), horizon)
	}
	return t
}

// lag returns a registration lag in days: mostly within two weeks, some
// within two months (the late registrations of January and February).
func lag(r *rand.Rand) int {
	if r.Float64() < 0.12 {
		return 15 + r.IntN(45)
	}
	return r.IntN(15)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// drawIntro draws a programme spell (and, after a move, the next one) with
// the Norwegian training that goes with it.
func (m *nirModel) drawIntro(p *nirPerson, r *rand.Rand, k, rett string, rp time.Time) {
	vedtak := rp.AddDate(0, 0, r.IntN(40))
	if rett == "KT" {
		vedtak = rp
	}
	for spellNo := 0; ; spellNo++ {
		k = m.w.codeOn(k, rp, vedtak)
		s := nirSpell{kommune: k, rett: rett, vedtak: vedtak, spor: byte('1' + r.IntN(3))}
		if rett == "RP" {
			s.rp = rp
		}
		s.reg = vedtak.AddDate(0, 0, lag(r))
		var start time.Time
		switch {
		case spellNo > 0:
			start = vedtak.AddDate(0, 0, r.IntN(20))
		case r.Float64() < 0.04:
			// never starts
		default:
			d := int(r.ExpFloat64()*55) + r.IntN(10)
			start = vedtak.AddDate(0, 0, min(d, 400))
		}
		s.start = start
		if start.IsZero() {
			s.startKnown = s.reg
			p.spells = append(p.spells, s)
			m.drawTrainingFor(p, r, s, rp)
			return
		}
		s.startKnown = maxTime(s.reg, start.AddDate(0, 0, lag(r)))
		s.grunnskole = r.Float64() < 0.22
		s.vgs = !s.grunnskole && r.Float64() < 0.08
		x := r.Float64()
		var months int
		switch {
		case x < 0.27:
			s.avsl, months = "ARB", 6+r.IntN(20)
		case x < 0.37:
			s.avsl, months = "UTD", 8+r.IntN(18)
		case x < 0.41:
			s.avsl, months = "AOU", 10+r.IntN(15)
		case x < 0.72:
			s.avsl, months = "FUL", 22+r.IntN(4)
		case x < 0.92:
			s.avsl, months = "AVB", 1+r.IntN(18)
		default:
			s.avsl, months = "FLY", 3+r.IntN(15)
		}
		if spellNo > 0 && s.avsl == "FLY" {
			s.avsl = "FUL"
		}
		if (s.avsl == "FUL" || s.avsl == "ARB" || s.avsl == "UTD") && r.Float64() < 0.35 {
			s.utvidet = true
			months = 25 + r.IntN(11)
		}
		s.slutt = addMonths(start, months).AddDate(0, 0, r.IntN(28))
		s.endKnown = s.slutt.AddDate(0, 0, lag(r))
		p.spells = append(p.spells, s)
		m.drawTrainingFor(p, r, s, rp)
		if s.avsl == "AVB" && spellNo == 0 && r.Float64() < 0.85 {
			// Back in the programme after a break (illness, parental
			// leave): a new decision in the same kommune.
			vedtak = s.slutt.AddDate(0, 0, 30+r.IntN(240))
			if vedtak.After(horizon) {
				return
			}
			continue
		}
		if s.avsl != "FLY" {
			return
		}
		// A move: a new spell in another kommune from shortly after.
		vedtak = s.slutt.AddDate(0, 0, 1+r.IntN(25))
		if vedtak.After(horizon) {
			return
		}
		// Another kommune, one whose code also existed when the right
		// began, so the training row there can carry it.
		was := m.w.codeOn(k, s.vedtak, vedtak)
		for next := was; ; next = m.pick(r, vedtak) {
			if next != was && m.w.ref.ValidOn(next, refDay(rp)) {
				k = next
				break
			}
		}
	}
}

// drawTrainingFor adds the norskopplaering row that goes with a spell: an
// RP row in the same kommune (or P/R for some without a right) with hours
// from the start of the programme and for a while after it.
func (m *nirModel) drawTrainingFor(p *nirPerson, r *rand.Rand, s nirSpell, rp time.Time) {
	rett := "RP"
	if s.rett == "KT" {
		switch x := r.Float64(); {
		case x < 0.45:
			rett = "R"
		case x < 0.75:
			rett = "P"
		default:
			return
		}
		rp = s.vedtak
	}
	t := nirTraining{kommune: s.kommune, rett: rett, rp: rp, reg: s.reg}
	switch {
	case !s.start.IsZero():
		t.first = s.start
		if rp.Equal(s.rp) && !s.vedtak.After(rp.AddDate(0, 0, 60)) && r.Float64() < 0.3 {
			// training began before the programme (in the first kommune)
			if e := rp.AddDate(0, 0, r.IntN(60)); e.Before(s.start) {
				t.first = e
			}
		}
		end := s.slutt
		if r.Float64() < 0.4 {
			end = addMonths(end, 1+r.IntN(10))
		}
		t.last = monthStart(end)
	case r.Float64() < 0.5:
		t.first = rp.AddDate(0, 0, 20+r.IntN(200))
		t.last = monthStart(addMonths(t.first, 3+r.IntN(18)))
	}
	for i := range p.train {
		o := &p.train[i]
		if m.w.codeOn(o.kommune, o.rp, s.vedtak) == s.kommune && o.rett == t.rett {
			// One row per person, kommune and right: a second spell in the
			// same kommune continues the same training.
			if o.first.IsZero() || (!t.first.IsZero() && t.first.Before(o.first)) {
				o.first, o.firstKnown = t.first, maxTime(o.reg, t.first.AddDate(0, 0, lag(r)))
			}
			if t.last.After(o.last) {
				o.last = t.last
			}
			return
		}
	}
	if !m.w.ref.ValidOn(t.kommune, refDay(rp)) {
		// The kommune got a new code between the right and the decision:
		// the row carries the code of the right's date.
		if t.kommune = m.w.codeBefore(s.kommune, s.vedtak, rp); t.kommune == "" {
			return
		}
	}
	t.firstKnown = maxTime(t.reg, t.first.AddDate(0, 0, lag(r)))
	p.train = append(p.train, t)
}

// drawTraining draws a training-only person's row.
func (m *nirModel) drawTraining(p *nirPerson, r *rand.Rand, k, rett string, rp time.Time) {
	t := nirTraining{kommune: k, rett: rett, rp: rp, reg: rp.AddDate(0, 0, lag(r)+r.IntN(20))}
	var months int
	switch rett {
	case "ASYL":
		months = 2 + r.IntN(10)
	case "KV":
		months = 1 + r.IntN(2)
	default:
		months = 6 + r.IntN(30)
	}
	if r.Float64() < 0.93 {
		d := int(r.ExpFloat64() * 90)
		if rett == "KV" {
			d = int(r.ExpFloat64() * 200)
		}
		t.first = rp.AddDate(0, 0, min(d, 700))
		t.last = monthStart(addMonths(t.first, months))
		t.firstKnown = maxTime(t.reg, t.first.AddDate(0, 0, lag(r)))
	}
	m.clip(&t)
	p.train = append(p.train, t)
}

func monthStart(t time.Time) time.Time { return date(t.Year(), t.Month(), 1) }

func monthEnd(t time.Time) time.Time { return date(t.Year(), t.Month()+1, 0) }

// perturb changes one detail of p: a date moved by days, a registration
// later or earlier, an outcome, a flag, or (for persons outside the
// settlement register) whether the person is in the register at all. Small
// steps let the fit meet exact counts that a whole new draw would upset.
func (m *nirModel) perturb(p *nirPerson, r *rand.Rand) {
	p.spells = append([]nirSpell(nil), p.spells...)
	p.train = append([]nirTraining(nil), p.train...)
	jitter := func(t time.Time, lo time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		d := r.IntN(41) - 20
		if d == 0 {
			d = 1
		}
		n := t.AddDate(0, 0, d)
		if n.Before(lo) {
			return lo
		}
		return n
	}
	switch x := r.IntN(10); {
	case x == 0:
		// In or out of the register; for a settled refugee, out means
		// moved away or no decision yet (kept rare by a check).
		p.active = !p.active
	case x <= 5 && len(p.spells) > 0:
		s := &p.spells[r.IntN(len(p.spells))]
		switch r.IntN(6) {
		case 0:
			if !s.start.IsZero() {
				s.start = jitter(s.start, s.vedtak)
				if !s.slutt.IsZero() && !s.slutt.After(s.start) {
					s.slutt = s.start.AddDate(0, 1, 0)
				}
				s.startKnown = maxTime(s.reg, s.start.AddDate(0, 0, r.IntN(40)))
				s.endKnown = maxTime(s.endKnown, s.slutt)
			}
		case 1:
			if !s.slutt.IsZero() {
				s.slutt = jitter(s.slutt, s.start.AddDate(0, 0, 1))
				s.endKnown = s.slutt.AddDate(0, 0, r.IntN(40))
			}
		case 2:
			s.reg = jitter(s.reg, s.vedtak)
			s.startKnown = maxTime(s.startKnown, s.reg)
			s.endKnown = maxTime(s.endKnown, s.reg)
		case 3:
			if s.avsl != "FLY" && !s.slutt.IsZero() {
				s.avsl = []string{"ARB", "UTD", "AOU", "FUL", "AVB"}[r.IntN(5)]
			}
		case 4:
			s.utvidet = !s.utvidet
		case 5:
			if r.IntN(2) == 0 {
				s.grunnskole = !s.grunnskole
			} else {
				s.vgs = !s.vgs
			}
		}
	case len(p.train) > 0:
		t := &p.train[r.IntN(len(p.train))]
		switch r.IntN(3) {
		case 0:
			if !t.first.IsZero() {
				t.first = jitter(t.first, t.rp)
				t.firstKnown = maxTime(t.reg, t.first.AddDate(0, 0, r.IntN(40)))
				if t.last.Before(monthStart(t.first)) {
					t.last = monthStart(t.first)
				}
			}
		case 1:
			if !t.last.IsZero() {
				t.last = monthStart(addMonths(t.last, r.IntN(5)-2))
				if t.last.Before(monthStart(t.first)) {
					t.last = monthStart(t.first)
				}
			}
		case 2:
			p.timerLag = 3 + r.IntN(40)
		}
		m.clip(t)
	}
}
