package protect

import (
	"cmp"
	"slices"
)

// relation is one published additive equation: the figure of cells[total]
// equals the sum of the figures of cells[parts].
type relation struct {
	total int
	parts []int
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
// the fylke named by the first two digits of its code), and the parts of each group sum to its total at the same year,
// level and region. A part that has no cell is taken as a published zero,
// which is what a reader would assume.
func relations(cells []Cell, groups []Group) []relation {
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
			rels = append(rels, relation{total: i, parts: parts})
		}
	}
	for _, g := range groups {
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
	for _, r := range rels {
		slices.SortFunc(r.parts, func(a, b int) int { return compareCells(cells[a], cells[b]) })
	}
	slices.SortStableFunc(rels, func(a, b relation) int { return compareCells(cells[a.total], cells[b.total]) })
	return rels
}

// compareCells orders cells by year, indicator, level and region, so that
// the result of Suppress does not depend on the order of its input.
func compareCells(a, b Cell) int {
	return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Indicator, b.Indicator),
		cmp.Compare(a.Level, b.Level), cmp.Compare(a.Region, b.Region))
}
