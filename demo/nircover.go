package demo

import (
	"sort"
	"time"

	"integstat/extract/reference"
)

// The counts of kommuner (with participants, with school inside the
// programme, with Norwegian training) are not sums over persons, so the fit
// cannot meet them. chooseKommuneSets fixes which kommuner are to have
// none; coverage then makes sure every other kommune has at least one, by
// adding a person there where the fitted population left it empty.

// kommunerWith returns the kommuner (codes of year y) where the indicator
// has at least one person in y, as known at asOf.
func (m *nirModel) kommunerWith(ind string, y int, asOf time.Time) map[string]bool {
	out := map[string]bool{}
	for i := range m.persons {
		p := &m.persons[i]
		if !p.active {
			continue
		}
		for _, k := range m.kommunerOf(p, ind, y, asOf) {
			out[k] = true
		}
	}
	return out
}

// kommunerOf lists the kommuner where p counts for ind in year y.
func (m *nirModel) kommunerOf(p *nirPerson, ind string, y int, asOf time.Time) []string {
	var out []string
	f := m.flags(p, y, asOf)
	switch ind {
	case "kommuner_intro":
		for _, s := range p.spells {
			start, slutt, ok := s.knownAt(asOf)
			if !ok {
				continue
			}
			if !start.IsZero() && start.Year() <= y && (slutt.IsZero() || slutt.Year() >= y) {
				out = append(out, m.yearCode(s.kommune, s.vedtak, y))
			}
		}
	case "kommuner_intro_grunnskole", "kommuner_intro_vgs":
		for _, s := range p.spells {
			k := m.yearCode(s.kommune, s.vedtak, y)
			flag, offer := s.grunnskole, m.offer.grunnskole[y][k]
			if ind == "kommuner_intro_vgs" {
				flag, offer = s.vgs, m.offer.vgs[y][k]
			}
			if flag && offer && !s.start.IsZero() && m.rowIn(p, k, y, asOf) && hoursIn(s.start, monthStart(s.slutt), y, p.timerLag, asOf) {
				out = append(out, k)
			}
		}
	case "kommuner_norsk":
		if !f.norskAll {
			return nil
		}
		for _, s := range p.spells {
			k := m.yearCode(s.kommune, s.vedtak, y)
			if !s.start.IsZero() && m.rowIn(p, k, y, asOf) && hoursIn(s.start, monthStart(s.slutt), y, p.timerLag, asOf) {
				out = append(out, k)
			}
		}
		for _, t := range p.train {
			k := m.yearCode(t.kommune, t.rp, y)
			if t.rett != "KV" && m.rowIn(p, k, y, asOf) && hoursIn(t.first, t.last, y, p.timerLag, asOf) {
				out = append(out, k)
			}
		}
	}
	return out
}

// rowIn reports whether p has a programme or training row in kommune k
// (code of year y) registered by asOf: the condition for hours to count.
func (m *nirModel) rowIn(p *nirPerson, k string, y int, asOf time.Time) bool {
	for _, s := range p.spells {
		if !s.reg.After(asOf) && m.yearCode(s.kommune, s.vedtak, y) == k {
			return true
		}
	}
	for _, t := range p.train {
		if !t.reg.After(asOf) && m.yearCode(t.kommune, t.rp, y) == k {
			return true
		}
	}
	return false
}

// required returns the kommuner (codes of year y) that must have a person
// for ind: every kommune of the year but those chosen to have none.
func (m *nirModel) required(ind string, y int) []string {
	var out []string
	for _, k := range m.w.ref.KommunerOn(date(y, 6, 30)) {
		c := k.Code
		switch ind {
		case "kommuner_intro":
			if !m.excl.intro[y][c] {
				out = append(out, c)
			}
		case "kommuner_norsk":
			if !m.excl.norsk[y][c] {
				out = append(out, c)
			}
		case "kommuner_intro_grunnskole":
			if m.offer.grunnskole[y][c] {
				out = append(out, c)
			}
		case "kommuner_intro_vgs":
			if m.offer.vgs[y][c] {
				out = append(out, c)
			}
		}
	}
	return out
}

// cover adds a locked person in every kommune that must have one for a
// published count of kommuner but has none, and returns how many it added.
func (m *nirModel) cover(figs []reference.Figure) int {
	added := 0
	r := m.w.rng("nir", "cover", string(rune('a'+len(m.persons)%26)))
	for _, fg := range figs {
		switch fg.Indicator {
		case "kommuner_intro", "kommuner_norsk", "kommuner_intro_grunnskole", "kommuner_intro_vgs":
		default:
			continue
		}
		have := m.kommunerWith(fg.Indicator, fg.Year, fg.AsOf)
		var missing []string
		for _, k := range m.required(fg.Indicator, fg.Year) {
			if !have[k] {
				missing = append(missing, k)
			}
		}
		sort.Strings(missing)
		for _, k := range missing {
			y := fg.Year
			v := randDate(r, date(y, 2, 1), date(y, 4, 30))
			p := nirPerson{kind: kindKT, settled: -1, active: true, locked: true, timerLag: 3 + r.IntN(10)}
			if fg.Indicator == "kommuner_norsk" {
				p.kind = kindPR
				first := v.AddDate(0, 0, 10)
				p.train = append(p.train, nirTraining{kommune: k, rett: "R", rp: v, first: first,
					last: monthStart(addMonths(first, 6)), reg: v.AddDate(0, 0, 3), firstKnown: first.AddDate(0, 0, 5)})
			} else {
				start := v.AddDate(0, 0, 14)
				s := nirSpell{kommune: k, rett: "KT", vedtak: v, start: start, slutt: addMonths(start, 6),
					avsl: "AVB", spor: '1', reg: v.AddDate(0, 0, 2), startKnown: start.AddDate(0, 0, 5)}
				s.endKnown = s.slutt.AddDate(0, 0, 5)
				s.grunnskole = fg.Indicator == "kommuner_intro_grunnskole"
				s.vgs = fg.Indicator == "kommuner_intro_vgs"
				p.spells = append(p.spells, s)
			}
			m.persons = append(m.persons, p)
			added++
		}
	}
	return added
}
