package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"integstat/extract/reference"
)

// nirFlags is what one person contributes to the national NIR indicators
// of year y, from the data known at the end of day asOf. It follows
// indicators.md line by line; the generator's own copy, checked against the
// independent SQL of the calibration package.
type nirFlags struct {
	rettPlikt, deltakere, d3112, avsluttet, direkte, pabegynt bool
	start3Den, start3Num, utvidet, grunnskole, vgs            bool
	norskRP, norskAll, norskAsyl, kvMaal, kvStart             bool
	nkDen, nk3, nk6                                           bool
	exclIntro, exclNorsk                                      bool
}

var completed = map[string]bool{"ARB": true, "UTD": true, "AOU": true, "FUL": true}
var direct = map[string]bool{"ARB": true, "UTD": true, "AOU": true}

// known returns t if it is set and became known by asOf.
func known(t, knownAt, asOf time.Time) time.Time {
	if t.IsZero() || knownAt.After(asOf) {
		return time.Time{}
	}
	return t
}

// knownAt is the spell as NIR shows it on day asOf: whether it is
// registered by then, and its start and end as known then (zero if not).
func (s *nirSpell) knownAt(asOf time.Time) (start, slutt time.Time, ok bool) {
	if s.reg.After(asOf) {
		return time.Time{}, time.Time{}, false
	}
	return known(s.start, s.startKnown, asOf), known(s.slutt, s.endKnown, asOf), true
}

// hoursIn reports whether a person with timer lag lagDays has hours in
// year y in the months from first to last (inclusive, first days) that are
// registered by asOf.
func hoursIn(first, last time.Time, y int, lagDays int, asOf time.Time) bool {
	if first.IsZero() || last.IsZero() {
		return false
	}
	lo := monthStart(first)
	if lo.Year() < y {
		lo = date(y, 1, 1)
	}
	hi := last
	if hi.After(horizon) {
		hi = monthStart(horizon)
	}
	if hi.Year() > y {
		hi = date(y, 12, 1)
	}
	if hi.Before(lo) {
		return false
	}
	// The earliest month's hours are registered first.
	return !monthEnd(lo).AddDate(0, 0, lagDays).After(asOf)
}

func (m *nirModel) flags(p *nirPerson, y int, asOf time.Time) nirFlags {
	return m.flagsAt(p, y, datesOf(y), asOf)
}

func (m *nirModel) flagsAt(p *nirPerson, y int, yd yearDates, asOf time.Time) nirFlags {
	var f nirFlags
	if !p.active {
		return f
	}
	y0, y1 := yd.y0, yd.y1
	var earliestStart, earliestRP time.Time
	var lastEnd time.Time
	var lastEndAvsl string
	for i := range p.spells {
		s := &p.spells[i]
		start, slutt, ok := s.knownAt(asOf)
		if !ok {
			continue
		}
		if s.rett == "RP" {
			end := slutt
			switch {
			case !slutt.IsZero():
			case !start.IsZero():
				end = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
			default:
				end = s.rp.AddDate(2, 0, 0)
			}
			if !s.rp.After(y1) && !end.Before(y0) {
				f.rettPlikt = true
			}
			if earliestRP.IsZero() || s.rp.Before(earliestRP) {
				earliestRP = s.rp
			}
		}
		if !start.IsZero() {
			if earliestStart.IsZero() || start.Before(earliestStart) {
				earliestStart = start
			}
			if !start.After(y1) && (slutt.IsZero() || !slutt.Before(y0)) {
				f.deltakere = true
				if s.utvidet {
					f.utvidet = true
				}
				if m.excl.intro[y][m.yearCode(s.kommune, s.vedtak, y)] {
					f.exclIntro = true
				}
			}
			if !start.After(y1) && (slutt.IsZero() || !slutt.Before(y1)) {
				f.d3112 = true
			}
		}
		if !slutt.IsZero() && slutt.Year() == y && completed[s.avsl] {
			f.avsluttet = true
			if slutt.After(lastEnd) {
				lastEnd, lastEndAvsl = slutt, s.avsl
			}
		}
	}
	f.direkte = f.avsluttet && direct[lastEndAvsl]
	f.pabegynt = !earliestStart.IsZero() && earliestStart.Year() == y
	if !earliestRP.IsZero() && !earliestRP.Before(yd.cohortLo) && !earliestRP.After(yd.cohortHi) {
		f.start3Den = true
		f.start3Num = !earliestStart.IsZero() && !earliestStart.After(addMonths(earliestRP, 3))
	}
	// Hours count where the person has a registered programme or training
	// row in the same kommune; a person counts in the training indicators
	// with a row of the right kind anywhere and such hours in Y.
	var rows [4]string
	nrows := 0
	addRow := func(k string) {
		for _, r := range rows[:nrows] {
			if r == k {
				return
			}
		}
		if nrows < len(rows) {
			rows[nrows] = k
			nrows++
		}
	}
	counts := func(k string) bool {
		for _, r := range rows[:nrows] {
			if r == k {
				return true
			}
		}
		return false
	}
	for i := range p.spells {
		if s := &p.spells[i]; !s.reg.After(asOf) {
			addRow(m.yearCode(s.kommune, s.vedtak, y))
		}
	}
	var rpRow, prpRow, asylRow bool
	var cohort *nirTraining
	for i := range p.train {
		t := &p.train[i]
		if t.reg.After(asOf) {
			continue
		}
		addRow(m.yearCode(t.kommune, t.rp, y))
		switch t.rett {
		case "RP", "P", "R":
			prpRow = true
			if t.rett == "RP" {
				rpRow = true
				if cohort == nil || t.rp.Before(cohort.rp) {
					cohort = t
				}
			}

		case "ASYL":
			asylRow = true
		case "KV":
			if t.rp.Year() == y {
				f.kvMaal = true
				if first := known(t.first, t.firstKnown, asOf); !first.IsZero() && first.Year() == y {
					f.kvStart = true
				}
			}
		}
	}
	var norskHours bool
	for i := range p.spells {
		s := &p.spells[i]
		if s.start.IsZero() {
			continue
		}
		k := m.yearCode(s.kommune, s.vedtak, y)
		if !counts(k) || !hoursIn(s.start, monthStart(s.slutt), y, p.timerLag, asOf) {
			continue
		}
		norskHours = true
		if prpRow && m.excl.norsk[y][k] {
			f.exclNorsk = true
		}
		if s.grunnskole && m.offer.grunnskole[y][k] {
			f.grunnskole = true
		}
		if s.vgs && m.offer.vgs[y][k] {
			f.vgs = true
		}
	}
	for i := range p.train {
		t := &p.train[i]
		if t.rett == "KV" {
			continue
		}
		k := m.yearCode(t.kommune, t.rp, y)
		if counts(k) && hoursIn(t.first, t.last, y, p.timerLag, asOf) {
			norskHours = true
			if prpRow && m.excl.norsk[y][k] {
				f.exclNorsk = true
			}
		}
	}
	f.norskRP = rpRow && norskHours
	f.norskAll = prpRow && norskHours
	f.norskAsyl = asylRow && norskHours
	if !f.deltakere {
		f.grunnskole, f.vgs = false, false
	}
	if cohort != nil && cohort.rp.Year() == y {
		// Rows that share the earliest date all count: one with a first
		// hour in time is enough.
		f.nkDen = true
		for i := range p.train {
			t := &p.train[i]
			if t.rett != "RP" || !t.rp.Equal(cohort.rp) || t.reg.After(asOf) {
				continue
			}
			if first := known(t.first, t.firstKnown, asOf); !first.IsZero() {
				f.nk3 = f.nk3 || !first.After(addMonths(t.rp, 3))
				f.nk6 = f.nk6 || !first.After(addMonths(t.rp, 6))
			}
		}
	}
	return f
}

// nirStat is one calibrated quantity: a sum over persons of num (and den
// for shares) at one year and data state.
type nirStat struct {
	year     int
	asOf     time.Time
	num, den func(*nirFlags) bool
	numDim   int
	denDim   int
}

// nirIndicators maps indicator ids to their numerator and denominator.
var nirIndicators = map[string][2]func(*nirFlags) bool{
	"intro_rett_plikt":                     {func(f *nirFlags) bool { return f.rettPlikt }},
	"intro_deltakere_3112":                 {func(f *nirFlags) bool { return f.d3112 }},
	"intro_deltakere":                      {func(f *nirFlags) bool { return f.deltakere }},
	"intro_avsluttet":                      {func(f *nirFlags) bool { return f.avsluttet }},
	"intro_pabegynt":                       {func(f *nirFlags) bool { return f.pabegynt }},
	"andel_intro_direkte_arbeid_utdanning": {func(f *nirFlags) bool { return f.direkte }, func(f *nirFlags) bool { return f.avsluttet }},
	"andel_intro_start_3mnd":               {func(f *nirFlags) bool { return f.start3Num }, func(f *nirFlags) bool { return f.start3Den }},
	"andel_intro_utvidet":                  {func(f *nirFlags) bool { return f.utvidet }, func(f *nirFlags) bool { return f.deltakere }},
	"andel_intro_grunnskole":               {func(f *nirFlags) bool { return f.grunnskole }, func(f *nirFlags) bool { return f.deltakere }},
	"andel_intro_vgs":                      {func(f *nirFlags) bool { return f.vgs }, func(f *nirFlags) bool { return f.deltakere }},
	"norsk_deltakere_rp":                   {func(f *nirFlags) bool { return f.norskRP }},
	"norsk_deltakere":                      {func(f *nirFlags) bool { return f.norskAll }},
	"andel_norsk_start_3mnd":               {func(f *nirFlags) bool { return f.nk3 }, func(f *nirFlags) bool { return f.nkDen }},
	"andel_norsk_start_6mnd":               {func(f *nirFlags) bool { return f.nk6 }, func(f *nirFlags) bool { return f.nkDen }},
	"norsk_rp_kohort":                      {func(f *nirFlags) bool { return f.nkDen }},
	"norsk_asyl_deltakere":                 {func(f *nirFlags) bool { return f.norskAsyl }},
	"kv_maalgruppe":                        {func(f *nirFlags) bool { return f.kvMaal }},
	"kv_startet":                           {func(f *nirFlags) bool { return f.kvStart }},
	"excl_intro":                           {func(f *nirFlags) bool { return f.exclIntro }},
	"excl_norsk":                           {func(f *nirFlags) bool { return f.exclNorsk }},
}

// nirPlan is the set of quantities the fit tracks, grouped by (year, state)
// so that each person's flags are computed once per group.
type nirPlan struct {
	groups []nirGroup
	dim    int
}

type nirGroup struct {
	year  int
	asOf  time.Time
	dates yearDates
	stats []nirStat
}

// yearDates are the dates flags needs for year y, computed once.
type yearDates struct {
	y0, y1, cohortLo, cohortHi time.Time
}

func datesOf(y int) yearDates {
	return yearDates{date(y, 1, 1), date(y, 12, 31), date(y-1, 10, 1), date(y, 9, 30)}
}

func (pl *nirPlan) stat(y int, asOf time.Time, ind string) *nirStat {
	fn, ok := nirIndicators[ind]
	if !ok {
		return nil
	}
	var g *nirGroup
	for i := range pl.groups {
		if pl.groups[i].year == y && pl.groups[i].asOf.Equal(asOf) {
			g = &pl.groups[i]
		}
	}
	if g == nil {
		pl.groups = append(pl.groups, nirGroup{year: y, asOf: asOf, dates: datesOf(y)})
		g = &pl.groups[len(pl.groups)-1]
	}
	s := nirStat{year: y, asOf: asOf, num: fn[0], den: fn[1], numDim: pl.dim, denDim: -1}
	pl.dim++
	if s.den != nil {
		s.denDim = pl.dim
		pl.dim++
	}
	g.stats = append(g.stats, s)
	return &g.stats[len(g.stats)-1]
}

// contrib returns the sums person p adds to, one bit per dimension of the
// plan (every NIR quantity is a count of persons).
func (m *nirModel) contrib(p *nirPerson, pl *nirPlan) uint64 {
	if !p.active {
		if p.kind == kindSettled {
			return 1 << m.absentDim
		}
		return 0
	}
	var out uint64
	for gi := range pl.groups {
		g := &pl.groups[gi]
		f := m.flagsAt(p, g.year, g.dates, g.asOf)
		for _, s := range g.stats {
			if s.num(&f) {
				out |= 1 << s.numDim
			}
			if s.den != nil && s.den(&f) {
				out |= 1 << s.denDim
			}
		}
	}
	return out
}

func unpack(mask uint64, out []float64) {
	for i := range out {
		out[i] = float64(mask >> i & 1)
	}
}

// fit calibrates the population to every published NIR figure.
// With anneal false it only descends, for refits from a fitted state.
func (m *nirModel) fit(figs []reference.Figure, factor float64, anneal bool) error {
	pl := &nirPlan{}
	var pending []func(f *fitter)
	for _, fg := range figs {
		if _, ok := nirIndicators[fg.Indicator]; !ok || fg.AsOf.IsZero() {
			continue
		}
		fg := fg
		s := pl.stat(fg.Year, fg.AsOf, fg.Indicator)
		name := fmt.Sprintf("%s %d per %s", fg.Indicator, fg.Year, fg.AsOf.Format("2006-01-02"))
		switch fg.Kind {
		case reference.KindCount:
			n := math.Round(fg.Value * factor)
			pending = append(pending, func(f *fitter) { f.addCount(name, s.numDim, n) })
		case reference.KindApprox:
			pending = append(pending, func(f *fitter) { f.addApprox(name, s.numDim, fg.Value*factor, 0.02) })
		case reference.KindPercent:
			pending = append(pending, func(f *fitter) { f.addPercent(name, s.numDim, s.denDim, fg.Value) })
		}
	}
	// No participants in the kommuner left out of the published counts.
	for _, y := range []int{2016, 2017} {
		asOf := date(y+1, 2, 28)
		if y == 2017 {
			asOf = date(2017, 12, 31)
		}
		for _, ind := range []string{"excl_intro", "excl_norsk"} {
			s := pl.stat(y, asOf, ind)
			name := fmt.Sprintf("%s %d", ind, y)
			pending = append(pending, func(f *fitter) { f.addCount(name, s.numDim, 0) })
		}
	}
	// Few settled refugees missing from NIR: at most 4 %.
	absent := pl.dim
	pl.dim++
	nSettled := 0
	for i := range m.persons {
		if m.persons[i].kind == kindSettled {
			nSettled++
		}
	}
	pending = append(pending, func(f *fitter) {
		f.addRange("settled refugees not in NIR", absent, 0, 0.04*float64(nSettled))
	})
	m.absentDim = absent
	f := newFitter(pl.dim)
	if anneal {
		f.temp = 1
	}
	for _, add := range pending {
		add(f)
	}
	if pl.dim > 64 {
		return fmt.Errorf("%d calibration sums do not fit a 64-bit mask", pl.dim)
	}
	c := make([]float64, pl.dim)
	masks := make([]uint64, len(m.persons))
	for i := range m.persons {
		masks[i] = m.contrib(&m.persons[i], pl)
		unpack(masks[i], c)
		f.include(c)
	}
	r := m.w.rng("nir", "fit")
	old, nw := make([]float64, pl.dim), make([]float64, pl.dim)
	start := time.Now()
	// At scale 1 the figures must be met exactly; other scales are
	// benchmarks and get a shorter search that comes close.
	budget := 30_000_000
	if factor != 1 {
		budget = 3_000_000
	}
	steps := f.run(r, len(m.persons), budget, func(i int, r *rand.Rand) ([]float64, []float64, func()) {
		p := &m.persons[i]
		if p.locked {
			return nil, nil, nil
		}
		cand := *p
		if r.IntN(3) == 0 {
			cand.spells, cand.train = nil, nil
			m.redraw(&cand, r)
		} else {
			m.perturb(&cand, r)
		}
		mask := m.contrib(&cand, pl)
		unpack(masks[i], old)
		unpack(mask, nw)
		return old, nw, func() { *p = cand; masks[i] = mask }
	})
	m.log.Info("nir calibrated", "persons", len(m.persons), "steps", steps, "seconds", time.Since(start).Seconds(), "loss", f.loss())
	if f.loss() > 0 {
		if factor != 1 {
			m.log.Warn("nir figures approximate at this scale", "not met", f.failing())
			return nil
		}
		return fmt.Errorf("calibration did not converge after %d steps; not met: %v", steps, f.failing())
	}
	return nil
}
