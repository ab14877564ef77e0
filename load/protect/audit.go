package protect

import (
	"cmp"
	"encoding/binary"
	"math/big"
	"slices"
)

// Audit attacks a publication: it returns every suppressed cell whose value
// can be derived exactly from the published cells through the additive
// relations (kommuner to fylke to land for additive indicators, and the
// declared groups), in input order. A protected publication yields none.
// See AuditWith for the attack.
func Audit(cells []Cell, suppressed []bool, groups []Group) []Cell {
	return AuditWith(cells, suppressed, Identities{Groups: groups})
}

// AuditWith is Audit over the regional hierarchy and the identities id.
//
// For each connected set of suppressed cells it solves the published
// equations by exact rational Gauss-Jordan elimination over the numbers of
// the suppressed cells (the teller, and the nevner of shares and means); a
// cell is derivable when its teller takes the same value in every solution,
// that is when the teller's column is a pivot whose row involves no free
// unknown. A suppressed nevner that equals a published count is not reported
// by itself: it is published as that count. Nor is an empty cell (a count of
// 0, a share or mean over 0): it discloses no one.
func AuditWith(cells []Cell, suppressed []bool, id Identities) []Cell {
	var out []Cell
	for _, d := range derivable(cells, suppressed, relations(cells, id), nil) {
		out = append(out, cells[d.cell])
	}
	return out
}

// derived is a suppressed cell the attack recovers, with the recovered
// values (nevner is nil when only the teller is recovered).
type derived struct {
	cell           int
	teller, nevner *big.Rat
}

// derivable runs the attack on the relations rels and returns the recovered
// cells sorted by index. With a cache, a component whose suppressed cells
// and relations are those of an earlier call is not solved again (the
// published values are the same, so the answer is).
func derivable(cells []Cell, sup []bool, rels []relation, cache map[string][]derived) []derived {
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
			} else if root := find(m); root != first {
				parent[root] = first
			}
		}
	}
	comps := make(map[int][]relation)
	keys := make(map[int][]byte)
	for e, r := range rels {
		for _, m := range r.members() {
			if sup[m] {
				root := find(m)
				comps[root] = append(comps[root], r)
				if cache != nil {
					keys[root] = binary.AppendUvarint(keys[root], uint64(e))
					for _, o := range r.members() {
						if sup[o] {
							keys[root] = binary.AppendUvarint(keys[root], uint64(o))
						}
					}
					keys[root] = append(keys[root], 0xff)
				}
				break
			}
		}
	}
	var found []derived
	for root, rs := range comps {
		if cache == nil {
			found = append(found, solve(cells, sup, rs)...)
			continue
		}
		k := string(keys[root])
		ds, ok := cache[k]
		if !ok {
			ds = solve(cells, sup, rs)
			cache[k] = ds
		}
		found = append(found, ds...)
	}
	sortDerived(found)
	return found
}

// value is the published value of number n.
func value(cells []Cell, n num) int64 {
	if n.part == Nevner {
		return cells[n.cell].Nevner
	}
	return cells[n.cell].Teller
}

// sparse is one equation Σ coef[u] × u = rhs over unknown numbers.
type sparse struct {
	coef map[int]*big.Rat
	rhs  *big.Rat
}

// solve eliminates one component's equations and returns its cells whose
// teller is determined. Rows are taken shortest first and each pivots on
// its unknown that occurs in the fewest rows, which keeps the reduced rows
// sparse (the hierarchy and the links are nearly a tree).
func solve(cells []Cell, sup []bool, rels []relation) []derived {
	col := make(map[num]int) // unknown number -> column
	var unknowns []num
	var rows []*sparse
	for _, r := range rels {
		for _, eq := range r.equations(cells) {
			row := &sparse{coef: map[int]*big.Rat{}, rhs: new(big.Rat)}
			for k, n := range eq {
				coef := int64(-1)
				if k == 0 {
					coef = 1
				}
				if !sup[n.cell] {
					row.rhs.Sub(row.rhs, big.NewRat(coef*value(cells, n), 1))
					continue
				}
				j, ok := col[n]
				if !ok {
					j = len(unknowns)
					col[n] = j
					unknowns = append(unknowns, n)
				}
				a, ok := row.coef[j]
				if !ok {
					a = new(big.Rat)
					row.coef[j] = a
				}
				a.Add(a, big.NewRat(coef, 1))
				if a.Sign() == 0 {
					delete(row.coef, j)
				}
			}
			if len(row.coef) > 0 {
				rows = append(rows, row)
			}
		}
	}
	freq := make([]int, len(unknowns))
	for _, row := range rows {
		for j := range row.coef {
			freq[j]++
		}
	}
	slices.SortStableFunc(rows, func(a, b *sparse) int { return cmp.Compare(len(a.coef), len(b.coef)) })
	var pivots []*sparse       // reduced rows, each with its pivot column
	pivotOf := map[int]int{}   // column -> index in pivots
	holders := map[int][]int{} // column -> pivot rows that may hold it
	var pivotCol []int
	for _, row := range rows {
		// Reduce by the pivots found so far.
		var hit []int
		for j := range row.coef {
			if _, ok := pivotOf[j]; ok {
				hit = append(hit, j)
			}
		}
		for _, j := range hit {
			if a, ok := row.coef[j]; ok {
				addMul(row, pivots[pivotOf[j]], new(big.Rat).Neg(a))
			}
		}
		if len(row.coef) == 0 {
			continue
		}
		pc := -1
		for j := range row.coef {
			if pc < 0 || freq[j] < freq[pc] || (freq[j] == freq[pc] && j < pc) {
				pc = j
			}
		}
		inv := new(big.Rat).Inv(row.coef[pc])
		for _, a := range row.coef {
			a.Mul(a, inv)
		}
		row.rhs.Mul(row.rhs, inv)
		// Keep the system reduced: eliminate the new pivot elsewhere.
		for _, k := range holders[pc] {
			if a, ok := pivots[k].coef[pc]; ok {
				addMul(pivots[k], row, new(big.Rat).Neg(a))
				for j := range row.coef {
					if j != pc {
						holders[j] = append(holders[j], k)
					}
				}
			}
		}
		delete(holders, pc)
		k := len(pivots)
		pivotOf[pc] = k
		pivots = append(pivots, row)
		pivotCol = append(pivotCol, pc)
		for j := range row.coef {
			if j != pc {
				holders[j] = append(holders[j], k)
			}
		}
	}
	byCell := map[int]*derived{}
	var order []int
	for k, row := range pivots {
		if len(row.coef) != 1 {
			continue
		}
		n := unknowns[pivotCol[k]]
		d, ok := byCell[n.cell]
		if !ok {
			d = &derived{cell: n.cell}
			byCell[n.cell] = d
			order = append(order, n.cell)
		}
		if n.part == Nevner {
			d.nevner = row.rhs
		} else {
			d.teller = row.rhs
		}
	}
	var out []derived
	for _, c := range order {
		d := byCell[c]
		if d.teller == nil || empty(cells[c]) {
			continue
		}
		if d.nevner == nil && !cells[c].HasNevner {
			d.nevner = new(big.Rat)
		}
		out = append(out, *d)
	}
	return out
}

// addMul adds f × src to dst, dropping coefficients that become zero.
func addMul(dst, src *sparse, f *big.Rat) {
	for j, a := range src.coef {
		b, ok := dst.coef[j]
		if !ok {
			b = new(big.Rat)
			dst.coef[j] = b
		}
		b.Add(b, new(big.Rat).Mul(f, a))
		if b.Sign() == 0 {
			delete(dst.coef, j)
		}
	}
	dst.rhs.Add(dst.rhs, new(big.Rat).Mul(f, src.rhs))
}

func sortDerived(ds []derived) {
	slices.SortFunc(ds, func(a, b derived) int { return cmp.Compare(a.cell, b.cell) })
}
