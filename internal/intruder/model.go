package intruder

import (
	"math/big"
	"slices"
)

// model is the intruder's linear model: numbers (published or not),
// equations Σ coef × number = 0 between them, and teller ≤ nevner pairs.
// Every number is a whole number; unknowns have a lower bound.
type model struct {
	cells []Cell // by index; the zero Cell for a slack
	slk   []bool
	val   []*big.Rat // published value, or nil
	lo    []*big.Rat // lower bound of an unknown
	idx   map[Cell]int
	eqs   []map[int]*big.Rat
	leqs  [][2]int
}

func newModel() *model { return &model{idx: map[Cell]int{}} }

func (m *model) add(c Cell, slack bool, v, lo *big.Rat) int {
	m.cells = append(m.cells, c)
	m.slk = append(m.slk, slack)
	m.val = append(m.val, v)
	m.lo = append(m.lo, lo)
	return len(m.cells) - 1
}

func (m *model) known(c Cell, v *big.Rat) { m.idx[c] = m.add(c, false, v, nil) }

func (m *model) unknown(c Cell, lo *big.Rat) { m.idx[c] = m.add(c, false, nil, lo) }

// slack adds an unknown non-negative number of no row.
func (m *model) slack() int { return m.add(Cell{}, true, nil, new(big.Rat)) }

func (m *model) index(c Cell) int { return m.idx[c] }

func (m *model) equation(eq map[int]*big.Rat) { m.eqs = append(m.eqs, eq) }

func (m *model) leq(a, b Cell) { m.leqs = append(m.leqs, [2]int{m.idx[a], m.idx[b]}) }

// row is a linear equation over unknowns: Σ coef[u] × u = rhs.
type row struct {
	coef map[int]*big.Rat
	rhs  *big.Rat
}

// solve derives every unknown exactly where the equations determine it,
// then narrows all unknowns by integer bounds until nothing changes.
func (m *model) solve() ([]Range, error) {
	var rows []row
	for _, eq := range m.eqs {
		r := row{coef: map[int]*big.Rat{}, rhs: new(big.Rat)}
		for i, a := range eq {
			if m.val[i] != nil {
				r.rhs.Sub(r.rhs, new(big.Rat).Mul(a, m.val[i]))
			} else {
				r.coef[i] = new(big.Rat).Set(a)
			}
		}
		if len(r.coef) > 0 {
			rows = append(rows, r)
		}
	}
	n := len(m.cells)
	lo := make([]*big.Rat, n)
	hi := make([]*big.Rat, n) // nil: unbounded
	for i := range n {
		if m.val[i] != nil {
			lo[i], hi[i] = m.val[i], m.val[i]
		} else {
			lo[i] = m.lo[i]
		}
	}
	// Connected sets of unknowns are attacked one by one.
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	union := func(a, b int) { parent[find(a)] = find(b) }
	for _, r := range rows {
		first := -1
		for u := range r.coef {
			if first < 0 {
				first = u
			} else {
				union(first, u)
			}
		}
	}
	var leqs [][2]int
	for _, p := range m.leqs {
		if m.val[p[0]] == nil && m.val[p[1]] == nil {
			union(p[0], p[1])
		}
		if m.val[p[0]] == nil || m.val[p[1]] == nil {
			leqs = append(leqs, p)
		}
	}
	comp := map[int]*component{}
	get := func(u int) *component {
		c, ok := comp[find(u)]
		if !ok {
			c = &component{}
			comp[find(u)] = c
		}
		return c
	}
	for i := range n {
		if m.val[i] == nil {
			c := get(i)
			c.unknowns = append(c.unknowns, i)
		}
	}
	for _, r := range rows {
		for u := range r.coef {
			c := get(u)
			c.rows = append(c.rows, r)
			break
		}
	}
	for _, p := range leqs {
		u := p[0]
		if m.val[u] != nil {
			u = p[1]
		}
		c := get(u)
		c.leqs = append(c.leqs, p)
	}
	for _, c := range comp {
		all := append(c.rows, eliminate(c.rows)...)
		if !propagate(all, c.leqs, lo, hi) {
			// The attacker's assumptions (a hidden count is at least 1)
			// contradict the published numbers: drop them here.
			for _, u := range c.unknowns {
				lo[u], hi[u] = new(big.Rat), nil
			}
			propagate(all, c.leqs, lo, hi)
		}
	}
	var out []Range
	for i := range n {
		if m.val[i] == nil && !m.slk[i] {
			out = append(out, Range{Cell: m.cells[i], Lo: lo[i], Hi: hi[i]})
		}
	}
	slices.SortFunc(out, func(a, b Range) int { return compareCells(a.Cell, b.Cell) })
	return out, nil
}

// component is one connected set of unknowns with its equations.
type component struct {
	unknowns []int
	rows     []row
	leqs     [][2]int
}

// propagate narrows bounds over rows and teller ≤ nevner pairs until
// nothing changes; it reports false when they contradict each other.
func propagate(rows []row, leqs [][2]int, lo, hi []*big.Rat) bool {
	for range 1000 {
		changed := false
		for _, r := range rows {
			if tighten(r, lo, hi) {
				changed = true
			}
		}
		for _, p := range leqs {
			t, nv := p[0], p[1]
			if hi[nv] != nil && (hi[t] == nil || hi[t].Cmp(hi[nv]) > 0) {
				hi[t], changed = new(big.Rat).Set(hi[nv]), true
			}
			if lo[t].Cmp(lo[nv]) > 0 {
				lo[nv], changed = new(big.Rat).Set(lo[t]), true
			}
		}
		for _, r := range rows {
			for u := range r.coef {
				if hi[u] != nil && lo[u].Cmp(hi[u]) > 0 {
					return false
				}
			}
		}
		if !changed {
			return true
		}
	}
	return true
}

// tighten narrows the bounds of each unknown of r from the others' bounds,
// rounding to whole numbers; it reports whether a bound moved.
func tighten(r row, lo, hi []*big.Rat) bool {
	changed := false
	for j, aj := range r.coef {
		// aj × x_j = rhs − Σ_{i≠j} a_i x_i ∈ [rhs − max, rhs − min]
		min, max := new(big.Rat), new(big.Rat)
		minInf, maxInf := false, false
		for i, a := range r.coef {
			if i == j {
				continue
			}
			if a.Sign() > 0 {
				min.Add(min, new(big.Rat).Mul(a, lo[i]))
				if hi[i] == nil {
					maxInf = true
				} else {
					max.Add(max, new(big.Rat).Mul(a, hi[i]))
				}
			} else {
				max.Add(max, new(big.Rat).Mul(a, lo[i]))
				if hi[i] == nil {
					minInf = true
				} else {
					min.Add(min, new(big.Rat).Mul(a, hi[i]))
				}
			}
		}
		var l, h *big.Rat // bounds of x_j; nil: none
		if !maxInf {
			l = new(big.Rat).Sub(r.rhs, max)
		}
		if !minInf {
			h = new(big.Rat).Sub(r.rhs, min)
		}
		inv := new(big.Rat).Inv(aj)
		if l != nil {
			l.Mul(l, inv)
		}
		if h != nil {
			h.Mul(h, inv)
		}
		if aj.Sign() < 0 {
			l, h = h, l
		}
		if l != nil {
			l = ceil(l)
			if l.Cmp(lo[j]) > 0 {
				lo[j], changed = l, true
			}
		}
		if h != nil {
			h = floor(h)
			if hi[j] == nil || h.Cmp(hi[j]) < 0 {
				hi[j], changed = h, true
			}
		}
	}
	return changed
}

func floor(x *big.Rat) *big.Rat {
	q := new(big.Int).Div(x.Num(), x.Denom()) // Euclidean: floor for a positive denominator
	return new(big.Rat).SetInt(q)
}

func ceil(x *big.Rat) *big.Rat {
	f := floor(x)
	if f.Cmp(x) < 0 {
		f.Add(f, big.NewRat(1, 1))
	}
	return f
}

// eliminate brings rows to reduced row echelon form by exact sparse
// Gauss–Jordan elimination and returns the reduced rows: each has one
// pivot unknown with coefficient 1 that no other reduced row holds. A row
// whose only unknown is its pivot determines that unknown exactly.
func eliminate(rows []row) []row {
	var piv []row                     // reduced rows
	pivotOf := map[int]int{}          // unknown → index into piv
	holders := map[int]map[int]bool{} // unknown → reduced rows holding it
	hold := func(r int, u int) {
		if holders[u] == nil {
			holders[u] = map[int]bool{}
		}
		holders[u][r] = true
	}
	for _, in := range rows {
		r := row{coef: map[int]*big.Rat{}, rhs: new(big.Rat).Set(in.rhs)}
		for u, a := range in.coef {
			r.coef[u] = new(big.Rat).Set(a)
		}
		// Eliminate the pivots already chosen.
		for {
			done := true
			for u, a := range r.coef {
				p, ok := pivotOf[u]
				if !ok {
					continue
				}
				addScaled(&r, piv[p], new(big.Rat).Neg(a))
				done = false
				break
			}
			if done {
				break
			}
		}
		if len(r.coef) == 0 {
			continue // implied by the others (or inconsistent by rounding)
		}
		// The pivot: the unknown held by the fewest reduced rows.
		best := -1
		for u := range r.coef {
			if best < 0 || len(holders[u]) < len(holders[best]) || (len(holders[u]) == len(holders[best]) && u < best) {
				best = u
			}
		}
		inv := new(big.Rat).Inv(r.coef[best])
		for u := range r.coef {
			r.coef[u].Mul(r.coef[u], inv)
		}
		r.rhs.Mul(r.rhs, inv)
		k := len(piv)
		// Remove the new pivot from the reduced rows that hold it.
		for h := range holders[best] {
			a := new(big.Rat).Neg(piv[h].coef[best])
			old := piv[h].coef
			before := make([]int, 0, len(old))
			for u := range old {
				before = append(before, u)
			}
			addScaled(&piv[h], r, a)
			for _, u := range before {
				if _, ok := piv[h].coef[u]; !ok {
					delete(holders[u], h)
				}
			}
			for u := range piv[h].coef {
				hold(h, u)
			}
		}
		piv = append(piv, r)
		pivotOf[best] = k
		for u := range r.coef {
			hold(k, u)
		}
	}
	return piv
}

// addScaled sets dst to dst + f × src, dropping zero coefficients.
func addScaled(dst *row, src row, f *big.Rat) {
	for u, a := range src.coef {
		x := new(big.Rat).Mul(a, f)
		if cur, ok := dst.coef[u]; ok {
			cur.Add(cur, x)
			if cur.Sign() == 0 {
				delete(dst.coef, u)
			}
		} else if x.Sign() != 0 {
			dst.coef[u] = x
		}
	}
	dst.rhs.Add(dst.rhs, new(big.Rat).Mul(src.rhs, f))
}
