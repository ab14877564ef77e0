package marts

import (
	"iter"
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

// yearCells gives, per year, the indexes of figs of that year and their
// cells in the same order: protection and the attack work one year at a
// time, a year's figures being one table.
func yearCells(figs []Figure, cat []Indicator) iter.Seq2[[]int, []protect.Cell] {
	byID := map[string]Indicator{}
	for _, c := range cat {
		byID[c.ID] = c
	}
	years := map[int][]int{}
	for i, f := range figs {
		years[f.Year] = append(years[f.Year], i)
	}
	return func(yield func([]int, []protect.Cell) bool) {
		for _, idx := range years {
			cells := make([]protect.Cell, len(idx))
			for j, i := range idx {
				cells[j] = cell(figs[i], byID[figs[i].Indicator])
			}
			if !yield(idx, cells) {
				return
			}
		}
	}
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
	id := identities(cat)
	n := 0
	for idx, cells := range yearCells(figs, cat) {
		for j, i := range idx {
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
// national level can hide it; likewise k persons in the nation in k
// regions, each of which then holds 1, zeros being published. The leaks
// protect marks inherent (protect.Leak.Inherent: the figure equals the
// national one, or leaks no less when every non-empty figure below
// national level is suppressed and the zeros are shown; the suppression
// leaves them open by the same rule) are returned apart as unavoidable:
// they disclose nothing the national figures do not, given that zeros are
// published.
func Attack(figs []Figure, cat []Indicator, opt protect.Options) (derivable, unavoidable []Figure) {
	id := identities(cat)
	for idx, cells := range yearCells(figs, cat) {
		supp := make([]bool, len(idx))
		pos := map[protect.Cell]int{}
		for j, i := range idx {
			supp[j] = figs[i].Protected
			pos[cells[j]] = i
		}
		for _, l := range protect.AttackWith(cells, supp, id, opt) {
			if l.Inherent {
				unavoidable = append(unavoidable, figs[pos[l.Cell]])
			} else {
				derivable = append(derivable, figs[pos[l.Cell]])
			}
		}
	}
	return derivable, unavoidable
}
