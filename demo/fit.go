package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// A fitter calibrates a synthetic population to published figures by local
// search. Every unit of the population (a person, a household) contributes a
// vector of numbers to a set of sums (counts of persons in an indicator,
// total waiting days, ...); checks turn the sums into statistics and say the
// interval each must fall in. A proposed change to one unit is kept when it
// does not make the total distance from the intervals worse, so the
// population keeps the shape of the prior it was drawn from while the checks
// are met exactly.
type fitter struct {
	sums    []float64
	checks  []check
	byDim   [][]int // checks that read each sum
	always  []int   // checks that did not say which sums they read
	mark    []int   // scratch: last try that touched each check
	tries   int
	temp    float64 // starting temperature of run; 0: greedy
	changed []int
	touched []int
}

// check is one calibration target: value(sums) must lie in [lo, hi].
// scale turns the distance outside the interval into comparable units.
type check struct {
	name   string
	value  func(s []float64) float64
	lo, hi float64
	scale  float64
	dims   []int // the sums value reads; nil: any
}

// newFitter returns a fitter over dim sums.
func newFitter(dim int) *fitter {
	return &fitter{sums: make([]float64, dim), byDim: make([][]int, dim)}
}

// add registers a check.
func (f *fitter) add(c check) {
	if c.scale == 0 {
		c.scale = 1
	}
	f.checks = append(f.checks, c)
	f.mark = append(f.mark, 0)
	k := len(f.checks) - 1
	if c.dims == nil {
		f.always = append(f.always, k)
	}
	for _, d := range c.dims {
		f.byDim[d] = append(f.byDim[d], k)
	}
}

// addCount requires sum i to equal n exactly.
func (f *fitter) addCount(name string, i int, n float64) {
	f.add(check{name: name, value: func(s []float64) float64 { return s[i] }, lo: n, hi: n, dims: []int{i}})
}

// addRange requires sum i to lie in [lo, hi].
func (f *fitter) addRange(name string, i int, lo, hi float64) {
	f.add(check{name: name, value: func(s []float64) float64 { return s[i] }, lo: lo, hi: hi, dims: []int{i}})
}

// addPercent requires 100*s[num]/s[den], rounded half up, to equal pct.
func (f *fitter) addPercent(name string, num, den int, pct float64) {
	f.add(check{name: name, value: func(s []float64) float64 {
		if s[den] == 0 {
			return math.Inf(-1)
		}
		return 100 * s[num] / s[den]
	}, lo: pct - 0.5, hi: pct + 0.5 - 1e-9, scale: 0.01, dims: []int{num, den}})
}

// addMean requires s[num]/s[den]/div, rounded half up to one decimal, to equal v.
func (f *fitter) addMean(name string, num, den int, div, v float64) {
	f.add(check{name: name, value: func(s []float64) float64 {
		if s[den] == 0 {
			return math.Inf(-1)
		}
		return s[num] / s[den] / div
	}, lo: v - 0.05, hi: v + 0.05 - 1e-9, scale: 0.001, dims: []int{num, den}})
}

// addApprox requires sum i to lie within frac (e.g. 0.02) of v, aiming at
// the inner four fifths of that band to keep a margin.
func (f *fitter) addApprox(name string, i int, v, frac float64) {
	f.addRange(name, i, v*(1-frac*0.8), v*(1+frac*0.8))
}

func (c *check) dist(s []float64) float64 {
	v := c.value(s)
	switch {
	case math.IsInf(v, 0) || math.IsNaN(v):
		return 1e9
	case v < c.lo:
		return (c.lo - v) / c.scale
	case v > c.hi:
		return (v - c.hi) / c.scale
	}
	return 0
}

func (f *fitter) lossOf(s []float64) float64 {
	var l float64
	for i := range f.checks {
		l += f.checks[i].dist(s)
	}
	return l
}

// loss is the current total distance from the checks; 0 means all met.
func (f *fitter) loss() float64 { return f.lossOf(f.sums) }

// include adds a unit's contribution unconditionally (initial population).
func (f *fitter) include(c []float64) {
	for i, v := range c {
		f.sums[i] += v
	}
}

// tryAt replaces contribution old by new if that does not increase the
// loss, and reports whether it did. With a temperature, a change that
// increases the loss by d is still kept with probability exp(-d/temp), so
// that the search can leave a plateau of exact counts (simulated
// annealing).
func (f *fitter) tryAt(old, new []float64, temp float64, r *rand.Rand) bool {
	f.tries++
	f.changed = f.changed[:0]
	for i := range old {
		if old[i] != new[i] {
			f.changed = append(f.changed, i)
		}
	}
	if len(f.changed) == 0 {
		return true
	}
	f.touched = append(f.touched[:0], f.always...)
	for _, d := range f.changed {
		for _, k := range f.byDim[d] {
			if f.mark[k] != f.tries {
				f.mark[k] = f.tries
				f.touched = append(f.touched, k)
			}
		}
	}
	var before float64
	for _, k := range f.touched {
		before += f.checks[k].dist(f.sums)
	}
	for _, d := range f.changed {
		f.sums[d] += new[d] - old[d]
	}
	var after float64
	for _, k := range f.touched {
		after += f.checks[k].dist(f.sums)
	}
	delta := after - before
	if delta <= 0 || (temp > 0 && r.Float64() < math.Exp(-delta/temp)) {
		return true
	}
	for _, d := range f.changed {
		f.sums[d] -= new[d] - old[d]
	}
	return false
}

// failing lists the checks not met with their values, for reports and errors.
func (f *fitter) failing() []string {
	var out []string
	for i := range f.checks {
		c := &f.checks[i]
		if c.dist(f.sums) > 0 {
			out = append(out, fmt.Sprintf("%s = %.4g (want %.4g..%.4g)", c.name, c.value(f.sums), c.lo, c.hi))
		}
	}
	return out
}

// run performs local search: propose(i, r) returns a proposed replacement
// for unit i (old and new contributions and a commit function applying it).
// It stops when the loss is 0 or after maxSteps proposals.
func (f *fitter) run(r *rand.Rand, units int, maxSteps int, propose func(i int, r *rand.Rand) (old, new []float64, commit func())) int {
	steps := 0
	loss := f.loss()
	for ; steps < maxSteps && loss > 0; steps++ {
		i := r.IntN(units)
		old, nw, commit := propose(i, r)
		if nw == nil {
			continue
		}
		// Anneal over the first half of the budget, then descend greedily.
		temp := 0.0
		if steps < maxSteps/2 {
			temp = f.temp * (1 - float64(steps)/float64(maxSteps/2))
		}
		if f.tryAt(old, nw, temp, r) {
			commit()
		}
		if steps%4096 == 0 {
			loss = f.loss()
		}
	}
	return steps
}
