package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"integstat/extract/reference"
	"integstat/transform/ident"
)

// world holds what every source's model shares: the reference data, the
// municipalities' sizes, deterministic random streams, and the allocator
// that keeps identity numbers unique across the whole demo set.
type world struct {
	ref     *reference.Data
	changed map[string]bool // codes that some change replaces
	seed    uint64
	replica uint64
	ids     *idAllocator
}

// newWorld returns the world of one replica; ids is shared by all replicas
// of a run so that no two persons share a number.
func newWorld(seed, replica uint64, ids *idAllocator) *world {
	ref := reference.MustLoad()
	changed := map[string]bool{}
	for _, c := range ref.Changes {
		changed[c.Old] = true
	}
	return &world{ref: ref, changed: changed, seed: seed, replica: replica, ids: ids}
}

// rng returns a random stream named by parts; the same seed and parts give
// the same stream, so models do not disturb each other's draws.
func (w *world) rng(parts ...string) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "replica %d", w.replica)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return rand.New(rand.NewPCG(w.seed, h.Sum64()))
}

// bigKommuner gives approximate 2017 populations of the largest
// municipalities (Statistics Norway, rounded); the reference data carries no
// populations. Other municipalities get a size drawn deterministically from
// a log-normal distribution with median 5 000, which matches the skew of
// Norway's municipalities (half of them under 5 000 inhabitants).
var bigKommuner = map[string]float64{
	"0301": 673000, "1201": 280000, "1601": 191000, "5001": 193000, "1103": 133000,
	"0219": 124000, "1001": 90000, "0106": 81000, "1102": 76000, "1902": 75000,
	"0602": 68000, "0220": 61000, "0710": 63000, "0105": 55000, "0231": 54000,
	"0806": 54000, "1804": 51000, "1504": 47000, "0709": 47000, "0906": 44000,
	"0704": 42000, "1149": 42000, "0213": 30000, "1106": 37000, "0805": 36000,
	"0104": 32000, "0604": 27000, "0605": 30000, "0904": 24000, "0502": 30000,
	"0403": 31000, "0501": 28000, "1502": 27000, "1503": 24000, "1833": 26000,
}

// kommuneSize is the population proxy used to spread persons plausibly.
func (w *world) kommuneSize(code string) float64 {
	if v, ok := bigKommuner[code]; ok {
		return v
	}
	h := fnv.New64a()
	h.Write([]byte("size:" + code))
	r := rand.New(rand.NewPCG(h.Sum64(), 7))
	return math.Max(200, 5000*math.Exp(1.0*r.NormFloat64()))
}

// kommunePicker draws municipalities valid on a date with probability
// proportional to size^power.
type kommunePicker struct {
	codes []string
	cum   []float64
}

func (w *world) picker(t time.Time, power float64, keep func(code string) bool) *kommunePicker {
	p := &kommunePicker{}
	var total float64
	for _, k := range w.ref.KommunerOn(refDay(t)) {
		if keep != nil && !keep(k.Code) {
			continue
		}
		total += math.Pow(w.kommuneSize(k.Code), power)
		p.codes = append(p.codes, k.Code)
		p.cum = append(p.cum, total)
	}
	return p
}

func (p *kommunePicker) pick(r *rand.Rand) string {
	x := r.Float64() * p.cum[len(p.cum)-1]
	return p.codes[sort.SearchFloat64s(p.cum, x)]
}

// codeOn returns the code that a municipality known by code at date from
// carries at date at (following mergers and renumberings); for a split it
// takes the first successor.
func (w *world) codeOn(code string, from, at time.Time) string {
	if !w.changed[code] {
		return code
	}
	cs := w.ref.CodeAt(code, refDay(from), refDay(at))
	if len(cs) == 0 {
		return code
	}
	return cs[0]
}

// refStart is the first day the reference data's municipality lists cover.
// Earlier dates are looked up in the first list: the only change of codes
// between 2010 and 2013 is not in the data, and the demo registers start
// their records in 2010.
var refStart = time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)

func refDay(t time.Time) time.Time {
	if t.Before(refStart) {
		return refStart
	}
	return t
}

// codeBefore returns a code valid at the earlier date before that became
// code (valid at at) by a change in between, or "" if there is none.
func (w *world) codeBefore(code string, at, before time.Time) string {
	for _, c := range w.ref.Changes {
		if c.New == code && c.From.After(before) && !c.From.After(at) && w.ref.ValidOn(c.Old, refDay(before)) {
			return c.Old
		}
	}
	return ""
}

// idAllocator hands out identity numbers that no other person in the demo
// set has: one bit per (birth date, individual number, D-number or not), so
// its memory does not grow with the scale.
type idAllocator struct {
	bits   []uint64
	serial map[string]uint64
}

var idEpoch = time.Date(1854, 1, 1, 0, 0, 0, 0, time.UTC)

func newIDAllocator() *idAllocator {
	days := int(time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Sub(idEpoch).Hours()/24) + 1
	return &idAllocator{bits: make([]uint64, (days*2000+63)/64), serial: map[string]uint64{}}
}

func (a *idAllocator) claim(birth time.Time, s string, d bool) bool {
	iii, _ := strconv.Atoi(s[6:9])
	day := int(birth.Sub(idEpoch).Hours() / 24)
	k := (day*1000 + iii) * 2
	if d {
		k++
	}
	if a.bits[k/64]&(1<<(k%64)) != 0 {
		return false
	}
	a.bits[k/64] |= 1 << (k % 64)
	return true
}

// number returns a new synthetic fødselsnummer (or D-number when d) for a
// person born on birth.
func (w *world) number(r *rand.Rand, birth time.Time, female, d bool) string {
	for {
		s := ident.Synthetic(r, birth, female, d)
		if w.ids.claim(birth, s, d) {
			return s
		}
	}
}

// duf returns a new DUF number registered in year: the year and a running
// number, unique within the demo set.
func (w *world) duf(year int) string {
	return strconv.Itoa(year) + leftPad(strconv.FormatUint(w.serial("duf"), 10), 8)
}

// serial returns the next number of a running series (vedtak ids, household
// ids, interpreter ids), unique across the replicas of a run.
func (w *world) serial(series string) uint64 {
	w.ids.serial[series]++
	return w.ids.serial[series]
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// Dates used throughout the models.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// addMonths adds calendar months the way indicators.md defines "within N
// months": the day is clamped to the last day of the target month, so
// 2017-08-31 + 6 months = 2018-02-28.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}

// age is the number of whole years completed on day t by a person born on
// birth; a person born on 29 February turns a year older on 1 March in other
// years.
func age(birth, t time.Time) int {
	a := t.Year() - birth.Year()
	bm, bd := birth.Month(), birth.Day()
	if bm == time.February && bd == 29 && !isLeap(t.Year()) {
		bm, bd = time.March, 1
	}
	if t.Month() < bm || (t.Month() == bm && t.Day() < bd) {
		a--
	}
	return a
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func days(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// randDate returns a uniformly drawn day in [from, to].
func randDate(r *rand.Rand, from, to time.Time) time.Time {
	n := days(from, to)
	if n <= 0 {
		return from
	}
	return from.AddDate(0, 0, r.IntN(n+1))
}

// birthFor returns a birth date such that the person is exactly ageYears
// old (whole years) on day t.
func birthFor(r *rand.Rand, ageYears int, t time.Time) time.Time {
	hi := t.AddDate(-ageYears, 0, 0)
	lo := hi.AddDate(-1, 0, 1)
	for {
		b := randDate(r, lo, hi)
		if age(b, t) == ageYears {
			return b
		}
	}
}
