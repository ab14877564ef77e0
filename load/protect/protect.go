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
	// Mean is true for a mean (HasNevner, Teller a total of days): its
	// teller is not bounded by its nevner as a share's is.
	Mean bool
	// Hidden and Shown carry the decision of an earlier published data
	// state for a cell whose numbers did not change since: Hidden cells
	// are suppressed again, Shown cells are never chosen as complements
	// (their numbers are known from that state, so hiding them would
	// protect nothing). A cell whose value did not change is thus shown
	// in both states or hidden in both.
	Hidden, Shown bool
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
	// MinWidth is the least width (hi − lo) of the range a reader may
	// narrow the teller of a cell suppressed by the primary rules down to,
	// from everything published; 0 means the default 3 (see
	// DefaultMinWidth), 1 only forbids exact recovery.
	MinWidth int
}

// DefaultMinWidth is the default of Options.MinWidth: a hidden count of
// 1 to 4 must stay anywhere in a range of at least four whole numbers
// (such as [1, 4]), so that a reader never learns more about it than the
// primary rule says (it is from 1 to the threshold), and never pins it to
// within ±1 (a range of width 2, [n−1, n+1], would).
const DefaultMinWidth = 3

func (o Options) withDefaults() Options {
	if o.Threshold == 0 {
		o.Threshold = 4
	}
	if o.MinDenominator == 0 {
		o.MinDenominator = 10
	}
	if o.MinWidth <= 0 {
		o.MinWidth = DefaultMinWidth
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

// SuppressWith returns, for each cell (same order), whether it is
// suppressed.
//
// Primary suppression is applied first (see Primary), with the cells
// marked Hidden. Then, for every relation (the kommuner of a fylke and the
// fylke, the fylker and land, the parts of a Group and its total, each Link
// at one region), secondary suppression ensures that no relation gives
// away a suppressed teller by itself: the complement is the cheapest
// published member (see complement). This is repeated to a fixed point
// across the hierarchy, and then the result is attacked with AttackWith
// (exact elimination and integer reasoning, opt.MinWidth); each cell that
// leaks forces one more complement in its relations (or, when they have
// none to give, in those of the suppressed cells linked to it), one per
// relation and round, until nothing leaks. A cell that holds every person
// of the nation (its figure is the national one), or that leaks even when
// every non-empty cell below land is hidden, is not pursued when its range
// is already as wide as it can be: the national figure, never suppressed,
// gives it away whatever is hidden (an inherent leak, see inherence; the
// attack marks it Leak.Inherent). An empty cell (a count of 0, a share or mean over 0) needs no
// protection. A cell marked Shown comes after the others of its kind as a
// complement, and a Shown zero never is one (see complement).
func SuppressWith(cells []Cell, id Identities, opt Options) []bool {
	sup := make([]bool, len(cells))
	for i, c := range cells {
		sup[i] = Primary(c, opt) || c.Hidden
	}
	eqs := relations(cells, id)
	byCell := make(map[int][]int)
	for e, eq := range eqs {
		for _, i := range eq.members() {
			byCell[i] = append(byCell[i], e)
		}
	}
	cache := map[string][]derived{}
	inherent := newInherence(cells, eqs, opt)
	for {
		for changed := true; changed; {
			changed = false
			for _, eq := range eqs {
				if eq.exposes(cells, sup) {
					if j, ok := complement(cells, sup, []relation{eq}, 1); ok {
						sup[j] = true
						changed = true
					}
				} else if eq.tight(cells, sup) {
					if j, ok := atLeastTwo(cells, sup, eq); ok {
						sup[j] = true
						changed = true
					}
				}
			}
		}
		found := derivable(cells, sup, eqs, cache, opt)
		slices.SortFunc(found, func(a, b derived) int { return compareCells(cells[a.cell], cells[b.cell]) })
		// One complement per recovered cell, skipping cells whose
		// relations were already given a complement in this round: the
		// attack is repeated after the round.
		touched := map[int]bool{}
		added := false
	next:
		for _, d := range found {
			if inherent.of(d) {
				continue
			}
			for _, e := range byCell[d.cell] {
				if touched[e] {
					continue next
				}
			}
			if j, ok := widening(cells, sup, eqs, byCell, d.cell, d.need(cells, opt)); ok {
				sup[j] = true
				added = true
				for _, e := range byCell[j] {
					touched[e] = true
				}
				for _, e := range byCell[d.cell] {
					touched[e] = true
				}
			}
		}
		if !added {
			return sup
		}
	}
}

// inherence is the one rule for which leaks are inherent: a leak of a
// cell that holds every person of the nation (see national), or that is
// no narrower than the cell's leak when every non-empty cell below
// national level is hidden (see inherentLeaks). No suppression that keeps
// zeros published can close such a leak, so SuppressWith does not pursue
// it and AttackWith marks it Leak.Inherent, which callers report as
// unavoidable. Both ask of, so that the suppression and the attack agree
// on every leak.
type inherence struct {
	cells []Cell
	eqs   []relation
	opt   Options
	nat   map[natKey]int
	given map[int]int64 // inherentLeaks, computed when first needed
}

func newInherence(cells []Cell, eqs []relation, opt Options) *inherence {
	return &inherence{cells: cells, eqs: eqs, opt: opt, nat: nationals(cells)}
}

// of reports whether the leak d is inherent. The attack with everything
// non-empty below land hidden runs once, on the first leak of a cell that
// is not national.
func (h *inherence) of(d derived) bool {
	if national(h.cells, h.nat, d.cell) {
		return true
	}
	if h.given == nil {
		h.given = inherentLeaks(h.cells, h.eqs, h.opt)
	}
	w, ok := h.given[d.cell]
	return ok && d.width() >= w
}

// inherentLeaks returns the cells, with the width of their range, that
// leak even when every non-empty cell below national level is suppressed
// and only the zeros and the national figures are published: the national
// figures narrow them whatever is hidden, zeros being published (k persons
// in the nation and k non-empty kommuner: each holds 1; or 3 persons in two
// kommuner: each holds 1 or 2). Hiding zeros would only mislead a reader
// who trusts that zeros are shown (and hide nothing where another state
// shows them), so a leak that is no narrower than here, exact or not, is
// inherent (see inherence).
func inherentLeaks(cells []Cell, eqs []relation, opt Options) map[int]int64 {
	all := make([]bool, len(cells))
	for i, c := range cells {
		all[i] = c.Level != Land && !empty(c)
	}
	out := map[int]int64{}
	for _, d := range derivable(cells, all, eqs, nil, opt) {
		out[d.cell] = d.width()
	}
	return out
}

// width is how wide the range of a leak's teller is: 0 when exact.
func (d derived) width() int64 {
	if d.teller != nil || !d.narrow {
		return 0
	}
	return d.hi - d.lo
}

type natKey struct {
	indicator string
	year      int
}

// nationals indexes the national cells by indicator and year.
func nationals(cells []Cell) map[natKey]int {
	out := map[natKey]int{}
	for i, c := range cells {
		if c.Level == Land {
			out[natKey{c.Indicator, c.Year}] = i
		}
	}
	return out
}

// national reports whether cells[i], below national level, holds every
// person of the nation: its teller and nevner are the national ones. Zeros
// are published, so the other regions show 0 and the national figure,
// never suppressed, gives the cell away whatever else is hidden; hiding more
// would not help, and SuppressWith does not try (an inherent leak, see
// inherence).
func national(cells []Cell, nat map[natKey]int, i int) bool {
	c := cells[i]
	j, ok := nat[natKey{c.Indicator, c.Year}]
	return ok && c.Level != Land && cells[j].Teller == c.Teller && cells[j].Nevner == c.Nevner
}

// widening chooses a complement for the recovered cell c among its own
// relations, or, when all their members are suppressed or national,
// among the relations of the suppressed cells linked to it, widening step by
// step: a published zero two relations away can be what gives c away
// (t_c/03 = land − t_c/11, with t_c/11 = 0 from its kommuner).
func widening(cells []Cell, sup []bool, eqs []relation, byCell map[int][]int, c int, need int64) (int, bool) {
	seenCell := map[int]bool{c: true}
	seenRel := map[int]bool{}
	layer := []int{c}
	for len(layer) > 0 {
		var rels []relation
		var next []int
		for _, m := range layer {
			for _, e := range byCell[m] {
				if seenRel[e] {
					continue
				}
				seenRel[e] = true
				rels = append(rels, eqs[e])
				for _, o := range eqs[e].members() {
					if sup[o] && !seenCell[o] {
						seenCell[o] = true
						next = append(next, o)
					}
				}
			}
		}
		if j, ok := complement(cells, sup, rels, need); ok {
			return j, true
		}
		slices.SortFunc(next, func(a, b int) int { return compareCells(cells[a], cells[b]) })
		layer = next
	}
	return 0, false
}

// atLeastTwo chooses the complement for a tight relation: its smallest
// published member below land whose teller is at least 2 (a hidden 1 would
// leave the relation tight), one an earlier state showed (Shown) only if
// there is no other, as in complement.
func atLeastTwo(cells []Cell, sup []bool, r relation) (int, bool) {
	var cand [2][]int // by shownRank
	for _, m := range r.members() {
		if !sup[m] && cells[m].Level != Land && cells[m].Teller >= 2 {
			cand[shownRank(cells[m])] = append(cand[shownRank(cells[m])], m)
		}
	}
	for _, c := range cand {
		if len(c) > 0 {
			return slices.MinFunc(c, func(a, b int) int { return order(cells[a], cells[b]) }), true
		}
	}
	return 0, false
}

// shownRank puts a cell an earlier state showed (Shown) after the others
// among candidate complements: 0 for the others, 1 for a Shown cell.
func shownRank(c Cell) int {
	if c.Shown {
		return 1
	}
	return 0
}

// complement chooses the published cell to suppress so that the relations
// rels no longer give away their suppressed members: the smallest non-zero
// published part of size at least need (a hidden part of size v lets a
// hidden member it is related to range over v values, the reader taking
// each hidden count to be at least 1), else the smallest non-zero published
// part, else a published total below land, else a published zero part. In
// each of these a cell an earlier state showed unchanged (Shown) comes
// after the others: hiding it protects in this state, but a reader who
// takes it to be unchanged reads it off the earlier one, so the caller
// reports each. A Shown zero is never taken: hiding a zero a reader has
// seen hides nothing, and what only it could protect the zeros and the
// national figures give away. It reports false if every member is
// suppressed, national or a Shown zero.
func complement(cells []Cell, sup []bool, rels []relation, need int64) (int, bool) {
	var large, nonZero, totals [2][]int // by shownRank
	var zero []int                      // Shown zeros are never taken
	shown := func(i int) int { return shownRank(cells[i]) }
	for _, r := range rels {
		for _, p := range r.parts {
			if sup[p] || cells[p].Level == Land {
				continue
			}
			switch v := size(cells[p]); {
			case v == 0:
				if !cells[p].Shown {
					zero = append(zero, p)
				}
			case v >= need:
				large[shown(p)] = append(large[shown(p)], p)
			default:
				nonZero[shown(p)] = append(nonZero[shown(p)], p)
			}
		}
		if t := cells[r.total]; !sup[r.total] && t.Level != Land && !(t.Shown && size(t) == 0) {
			totals[shown(r.total)] = append(totals[shown(r.total)], r.total)
		}
	}
	for _, cand := range [][]int{large[0], large[1], nonZero[0], nonZero[1], totals[0], totals[1], zero} {
		if len(cand) > 0 {
			return slices.MinFunc(cand, func(a, b int) int { return order(cells[a], cells[b]) }), true
		}
	}
	return 0, false
}

// need is the size a complement for the leak d should have: enough to
// widen the range of its teller to the required width, at least 2 (a
// hidden 1 beside a count known to be at least 1 widens nothing).
func (d derived) need(cells []Cell, opt Options) int64 {
	return max(required(cells[d.cell], opt)-d.width()+1, 2)
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
