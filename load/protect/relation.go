package protect

import (
	"cmp"
	"slices"
)

// Part names one number of a cell: its Teller (the count, a share's
// numerator or a mean's total) or its Nevner (a share's or mean's
// denominator).
type Part uint8

// The numbers of a cell.
const (
	Teller Part = iota
	Nevner
)

// Term is one number of an indicator, at the year and region of a relation.
type Term struct {
	Indicator string
	Part      Part
}

// Link declares an identity between numbers of different indicators that
// holds by definition at every year and region: the number Total equals the
// sum of the numbers Parts. A share's nevner that is the count of another
// indicator is a Link with one part (andel_bosatt_12mnd's nevner = bosatte);
// a complement is a Link with two (bosatte = andel_bosatt_12mnd's teller +
// bosatt_etter_12mnd). BelowLand restricts it to fylker and kommuner (for
// sums that persons with protected identity break at national level). A
// Link is made only where every one of its cells exists.
type Link struct {
	Total     Term
	Parts     []Term
	BelowLand bool
}

// Identities are the relations between indicators that protection and
// attack know besides the regional hierarchy of additive indicators.
type Identities struct {
	Groups []Group
	Links  []Link
}

// num is one number of the model: part p of cells[cell].
type num struct {
	cell int
	part Part
}

// relation is one published additive equation: the figure of cells[total]
// equals the sum of the figures of cells[parts]. When nums is nil it holds
// for the teller and, for shares and means, the nevner alike (hierarchy and
// groups); otherwise it holds between the numbers nums[0] = Σ nums[1:] only
// (a Link).
type relation struct {
	total int
	parts []int
	nums  []num
}

func (r relation) members() []int {
	return append([]int{r.total}, r.parts...)
}

func (r relation) suppressedCount(sup []bool) int {
	n := 0
	for _, i := range r.members() {
		if sup[i] {
			n++
		}
	}
	return n
}

// exposes reports whether r alone gives away a suppressed teller: exactly
// one of its members is suppressed, it is not empty and, for a link, its
// number in r is the teller (a nevner that equals a published count is published by that
// count, and is not what the suppression hides).
func (r relation) exposes(cells []Cell, sup []bool) bool {
	if r.suppressedCount(sup) != 1 {
		return false
	}
	for _, m := range r.members() {
		if sup[m] && empty(cells[m]) {
			return false
		}
	}
	if r.nums == nil {
		return true
	}
	for _, n := range r.nums {
		if sup[n.cell] {
			return n.part == Teller
		}
	}
	return false
}

// tight reports whether r gives its hidden counts away to a reader who
// knows that a hidden count of persons below national level is at least 1
// (zeros are published): r is a relation between counts (no shares or
// means, no links), its total is published, at least two of its parts are
// hidden and every hidden part is 1: their sum, which the published members
// give, equals their number, so each must be 1.
func (r relation) tight(cells []Cell, sup []bool) bool {
	if r.nums != nil || cells[r.total].HasNevner || sup[r.total] {
		return false
	}
	n := 0
	for _, m := range r.parts {
		if !sup[m] {
			continue
		}
		c := cells[m]
		if !c.Person || c.Level == Land || c.Teller != 1 {
			return false
		}
		n++
	}
	return n >= 2
}

// empty reports whether c holds nobody: a count of 0, or a share or mean
// over 0. Recovering it discloses no one, so it needs no protection.
func empty(c Cell) bool {
	if c.HasNevner {
		return c.Nevner == 0
	}
	return c.Teller == 0
}

// equations returns the numbers of r's equations, total first: one per part
// for a link, the teller and, when the total has one, the nevner otherwise.
func (r relation) equations(cells []Cell) [][]num {
	if r.nums != nil {
		return [][]num{r.nums}
	}
	out := [][]num{numsOf(r, Teller)}
	if cells[r.total].HasNevner {
		out = append(out, numsOf(r, Nevner))
	}
	return out
}

func numsOf(r relation, p Part) []num {
	out := []num{{r.total, p}}
	for _, q := range r.parts {
		out = append(out, num{q, p})
	}
	return out
}

type cellKey struct {
	indicator string
	year      int
	level     string
	region    string
}

type areaKey struct {
	indicator string
	year      int
	fylke     string // "" for the fylker of land
}

// relations lists every additive equation among cells, in an order that
// depends on the cells' keys, not their positions: kommuner of a fylke sum to
// the fylke and fylker to land for additive indicators (a kommune belongs to
// the fylke named by the first two digits of its code), the parts of each
// group sum to its total at the same year, level and region, and each link
// holds at every year, level and region where all its cells exist. A group
// part that has no cell is taken as a published zero, which is what a reader
// would assume.
func relations(cells []Cell, id Identities) []relation {
	index := make(map[cellKey]int, len(cells))
	children := make(map[areaKey][]int)
	for i, c := range cells {
		index[cellKey{c.Indicator, c.Year, c.Level, c.Region}] = i
		if !c.Additive {
			continue
		}
		switch {
		case c.Level == Fylke:
			children[areaKey{c.Indicator, c.Year, ""}] = append(children[areaKey{c.Indicator, c.Year, ""}], i)
		case c.Level == Kommune && len(c.Region) >= 2:
			k := areaKey{c.Indicator, c.Year, c.Region[:2]}
			children[k] = append(children[k], i)
		}
	}
	var rels []relation
	for i, c := range cells {
		var parts []int
		switch {
		case !c.Additive:
		case c.Level == Land:
			parts = children[areaKey{c.Indicator, c.Year, ""}]
		case c.Level == Fylke:
			parts = children[areaKey{c.Indicator, c.Year, c.Region}]
		}
		if len(parts) > 0 {
			rels = append(rels, relation{total: i, parts: slices.Clone(parts)})
		}
	}
	for _, g := range id.Groups {
		for i, c := range cells {
			if c.Indicator != g.Total {
				continue
			}
			var parts []int
			for _, p := range g.Parts {
				if j, ok := index[cellKey{p, c.Year, c.Level, c.Region}]; ok {
					parts = append(parts, j)
				}
			}
			if len(parts) > 0 {
				rels = append(rels, relation{total: i, parts: parts})
			}
		}
	}
	for _, l := range id.Links {
	cell:
		for i, c := range cells {
			if c.Indicator != l.Total.Indicator || (l.BelowLand && c.Level == Land) {
				continue
			}
			r := relation{total: i, nums: []num{{i, l.Total.Part}}}
			for _, p := range l.Parts {
				j, ok := index[cellKey{p.Indicator, c.Year, c.Level, c.Region}]
				if !ok {
					continue cell
				}
				r.parts = append(r.parts, j)
				r.nums = append(r.nums, num{j, p.Part})
			}
			rels = append(rels, r)
		}
	}
	for _, r := range rels {
		if r.nums == nil {
			slices.SortFunc(r.parts, func(a, b int) int { return compareCells(cells[a], cells[b]) })
		}
	}
	slices.SortStableFunc(rels, func(a, b relation) int { return compareCells(cells[a.total], cells[b.total]) })
	return rels
}

// compareCells orders cells by year, indicator, level and region, so that
// the result of SuppressWith does not depend on the order of its input.
func compareCells(a, b Cell) int {
	return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Indicator, b.Indicator),
		cmp.Compare(a.Level, b.Level), cmp.Compare(a.Region, b.Region))
}
