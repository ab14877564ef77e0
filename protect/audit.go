package protect

import (
	"cmp"
	"math/big"
	"slices"
)

// Audit attacks a publication: it returns every suppressed cell whose value
// can be derived exactly from the published cells through the additive
// relations (kommuner to fylke to land for additive indicators, and the
// declared groups), in input order. A protected publication yields none.
//
// For each connected set of suppressed cells it solves the published
// equations by exact rational Gauss-Jordan elimination; a suppressed cell is
// derivable when it takes the same value in every solution, that is when its
// column is a pivot whose row involves no free unknown. Both the numerator and
// the denominator of a share are attacked (they obey the same relations, so
// they are derivable together).
func Audit(cells []Cell, suppressed []bool, groups []Group) []Cell {
	var out []Cell
	for _, d := range derivable(cells, suppressed, relations(cells, groups)) {
		out = append(out, cells[d.cell])
	}
	return out
}

// derived is a suppressed cell the attack recovers, with the recovered values.
type derived struct {
	cell           int
	teller, nevner *big.Rat
}

// derivable runs the attack on the relations rels and returns the recovered
// cells sorted by index.
func derivable(cells []Cell, sup []bool, rels []relation) []derived {
	// Union the suppressed members of each relation into components.
	parent := make(map[int]int)
	var find func(int) int
	find = func(i int) int {
		if p, ok := parent[i]; ok && p != i {
			r := find(p)
			parent[i] = r
			return r
		}
		parent[i] = i
		return i
	}
	for _, r := range rels {
		first := -1
		for _, m := range r.members() {
			if !sup[m] {
				continue
			}
			if first < 0 {
				first = find(m)
			} else {
				parent[find(m)] = first
			}
		}
	}
	comps := make(map[int][]relation)
	for _, r := range rels {
		for _, m := range r.members() {
			if sup[m] {
				root := find(m)
				comps[root] = append(comps[root], r)
				break
			}
		}
	}
	var found []derived
	for _, rs := range comps {
		found = append(found, solve(cells, sup, rs)...)
	}
	sortDerived(found)
	return found
}

// solve eliminates one component's equations and returns its determined
// unknowns.
func solve(cells []Cell, sup []bool, rels []relation) []derived {
	col := make(map[int]int) // cell index -> column
	var unknowns []int
	for _, r := range rels {
		for _, m := range r.members() {
			if _, ok := col[m]; sup[m] && !ok {
				col[m] = len(unknowns)
				unknowns = append(unknowns, m)
			}
		}
	}
	n := len(unknowns)
	// Each row: n coefficients, then the teller and nevner right-hand sides.
	rows := make([][]*big.Rat, len(rels))
	for k, r := range rels {
		row := make([]*big.Rat, n+2)
		for j := range row {
			row[j] = new(big.Rat)
		}
		add := func(m int, coef int64) {
			if sup[m] {
				row[col[m]].Add(row[col[m]], big.NewRat(coef, 1))
				return
			}
			c := cells[m]
			row[n].Sub(row[n], big.NewRat(coef*c.Teller, 1))
			row[n+1].Sub(row[n+1], big.NewRat(coef*c.Nevner, 1))
		}
		add(r.total, 1)
		for _, p := range r.parts {
			add(p, -1)
		}
		rows[k] = row
	}
	pivotRow := make([]int, n)
	for j := range pivotRow {
		pivotRow[j] = -1
	}
	rank := 0
	for j := 0; j < n && rank < len(rows); j++ {
		p := -1
		for i := rank; i < len(rows); i++ {
			if rows[i][j].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[rank], rows[p] = rows[p], rows[rank]
		inv := new(big.Rat).Inv(rows[rank][j])
		for k := range rows[rank] {
			rows[rank][k].Mul(rows[rank][k], inv)
		}
		for i := range rows {
			if i == rank || rows[i][j].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(rows[i][j])
			for k := range rows[i] {
				rows[i][k].Sub(rows[i][k], new(big.Rat).Mul(f, rows[rank][k]))
			}
		}
		pivotRow[j] = rank
		rank++
	}
	var out []derived
	for j, r := range pivotRow {
		if r < 0 {
			continue
		}
		free := false
		for k := 0; k < n; k++ {
			if k != j && rows[r][k].Sign() != 0 {
				free = true
				break
			}
		}
		if !free {
			out = append(out, derived{cell: unknowns[j], teller: rows[r][n], nevner: rows[r][n+1]})
		}
	}
	return out
}

func sortDerived(ds []derived) {
	slices.SortFunc(ds, func(a, b derived) int { return cmp.Compare(a.cell, b.cell) })
}
