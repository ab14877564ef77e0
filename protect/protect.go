// Package protect applies disclosure control to the figures published on the
// portal: primary suppression of small counts of persons and of shares over
// few persons below national level, then secondary suppression so that no
// suppressed figure can be recovered exactly from the published ones.
//
// The package works on plain values (no database) so that the mart builder can
// call it on each publication and tests can attack the result; see README.md
// for the rules and the attack.
package protect

import (
	"cmp"
	"slices"
)

// Levels of the regional hierarchy, as in the niva column of the marts.
const (
	Land    = "land"
	Fylke   = "fylke"
	Kommune = "kommune"
)

// Cell is one figure before protection.
type Cell struct {
	Indicator string // indicator id from indicators.md
	Year      int
	Level     string // Land, Fylke or Kommune
	Region    string // "0" for land, the fylke (2 digits) or kommune (4 digits) code
	Teller    int64  // the count, or the numerator of a share or mean
	Nevner    int64  // the denominator of a share or mean
	HasNevner bool   // the figure is a share or mean of Teller over Nevner
	// Person is true for counts, shares and means over persons; false for
	// administrative numbers and counts of kommuner or languages.
	Person bool
	// Additive is true when, for this indicator, kommuner sum to their fylke
	// and fylker sum to land.
	Additive bool
}

// Group declares that, at every year and region, the figure of indicator
// Total is the sum of the figures of the Parts indicators (for example
// bosatte_em = bosatte_em_over15 + bosatte_em_under15).
type Group struct {
	Total string
	Parts []string
}

// Options configures the primary suppression rules.
type Options struct {
	// Threshold suppresses counts of persons from 1 to Threshold below
	// national level; 0 means the default 4.
	Threshold int
	// MinDenominator suppresses shares and means over persons whose
	// denominator is below it, below national level; 0 means the default 10.
	MinDenominator int
}

func (o Options) withDefaults() Options {
	if o.Threshold == 0 {
		o.Threshold = 4
	}
	if o.MinDenominator == 0 {
		o.MinDenominator = 10
	}
	return o
}

// Primary reports whether c is suppressed by the primary rules alone: a count
// of persons from 1 to the threshold, or a share or mean over persons with a
// denominator under the minimum, below national level.
func Primary(c Cell, opt Options) bool {
	opt = opt.withDefaults()
	if c.Level == Land || !c.Person {
		return false
	}
	if c.HasNevner {
		return c.Nevner < int64(opt.MinDenominator)
	}
	return c.Teller >= 1 && c.Teller <= int64(opt.Threshold)
}

// Suppress returns, for each cell (same order), whether it is suppressed.
//
// Primary suppression is applied first (see Primary). Then, for every
// additive relation (the kommuner of a fylke and the fylke, the fylker and
// land, the parts of a Group and its total at one region), secondary
// suppression ensures that no relation has exactly one suppressed member: the
// complement is the smallest non-zero published part (ties broken by region
// code, then indicator), or failing that the total unless it is national, or
// failing that a published zero part. This is repeated to a fixed point across
// the hierarchy, and then the result is attacked with Audit; each cell the
// attack still recovers forces one more complement in one of its relations,
// until the attack recovers nothing. National figures are never suppressed.
func Suppress(cells []Cell, groups []Group, opt Options) []bool {
	sup := make([]bool, len(cells))
	for i, c := range cells {
		sup[i] = Primary(c, opt)
	}
	eqs := relations(cells, groups)
	byCell := make(map[int][]int)
	for e, eq := range eqs {
		for _, i := range eq.members() {
			byCell[i] = append(byCell[i], e)
		}
	}
	for {
		for changed := true; changed; {
			changed = false
			for _, eq := range eqs {
				if eq.suppressedCount(sup) == 1 {
					if j, ok := complement(cells, sup, []relation{eq}); ok {
						sup[j] = true
						changed = true
					}
				}
			}
		}
		found := derivable(cells, sup, eqs)
		slices.SortFunc(found, func(a, b derived) int { return compareCells(cells[a.cell], cells[b.cell]) })
		added := false
		for _, d := range found {
			rels := make([]relation, 0, len(byCell[d.cell]))
			for _, e := range byCell[d.cell] {
				rels = append(rels, eqs[e])
			}
			if j, ok := complement(cells, sup, rels); ok {
				sup[j] = true
				added = true
				break // re-run the group rule before attacking again
			}
		}
		if !added {
			return sup
		}
	}
}

// complement chooses the published cell to suppress so that the relations
// rels no longer give away their suppressed members: the smallest non-zero
// published part, else a published total below land, else a published zero
// part. It reports false if every member is suppressed or national.
func complement(cells []Cell, sup []bool, rels []relation) (int, bool) {
	var nonZero, totals, zeros []int
	for _, r := range rels {
		for _, p := range r.parts {
			if sup[p] || cells[p].Level == Land {
				continue
			}
			if size(cells[p]) == 0 {
				zeros = append(zeros, p)
			} else {
				nonZero = append(nonZero, p)
			}
		}
		if !sup[r.total] && cells[r.total].Level != Land {
			totals = append(totals, r.total)
		}
	}
	for _, cand := range [][]int{nonZero, totals, zeros} {
		if len(cand) > 0 {
			return slices.MinFunc(cand, func(a, b int) int { return order(cells[a], cells[b]) }), true
		}
	}
	return 0, false
}

// size is the number of persons a cell stands for: the denominator of a share
// or mean, else the count.
func size(c Cell) int64 {
	if c.HasNevner {
		return c.Nevner
	}
	return c.Teller
}

// order ranks candidate complements: smallest size, then region code, then
// indicator, so that the choice is deterministic.
func order(a, b Cell) int {
	return cmp.Or(cmp.Compare(size(a), size(b)), cmp.Compare(a.Region, b.Region), compareCells(a, b))
}
