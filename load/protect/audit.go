package protect

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/big"
	"slices"
)

// AuditWith attacks a publication: it returns every suppressed cell that
// leaks (see AttackWith, with the default Options) through the relations
// over the regional hierarchy and the identities id, in input order. A
// protected publication yields none.
func AuditWith(cells []Cell, suppressed []bool, id Identities) []Cell {
	var out []Cell
	for _, l := range AttackWith(cells, suppressed, id, Options{}) {
		out = append(out, l.Cell)
	}
	return out
}

// Leak is a suppressed cell the attack learns too much about: its teller
// lies in [Lo, Hi], and Exact says exact linear derivation alone recovers
// it (Lo = Hi then). Inherent says no suppression that keeps zeros
// published can close it: the cell holds every person of the nation, or
// it leaks at least as much when every non-empty cell below national level
// is hidden (the rule by which SuppressWith leaves it open); a caller
// reports it as unavoidable rather than as a failure of the protection.
type Leak struct {
	Cell     Cell
	Exact    bool
	Lo, Hi   int64
	Inherent bool
}

// AttackWith attacks a publication as a reader who sees every published
// number and knows the relations (the regional hierarchy and id) would,
// and returns, in input order, every suppressed cell that leaks.
//
// For each connected set of suppressed cells it solves the published
// equations by exact rational Gauss-Jordan elimination over the numbers of
// the suppressed cells (the teller, and the nevner of shares and means); a
// teller that takes the same value in every solution leaks. Then it
// reasons with integers: every number is whole and non-negative, a share's
// teller is at most its nevner, and a suppressed count of persons (or a
// nevner of persons) below national level is at least 1, zeros being
// published. It narrows the feasible range of every suppressed number over
// the equations and their reduced forms until nothing changes (interval
// propagation, not linear programming, so a range may be wider than the
// tightest), and a teller whose range is narrower than required leaks: a
// single value for any suppressed cell, less than Options.MinWidth for a
// cell the primary rules suppress (see required).
//
// A suppressed nevner that equals a published count is not reported by
// itself: it is published as that count. Nor is an empty cell (a count of
// 0, a share or mean over 0): it discloses no one. Each leak says whether
// it is inherent (Leak.Inherent), by the rule SuppressWith applies.
func AttackWith(cells []Cell, suppressed []bool, id Identities, opt Options) []Leak {
	var out []Leak
	eqs := relations(cells, id)
	inherent := newInherence(cells, eqs, opt)
	for _, d := range derivable(cells, suppressed, eqs, nil, opt) {
		l := Leak{Cell: cells[d.cell], Exact: d.teller != nil, Inherent: inherent.of(d)}
		if l.Exact {
			l.Lo = d.teller.Num().Int64()
			l.Hi = l.Lo
		} else {
			l.Lo, l.Hi = d.lo, d.hi
		}
		out = append(out, l)
	}
	return out
}

// derived is a suppressed cell that leaks: with the values exact linear
// derivation recovers (teller nil when it does not; nevner nil when only
// the teller is recovered), and the feasible range of its teller when that
// is narrower than required (hi nil otherwise).
type derived struct {
	cell           int
	teller, nevner *big.Rat
	narrow         bool  // the range [lo, hi] is narrower than required
	lo, hi         int64 // the teller's range, when narrow
}

// derivable runs the attack on the relations rels and returns the recovered
// cells sorted by index. With a cache, a component whose suppressed cells
// and relations are those of an earlier call is not solved again (the
// published values are the same, so the answer is).
func derivable(cells []Cell, sup []bool, rels []relation, cache map[string][]derived, opt Options) []derived {
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
			found = append(found, solve(cells, sup, rs, opt)...)
			continue
		}
		k := string(keys[root])
		ds, ok := cache[k]
		if !ok {
			ds = solve(cells, sup, rs, opt)
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

func (s *sparse) clone() *sparse {
	c := &sparse{coef: make(map[int]*big.Rat, len(s.coef)), rhs: new(big.Rat).Set(s.rhs)}
	for j, a := range s.coef {
		c.coef[j] = new(big.Rat).Set(a)
	}
	return c
}

// system is one component's equations over its unknown numbers.
type system struct {
	unknowns []num // by column; a slack has cell -1
	rows     []*sparse
	// slack is true when some equation needed a slack: its published
	// numbers and the true values do not add up exactly (protected
	// persons count in the nation only).
	slack bool
}

// build turns the relations into rows over the suppressed numbers. With
// slack, an equation the true values do not satisfy gets a non-negative
// slack unknown that makes it hold; without, every equation is exact (the
// conservative attacker of the exact linear attack).
func build(cells []Cell, sup []bool, rels []relation, slack bool) system {
	var s system
	col := make(map[num]int) // unknown number -> column
	for _, r := range rels {
		for _, eq := range r.equations(cells) {
			row := &sparse{coef: map[int]*big.Rat{}, rhs: new(big.Rat)}
			var resid int64 // total − Σ parts over the true values
			for k, n := range eq {
				coef := int64(-1)
				if k == 0 {
					coef = 1
				}
				resid += coef * value(cells, n)
				if !sup[n.cell] {
					row.rhs.Sub(row.rhs, big.NewRat(coef*value(cells, n), 1))
					continue
				}
				j, ok := col[n]
				if !ok {
					j = len(s.unknowns)
					col[n] = j
					s.unknowns = append(s.unknowns, n)
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
			if resid != 0 {
				s.slack = true
				if slack {
					// total − Σ parts − sign(resid) × slack = 0.
					j := len(s.unknowns)
					s.unknowns = append(s.unknowns, num{cell: -1})
					sign := int64(-1)
					if resid < 0 {
						sign = 1
					}
					row.coef[j] = big.NewRat(sign, 1)
				}
			}
			if len(row.coef) > 0 {
				s.rows = append(s.rows, row)
			}
		}
	}
	return s
}

// solve attacks one component and returns its cells that leak: the teller
// is determined exactly by the published equations (exact linear
// derivation), or its feasible range given that every number is whole and
// non-negative, a share's teller is at most its nevner and a suppressed
// count of persons below national level is at least 1 (zeros are
// published) is narrower than required (see required).
func solve(cells []Cell, sup []bool, rels []relation, opt Options) []derived {
	exact := build(cells, sup, rels, false)
	byCell := map[int]*derived{}
	var order []int
	get := func(c int) *derived {
		d, ok := byCell[c]
		if !ok {
			d = &derived{cell: c}
			byCell[c] = d
			order = append(order, c)
		}
		return d
	}
	s := exact
	if exact.slack {
		s = build(cells, sup, rels, true)
	}
	orig := integral(cells, s.unknowns, s.rows)
	pivots, pivotCol := eliminate(exact.rows, len(exact.unknowns))
	for k, row := range pivots {
		if len(row.coef) != 1 {
			continue
		}
		n := exact.unknowns[pivotCol[k]]
		if exact.slack && row.rhs.Cmp(big.NewRat(value(cells, n), 1)) != 0 {
			// Derived from an equation the true values do not satisfy
			// (protected persons in the nation): not the value, and
			// the integer reasoning below, with a slack there, judges
			// what the reader learns.
			continue
		}
		d := get(n.cell)
		if n.part == Nevner {
			d.nevner = row.rhs
		} else {
			d.teller = row.rhs
		}
	}
	if exact.slack {
		pivots, _ = eliminate(s.rows, len(s.unknowns))
	}
	lo, hi := bounds(cells, s.unknowns)
	leqs := shareBounds(cells, sup, s.unknowns, lo, hi)
	if propagate(append(orig, integral(cells, s.unknowns, pivots)...), leqs, lo, hi) {
		for j, n := range s.unknowns {
			if n.cell < 0 || n.part != Teller || empty(cells[n.cell]) {
				continue
			}
			if hi[j] == inf || hi[j]-lo[j] >= required(cells[n.cell], opt) {
				continue
			}
			d := get(n.cell)
			d.narrow, d.lo, d.hi = true, lo[j], hi[j]
		}
	}
	var out []derived
	for _, c := range order {
		d := byCell[c]
		if empty(cells[c]) || (d.teller == nil && !d.narrow) {
			continue
		}
		if d.teller != nil && d.nevner == nil && !cells[c].HasNevner {
			d.nevner = new(big.Rat)
		}
		out = append(out, *d)
	}
	return out
}

// maxTerms is the most unknowns a reduced row may have to take part in the
// integer reasoning: a row over many unknowns, each with its range, bounds
// none of them usefully, and costs as much as all the short ones.
const maxTerms = 64

// irow is an equation Σ coef[k] × x[idx[k]] = rhs in whole numbers.
type irow struct {
	idx  []int
	coef []int64
	rhs  int64
}

// integral returns the rows integer reasoning narrows ranges with, scaled
// to whole coefficients: not those over a mean's total of days (whole,
// non-negative and additive, but a range of days discloses no count, and
// such rows creep a day at a time), nor rows of more than maxTerms
// unknowns, nor rows whose scaled numbers would not fit in an int64.
func integral(cells []Cell, unknowns []num, rows []*sparse) []irow {
	var out []irow
next:
	for _, r := range rows {
		if len(r.coef) > maxTerms {
			continue
		}
		l := new(big.Int).Set(r.rhs.Denom())
		for j, a := range r.coef {
			if n := unknowns[j]; n.cell >= 0 && n.part == Teller && cells[n.cell].Mean {
				continue next
			}
			g := new(big.Int).GCD(nil, nil, l, a.Denom())
			l.Mul(l, new(big.Int).Quo(a.Denom(), g))
		}
		// |coef| < 2¹⁶ and |rhs|, and the bounds, < 2⁴⁰ keep every sum
		// of at most maxTerms products well within an int64.
		scaled := func(x *big.Rat, limit int64) (int64, bool) {
			v := new(big.Int).Mul(x.Num(), l)
			v.Quo(v, x.Denom())
			return v.Int64(), v.IsInt64() && v.CmpAbs(big.NewInt(limit)) < 0
		}
		ir := irow{idx: make([]int, 0, len(r.coef)), coef: make([]int64, 0, len(r.coef))}
		var ok bool
		if ir.rhs, ok = scaled(r.rhs, 1<<40); !ok {
			continue
		}
		for j, a := range r.coef {
			c, ok := scaled(a, 1<<16)
			if !ok {
				continue next
			}
			ir.idx = append(ir.idx, j)
			ir.coef = append(ir.coef, c)
		}
		out = append(out, ir)
	}
	return out
}

// inf is an upper bound not known.
const inf = int64(math.MaxInt64)

// required is the width (hi − lo) the feasible range of a suppressed
// cell's teller must have: at least 1 (not a single value) for every
// suppressed cell; for a cell suppressed by the primary rules, MinWidth
// for a count, and for a share's teller MinWidth or its nevner if smaller
// (a teller lies in [0, nevner]). A mean's total (days) must not be exact.
func required(c Cell, opt Options) int64 {
	opt = opt.withDefaults()
	if !Primary(c, opt) || c.Mean {
		return 1
	}
	w := int64(opt.MinWidth)
	if c.HasNevner {
		w = min(w, c.Nevner)
	}
	return max(w, 1)
}

// bounds are the starting bounds of the unknowns: every number is whole and
// non-negative; a count of persons or the nevner of a share or mean over
// persons below national level is at least 1, as a reader who sees the
// zeros published concludes. A hidden true zero (a complement of last
// resort) gets 0: the reader's assumption is false there, and the range is
// that of a reader who knows which hidden count is the zero, so the true
// values are always feasible.
func bounds(cells []Cell, unknowns []num) (lo, hi []int64) {
	lo = make([]int64, len(unknowns))
	hi = make([]int64, len(unknowns))
	for j, n := range unknowns {
		hi[j] = inf
		if n.cell < 0 {
			continue
		}
		c := cells[n.cell]
		if c.Person && c.Level != Land && (n.part == Nevner || !c.HasNevner) && value(cells, n) >= 1 {
			lo[j] = 1
		}
	}
	return lo, hi
}

// shareBounds returns the pairs (teller, nevner) of suppressed shares as
// columns of unknowns, teller ≤ nevner; where one of them is published it
// bounds the other directly.
func shareBounds(cells []Cell, sup []bool, unknowns []num, lo, hi []int64) [][2]int {
	col := map[num]int{}
	for j, n := range unknowns {
		if n.cell >= 0 {
			col[n] = j
		}
	}
	var out [][2]int
	for j, n := range unknowns {
		if n.cell < 0 {
			continue
		}
		c := cells[n.cell]
		if !c.HasNevner || c.Mean {
			continue
		}
		switch n.part {
		case Teller:
			if k, ok := col[num{n.cell, Nevner}]; ok {
				out = append(out, [2]int{j, k})
			} else {
				hi[j] = min(hi[j], c.Nevner)
			}
		case Nevner:
			if _, ok := col[num{n.cell, Teller}]; !ok {
				lo[j] = max(lo[j], c.Teller)
			}
		}
	}
	return out
}

// propagate narrows the bounds over the rows and the teller ≤ nevner pairs,
// rounding to whole numbers, until nothing changes; each row is looked at
// again only when a bound of one of its unknowns moved. It reports false
// when the bounds contradict each other.
func propagate(rows []irow, leqs [][2]int, lo, hi []int64) bool {
	holders := map[int][]int{}
	for i, r := range rows {
		for _, j := range r.idx {
			holders[j] = append(holders[j], i)
		}
	}
	pairs := map[int][]int{}
	for k, p := range leqs {
		pairs[p[0]] = append(pairs[p[0]], k)
		pairs[p[1]] = append(pairs[p[1]], k)
	}
	queued := make([]bool, len(rows))
	queue := make([]int, 0, len(rows))
	for i := range rows {
		queue = append(queue, i)
		queued[i] = true
	}
	moved := func(j int) bool {
		if lo[j] > hi[j] {
			return false
		}
		for _, i := range holders[j] {
			if !queued[i] {
				queued[i] = true
				queue = append(queue, i)
			}
		}
		return true
	}
	var changed []int
	// The true values are feasible, so a bound only moves towards them,
	// a whole step at least; a budget keeps long creeping short.
	for budget := 50 * (len(rows) + 1); len(queue) > 0 && budget > 0; budget-- {
		i := queue[0]
		queue = queue[1:]
		queued[i] = false
		changed = tighten(rows[i], lo, hi, changed[:0])
		for _, j := range changed {
			if !moved(j) {
				return false
			}
			for _, k := range pairs[j] {
				t, n := leqs[k][0], leqs[k][1]
				if hi[n] < hi[t] {
					hi[t] = hi[n]
					if !moved(t) {
						return false
					}
				}
				if lo[t] > lo[n] {
					lo[n] = lo[t]
					if !moved(n) {
						return false
					}
				}
			}
		}
	}
	return true
}

// tighten narrows the bounds of each unknown of r from the others' bounds,
// rounding to whole numbers, and appends the unknowns whose bounds moved
// to out.
func tighten(r irow, lo, hi []int64, out []int) []int {
	// Σ a_k x_k over the bounds: its least and greatest values, leaving
	// out the infinite terms, and how many there are.
	var minSum, maxSum int64
	minInf, maxInf := 0, 0
	for k, j := range r.idx {
		a := r.coef[k]
		if a > 0 {
			minSum += a * lo[j]
			if hi[j] == inf {
				maxInf++
			} else {
				maxSum += a * hi[j]
			}
		} else {
			maxSum += a * lo[j]
			if hi[j] == inf {
				minInf++
			} else {
				minSum += a * hi[j]
			}
		}
	}
	for k, j := range r.idx {
		a := r.coef[k]
		// The rest's least and greatest values, without x_j's term.
		restMin, restMinOK := minSum, minInf == 0
		restMax, restMaxOK := maxSum, maxInf == 0
		if a > 0 {
			restMin -= a * lo[j]
			if hi[j] == inf {
				restMaxOK = maxInf == 1
			} else {
				restMax -= a * hi[j]
			}
		} else {
			restMax -= a * lo[j]
			if hi[j] == inf {
				restMinOK = minInf == 1
			} else {
				restMin -= a * hi[j]
			}
		}
		// a × x_j lies in [rhs − restMax, rhs − restMin].
		l, h := lo[j], hi[j]
		if a > 0 {
			if restMaxOK {
				l = max(l, ceilDiv(r.rhs-restMax, a))
			}
			if restMinOK {
				h = min(h, floorDiv(r.rhs-restMin, a))
			}
		} else {
			if restMinOK {
				l = max(l, ceilDiv(r.rhs-restMin, a))
			}
			if restMaxOK {
				h = min(h, floorDiv(r.rhs-restMax, a))
			}
		}
		if l != lo[j] || h != hi[j] {
			lo[j], hi[j] = l, h
			out = append(out, j)
		}
	}
	return out
}

// floorDiv is ⌊x / d⌋ for d ≠ 0.
func floorDiv(x, d int64) int64 {
	q := x / d
	if (x%d != 0) && ((x < 0) != (d < 0)) {
		q--
	}
	return q
}

// ceilDiv is ⌈x / d⌉ for d ≠ 0.
func ceilDiv(x, d int64) int64 {
	return -floorDiv(-x, d)
}

// eliminate brings rows to reduced row echelon form by exact sparse
// Gauss–Jordan elimination over n unknowns and returns the reduced rows
// (the rows themselves, changed in place) with their pivot columns. Rows
// are taken shortest first and each pivots on its unknown that occurs in
// the fewest rows, which keeps the reduced rows sparse (the hierarchy and
// the links are nearly a tree).
func eliminate(rows []*sparse, n int) (pivots []*sparse, pivotCol []int) {
	freq := make([]int, n)
	for _, row := range rows {
		for j := range row.coef {
			freq[j]++
		}
	}
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b *sparse) int { return cmp.Compare(len(a.coef), len(b.coef)) })
	pivotOf := map[int]int{}   // column -> index in pivots
	holders := map[int][]int{} // column -> pivot rows that may hold it
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
	return pivots, pivotCol
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
