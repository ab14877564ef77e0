package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
)

// requestPlan is what the requests for one year are drawn to.
type requestPlan struct {
	aar                                    int
	asked, decided, emKommuner             int // kommuner with anmodet > 0, vedtatt > 0, vedtatt_em > 0
	anmodet, anmodetEM, vedtatt, vedtattEM int // sums over the kommuner
}

// requestYear is IMDi's requests to the kommuner for one settlement year
// and the kommuners' answers: the rows of anmodninger.csv for that aar.
type requestYear struct {
	aar  int
	rows []request // by kommune code
}

// request is one row of anmodninger.csv.
type request struct {
	kommune                                string
	anmodet, anmodetEM, vedtatt, vedtattEM int
	answered                               int // day number of the answer; vedtatt is null before it
}

// requestsFor returns the requests for settlement year aar, or nil.
func (b *bosetting) requestsFor(aar int) *requestYear {
	for _, ry := range b.requests {
		if ry.aar == aar {
			return ry
		}
	}
	return nil
}

// decided returns the kommuner that decided to settle refugees (vedtatt >
// 0), weighted by their decision.
func (ry *requestYear) decided() (codes []string, weights []float64) {
	return ry.where(func(q *request) int { return q.vedtatt })
}

// decidedEM returns the kommuner that decided to settle unaccompanied
// minors (vedtatt_em > 0), weighted by their decision.
func (ry *requestYear) decidedEM() (codes []string, weights []float64) {
	return ry.where(func(q *request) int { return q.vedtattEM })
}

func (ry *requestYear) where(n func(*request) int) (codes []string, weights []float64) {
	for i := range ry.rows {
		if v := n(&ry.rows[i]); v > 0 {
			codes = append(codes, ry.rows[i].kommune)
			weights = append(weights, float64(v))
		}
	}
	return codes, weights
}

// drawRequests draws the requests of every year of the plan.
func (b *bosetting) drawRequests(p *bosPlan) error {
	for _, q := range p.requests {
		ry, err := b.drawRequestYear(q)
		if err != nil {
			return fmt.Errorf("settlement requests %d: %w", q.aar, err)
		}
		b.requests = append(b.requests, ry)
	}
	return nil
}

// drawRequestYear draws the requests for one year among the kommuner valid
// on 1 January of it. Larger kommuner are more likely asked and more likely
// to agree; exactly q.asked kommuner are asked and q.decided decide to
// settle someone (up to two of them without having been asked), and exactly
// q.emKommuner of those decide to settle unaccompanied minors. The sums are
// exact; a kommune's decision is near its request, mostly below it.
func (b *bosetting) drawRequestYear(q requestPlan) (*requestYear, error) {
	r := b.w.rng("bosetting", "anmodninger", strconv.Itoa(q.aar))
	var all []string
	for _, k := range b.w.ref.KommunerOn(date(q.aar, 1, 1)) {
		all = append(all, k.Code)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("no kommuner valid on 1 January %d", q.aar)
	}
	size := func(p float64) func(string) float64 {
		return func(c string) float64 { return math.Pow(b.w.kommuneSize(c), p) }
	}
	noisy := func(codes []string, base func(string) float64, sd float64) []float64 {
		out := make([]float64, len(codes))
		for i, c := range codes {
			out[i] = base(c) * math.Exp(sd*r.NormFloat64())
		}
		return out
	}

	asked := sampleCodes(r, all, size(0.7), min(max(q.asked, 1), len(all)))
	var rest []string
	for _, c := range all {
		if !slices.Contains(asked, c) {
			rest = append(rest, c)
		}
	}
	nDecided := min(max(q.decided, 1), len(all))
	extra := min(2, len(rest), nDecided/20)
	extra = max(extra, nDecided-len(asked))
	decidedAsked := sampleCodes(r, asked, size(0.7), nDecided-extra)
	decided := append(slices.Clone(decidedAsked), sampleCodes(r, rest, size(0.5), extra)...)
	emKommuner := sampleCodes(r, decidedAsked, size(0.6), min(q.emKommuner, len(decidedAsked)))
	var askedNotEM []string
	for _, c := range asked {
		if !slices.Contains(emKommuner, c) {
			askedNotEM = append(askedNotEM, c)
		}
	}
	askedEM := append(slices.Clone(emKommuner), sampleCodes(r, askedNotEM, size(0.6), len(emKommuner)*15/100)...)

	anmodetEM := apportion(q.anmodetEM, askedEM, noisy(askedEM, size(0.5), 0.3), nil)
	vedtattEM := apportion(q.vedtattEM, emKommuner, noisy(emKommuner, func(c string) float64 { return float64(anmodetEM[c]) }, 0.2), nil)
	anmodet := apportion(q.anmodet, asked, noisy(asked, size(0.8), 0.3), anmodetEM)
	vedtatt := decide(r, q.vedtatt, decided, anmodet, vedtattEM)

	// Answers come in from the autumn before the year to its spring; the
	// requests for the year after the last snapshot are half answered.
	from, to := date(q.aar-1, 9, 1), date(q.aar, 3, 15)
	if q.aar > bosLast {
		from, to = date(q.aar-1, 10, 1), date(q.aar, 4, 30)
	}
	ry := &requestYear{aar: q.aar}
	codes := append(slices.Clone(asked), decided[len(decidedAsked):]...)
	sort.Strings(codes)
	for _, c := range codes {
		ry.rows = append(ry.rows, request{
			kommune: c, anmodet: anmodet[c], anmodetEM: anmodetEM[c],
			vedtatt: vedtatt[c], vedtattEM: vedtattEM[c],
			answered: dayNo(randDate(r, from, to)),
		})
	}
	return ry, nil
}

// apportion splits total into whole parts for codes in proportion to
// weights, each at least 1 and at least floor[code], by largest remainders
// (ties to the earlier code), so that the parts sum to total exactly, or
// to the sum of the least parts if that is larger.
func apportion(total int, codes []string, weights []float64, floor map[string]int) map[string]int {
	out := make(map[string]int, len(codes))
	rest := total
	var wsum float64
	for i, c := range codes {
		out[c] = max(1, floor[c])
		rest -= out[c]
		wsum += weights[i]
	}
	if rest <= 0 || wsum <= 0 {
		return out
	}
	type part struct {
		i    int
		frac float64
	}
	parts := make([]part, len(codes))
	given := 0
	for i, c := range codes {
		x := float64(rest) * weights[i] / wsum
		k := int(x)
		out[c] += k
		given += k
		parts[i] = part{i, x - float64(k)}
	}
	sort.SliceStable(parts, func(a, b int) bool { return parts[a].frac > parts[b].frac })
	for j := 0; j < rest-given; j++ {
		out[codes[parts[j%len(parts)].i]]++
	}
	return out
}

// decide draws each kommune's decision from its request: most decide what
// they were asked, a quarter less, a tenth more, and one asked nothing a
// few. It then moves the decisions that are not exactly the request one at
// a time until they sum to total, keeping each at least 1 and at least
// floor (its decision on minors).
func decide(r *rand.Rand, total int, codes []string, asked, floor map[string]int) map[string]int {
	out := make(map[string]int, len(codes))
	var loose []string
	var weights []float64
	sum := 0
	for _, c := range codes {
		a, v := asked[c], asked[c]
		switch x := r.Float64(); {
		case a == 0:
			v = 1 + r.IntN(5)
		case x < 0.25:
			v = int(float64(a) * (0.5 + 0.45*r.Float64()))
		case x < 0.35:
			v = int(math.Ceil(float64(a) * (1.05 + 0.25*r.Float64())))
		}
		v = max(v, floor[c], 1)
		if v != a {
			loose = append(loose, c)
			weights = append(weights, float64(v))
		}
		out[c] = v
		sum += v
	}
	least := func(c string) int { return max(floor[c], 1) }
	for _, pool := range [][]string{loose, codes} {
		if len(pool) == 0 {
			continue
		}
		ws := weights
		if len(pool) != len(loose) {
			ws = make([]float64, len(pool))
			for i, c := range pool {
				ws[i] = float64(out[c])
			}
		}
		p := weightedPicker(pool, ws)
		for stuck := 0; sum != total && stuck < 100*len(pool); {
			c := p.pick(r)
			switch {
			case sum < total:
				out[c]++
				sum++
			case out[c] > least(c):
				out[c]--
				sum--
			default:
				stuck++
			}
		}
	}
	return out
}

// emitRequests writes the rows of anmodninger.csv known at d: requests for
// every year up to the one after the snapshot's, with the decision where
// the kommune has answered.
func (b *bosetting) emitRequests(d *deliveryOut) error {
	t := d.table("anmodninger")
	col, err := columnsOf(t, "aar", "kommunenummer", "anmodet", "anmodet_em", "vedtatt", "vedtatt_em")
	if err != nil {
		return err
	}
	day := dayNo(d.day)
	v := make([]string, len(t.t.Cols))
	for _, ry := range b.requests {
		if ry.aar > d.day.Year()+1 {
			continue
		}
		for _, q := range ry.rows {
			vedtatt, vedtattEM := "", ""
			if q.answered <= day {
				vedtatt, vedtattEM = strconv.Itoa(q.vedtatt), strconv.Itoa(q.vedtattEM)
			}
			for i, s := range []string{strconv.Itoa(ry.aar), q.kommune, strconv.Itoa(q.anmodet), strconv.Itoa(q.anmodetEM), vedtatt, vedtattEM} {
				v[col[i]] = s
			}
			t.row(v...)
		}
	}
	return nil
}
