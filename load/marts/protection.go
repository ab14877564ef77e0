package marts

import (
	"math"

	"integstat/load/protect"
)

// Figure is one computed value of an indicator at one region, year and
// data state, before protection.
type Figure struct {
	Indicator string
	Year      int
	Level     string
	Region    string
	Value     float64
	Teller    *int64 // NULL for a mean
	Nevner    *int64 // NULL for a count
	Protected bool   // suppressed in the published mart
	// HiddenBefore and ShownBefore: the figure's numbers are those of
	// another kept data state of its source (carryDecisions), which hid
	// them (protect.Cell.Hidden) or showed them (protect.Cell.Shown).
	HiddenBefore, ShownBefore bool
}

// daysPerMonth turns a mean waiting time in months back into the total of
// whole days it was computed from (months = days / 30.4375).
const daysPerMonth = 30.4375

// cell turns a figure into what package protect works on. A mean is
// protected through its total: the sum of the waiting days (mean × persons
// × 30.4375, a whole number) adds up over regions like a count, so a
// suppressed mean could be recovered from published means and persons of
// the other regions unless its total is protected too.
func cell(f Figure, ind Indicator) protect.Cell {
	c := protect.Cell{Indicator: f.Indicator, Year: f.Year, Level: f.Level, Region: f.Region,
		Person: ind.Person, Additive: ind.Additive}
	switch ind.Type {
	case Count:
		if f.Teller != nil {
			c.Teller = *f.Teller
		}
	case Share:
		c.HasNevner = true
		c.Teller, c.Nevner = deref(f.Teller), deref(f.Nevner)
	case Mean:
		c.HasNevner, c.Mean = true, true
		c.Nevner = deref(f.Nevner)
		c.Teller = int64(math.Round(f.Value * float64(c.Nevner) * daysPerMonth))
	}
	return c
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Protect decides, for the figures of one source and data state, which are
// suppressed in the published mart: per year, primary and secondary
// suppression by package protect over the regional hierarchy, the
// catalogue's category relations and the links between indicators
// (identities). It sets Protected and returns how many
// figures it suppressed.
func Protect(figs []Figure, cat []Indicator, opt protect.Options) int {
	byID := map[string]Indicator{}
	for _, c := range cat {
		byID[c.ID] = c
	}
	id := identities(cat)
	years := map[int][]int{}
	for i, f := range figs {
		years[f.Year] = append(years[f.Year], i)
	}
	n := 0
	for _, idx := range years {
		cells := make([]protect.Cell, len(idx))
		for j, i := range idx {
			cells[j] = cell(figs[i], byID[figs[i].Indicator])
			cells[j].Hidden, cells[j].Shown = figs[i].HiddenBefore, figs[i].ShownBefore
		}
		for j, s := range protect.SuppressWith(cells, id, opt) {
			figs[idx[j]].Protected = s
			if s {
				n++
			}
		}
	}
	return n
}

// Attack audits protected figures of one source and data state the way an
// adversary would: it returns the suppressed figures that leak
// (protect.AttackWith: derived exactly, or narrowed by integer reasoning
// below the required width) from the published ones (none, for a
// protected publication).
//
// National figures are published unsuppressed (indicators.md), so where
// every person of the nation is in one region (one interpreter in the whole
// country), the national figure is that region's, and no suppression below
// national level can hide it. Such figures, equal to the national figure
// (zeros are published, so the other regions show 0) or still leaking
// when every non-empty figure below national level is suppressed and the
// zeros are shown (k persons in the nation in k regions: each holds 1),
// are returned apart as unavoidable: they disclose nothing the national
// figure does not, given that zeros are published.
func Attack(figs []Figure, cat []Indicator, opt protect.Options) (derivable, unavoidable []Figure) {
	byID := map[string]Indicator{}
	for _, c := range cat {
		byID[c.ID] = c
	}
	id := identities(cat)
	rel := relatedIndicators(id)
	years := map[int][]int{}
	for i, f := range figs {
		years[f.Year] = append(years[f.Year], i)
	}
	for _, idx := range years {
		cells := make([]protect.Cell, len(idx))
		supp := make([]bool, len(idx))
		all := make([]bool, len(idx))
		pos := map[protect.Cell]int{}
		for j, i := range idx {
			cells[j] = cell(figs[i], byID[figs[i].Indicator])
			supp[j] = figs[i].Protected
			all[j] = figs[i].Protected || (figs[i].Level != protect.Land && !cells[j].Empty())
			pos[cells[j]] = i
		}
		type natKey struct {
			ind  string
			year int
		}
		nat := map[natKey]protect.Cell{}
		for _, c := range cells {
			if c.Level == protect.Land {
				nat[natKey{c.Indicator, c.Year}] = c
			}
		}
		var found []protect.Cell
		for _, l := range protect.AttackWith(cells, supp, id, opt) {
			c := l.Cell
			// A figure that holds every person of the nation is given
			// away by the national figure, the other regions showing 0.
			if n, ok := nat[natKey{c.Indicator, c.Year}]; ok && n.Teller == c.Teller && n.Nevner == c.Nevner {
				unavoidable = append(unavoidable, figs[pos[c]])
				continue
			}
			found = append(found, c)
		}
		if len(found) == 0 {
			continue
		}
		// Only the indicators with a derivable figure, and those they are
		// related to by a category relation, take part in the second attack.
		related := map[string]bool{}
		for _, c := range found {
			related[c.Indicator] = true
			for _, o := range rel[c.Indicator] {
				related[o] = true
			}
		}
		var sub []protect.Cell
		var subAll []bool
		for j, c := range cells {
			if related[c.Indicator] {
				sub = append(sub, c)
				subAll = append(subAll, all[j])
			}
		}
		inherent := map[protect.Cell]bool{}
		for _, l := range protect.AttackWith(sub, subAll, id, opt) {
			inherent[l.Cell] = true
		}
		for _, c := range found {
			if inherent[c] {
				unavoidable = append(unavoidable, figs[pos[c]])
			} else {
				derivable = append(derivable, figs[pos[c]])
			}
		}
	}
	return derivable, unavoidable
}
