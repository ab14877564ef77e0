package demo

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"integstat/extract/reference"
)

// The settlement model covers the persons settled 2013–2017. Figures are
// published for 2014–2017; 2013 is drawn plausibly, since its stock waiting
// on 31.12.2013 is settled in 2014.
const (
	bosFirst = 2013
	bosLast  = 2017
)

// bosetting is one replica's settlement register (source 2): the persons
// with a decision that gives grounds for settlement, drawn as households and
// single persons whose dates are calibrated to the published figures, and
// IMDi's requests to the kommuner with their answers.
type bosetting struct {
	w        *world
	units    []*bosUnit     // settled units by year of settlement, then those still waiting at the end
	requests []*requestYear // by aar
}

// settledPerson is a person settled 2013–2017 as the NIR model needs them:
// settled refugees go on into the introduction programme.
type settledPerson struct {
	number        string // identity number as the settlement register shows it: fnr, or a D-number for some ASYL persons (never "")
	dnumber       bool
	birth         time.Time
	female        bool
	country       string
	given, family string
	kommune       string // settlement kommune, code valid on bosatt
	bosatt        time.Time
	em, skjult    bool
	kategori      string
}

// bosUnit is a household settled together, or a single person: its members
// share kategori, fra, decision date, settlement date and kommune.
type bosUnit struct {
	year     int // year of settlement; 0 for a unit still waiting in the last snapshot
	members  []*bosPerson
	familie  string // familie_id; "" for a single person
	kategori string
	fra      string
	country  string
	vedtak   int // day number (see dayNo)
	bosatt   int // day number; -1 while waiting
	born     int // day number of the youngest member's birth: nobody is decided on before birth
	kommune  string
	em       bool   // an unaccompanied minor
	bf       bool   // a household with a member under 18 and one aged 18 or more
	selv     bool   // avtalt selvbosetting
	skjult   bool   // protected identity
	regSecs  [2]int // time of day (seconds) the decision and the settlement were registered
}

// bosPerson is one member of a unit.
type bosPerson struct {
	duf            string
	number         string // fnr or D-number; "" for a waiting person without one
	dnumber        bool
	numberAtVedtak bool // the number is shown from the decision on (an asylum seeker's D-number)
	birth          time.Time
	female         bool
	given, family  string
	class          int // age class on the settlement date (see ageClass), kept when that date moves
}

func (u *bosUnit) size() int { return len(u.members) }

func (u *bosUnit) utlandet() bool { return u.fra == "UTLANDET" }

// Day numbers count days from bosEpoch; the fit works on them rather than on
// time.Time so that a step costs a few table look-ups.
var bosEpoch = date(2010, 1, 1)

func dayNo(t time.Time) int   { return days(bosEpoch, t) }
func dayDate(n int) time.Time { return bosEpoch.AddDate(0, 0, n) }

// plus3, plus6 and plus12 map a day number to the day number 3, 6 and 12
// calendar months later (addMonths, with its month-end clamp), for days
// up to 2021.
var plus3, plus6, plus12 = monthsLater(3), monthsLater(6), monthsLater(12)

func monthsLater(months int) []int {
	out := make([]int, dayNo(date(2021, 1, 1)))
	for d := range out {
		out[d] = dayNo(addMonths(dayDate(d), months))
	}
	return out
}

// ageClass is 0 under 15, 1 from 15 to 17, 2 from 18 on day t: the classes
// the indicators tell apart (unaccompanied minors under and over 15,
// children and adults of a household).
func ageClass(birth, t time.Time) int {
	switch a := age(birth, t); {
	case a < 15:
		return 0
	case a < 18:
		return 1
	}
	return 2
}

// bosYear is what the settlement of one year is calibrated to: the
// published figures times the factor, or plausible values where none are
// published.
type bosYear struct {
	year                                int
	settled, ovf, fam                   int
	emOver15, emUnder15                 int
	bfHouseholds, bfPersons, bfChildren int
	skjult, selv                        int
	selvKommuner                        int     // kommuner with self-settled persons; 0: not targeted
	emKommuner                          int     // kommuner that settle unaccompanied minors
	priorLo, priorHi                    int     // settled persons not from abroad decided before 1 January
	sp1, sp2, sp3                       float64 // percent within 6 and 12 months, minors within 3
	after12                             int     // settled more than 12 months after the decision; -1: not targeted
	wait, waitEM, waitBF                float64 // mean waits in months; 0: not targeted
}

// bosWaiting is the stock still waiting in the last snapshot (31.12.2017):
// persons in households with children, unaccompanied minors, others; of
// them, those decided more than 12 months before; and resettlement
// refugees with a permit who have not arrived (not in any stock).
type bosWaiting struct{ families, em, others, over12, ovf int }

// bosPlan is the whole set of targets of one replica.
type bosPlan struct {
	years    []bosYear
	waiting  bosWaiting
	requests []requestPlan
}

// plausible2013 gives the settlement figures of 2013, which the annual
// report 2017 does not publish: round values in line with the years after,
// so that the stock waiting on 31.12.2013 can feed 2014.
var plausible2013 = map[string]float64{
	"bosatte": 5900, "bosatte_ovf": 950, "bosatte_em_over15": 310, "bosatte_em_under15": 70,
	"barnefamilier": 720, "barnefamilier_personer": 2750, "barnefamilier_barn": 1480,
	"andel_bosatt_6mnd": 45, "andel_bosatt_12mnd": 75, "andel_em_bosatt_3mnd": 55,
}

// plausibleStock gives the stocks waiting on 31.12 before the published
// years ("about 4 900" at the end of 2013); the fit keeps them within 3 %.
var plausibleStock = map[int]float64{2012: 3100, 2013: 4900}

// plausibleAsked gives the number of kommuner asked to settle refugees in
// the years whose count is not published.
var plausibleAsked = map[int]float64{2013: 355, 2014: 390, 2015: 420}

// newBosPlan reads the published figures and scales them by factor into
// the targets of one replica. Figures the model needs but the file lacks
// are reported together.
func newBosPlan(r *rand.Rand, factor float64) (*bosPlan, error) {
	figs, err := reference.PublishedFigures()
	if err != nil {
		return nil, fmt.Errorf("settlement: %w", err)
	}
	pub := map[string]reference.Figure{}
	for _, f := range figs {
		if f.AsOf.IsZero() {
			pub[fmt.Sprintf("%s/%d", f.Indicator, f.Year)] = f
		}
	}
	var missing []string
	opt := func(id string, y int) (float64, bool) {
		f, ok := pub[fmt.Sprintf("%s/%d", id, y)]
		return f.Value, ok
	}
	get := func(id string, y int) float64 {
		if v, ok := opt(id, y); ok {
			return v
		}
		if v, ok := plausible2013[id]; ok && y == bosFirst {
			return v
		}
		missing = append(missing, fmt.Sprintf("%s %d", id, y))
		return 0
	}
	sc := func(v float64) int { return int(math.Round(v * factor)) }
	share := func(n int, s float64) int { return int(math.Round(float64(n) * s)) }

	p := &bosPlan{}
	for y := bosFirst; y <= bosLast; y++ {
		t := bosYear{year: y, after12: -1}
		t.settled = sc(get("bosatte", y))
		t.ovf = sc(get("bosatte_ovf", y))
		t.fam = share(t.settled, 0.035)
		t.emOver15 = sc(get("bosatte_em_over15", y))
		t.emUnder15 = sc(get("bosatte_em_under15", y))
		em := t.emOver15 + t.emUnder15
		t.bfHouseholds = sc(get("barnefamilier", y))
		t.bfPersons = sc(get("barnefamilier_personer", y))
		t.bfChildren = sc(get("barnefamilier_barn", y))
		// The persons of protected identity are what the published "other
		// adults" (which leave them out) do not account for.
		t.skjult = share(t.settled, 0.0048)
		if v, ok := opt("bosatte_andre_voksne", y); ok {
			t.skjult = max(0, t.settled-em-t.bfPersons-sc(v))
		}
		t.selv = share(t.settled, 0.04)
		if v, ok := opt("bosatte_selvbosatt", y); ok {
			t.selv = sc(v)
		}
		if v, ok := opt("kommuner_selvbosatt", y); ok {
			t.selvKommuner = max(1, sc(v))
		}
		t.emKommuner = share(em, 0.2)
		if v, ok := opt("kommuner_bosatt_em", y); ok {
			t.emKommuner = sc(v)
		}
		t.emKommuner = min(max(t.emKommuner, min(1, em)), em)
		t.sp1 = get("andel_bosatt_6mnd", y)
		t.sp2 = get("andel_bosatt_12mnd", y)
		t.sp3 = get("andel_em_bosatt_3mnd", y)
		if v, ok := opt("bosatt_etter_12mnd", y); ok {
			t.after12 = sc(v)
		}
		t.wait, _ = opt("ventetid_mnd", y)
		t.waitEM, _ = opt("ventetid_mnd_em", y)
		t.waitBF, _ = opt("ventetid_mnd_barnefamilier", y)
		// Everyone waiting on 31.12 of the year before is settled this year,
		// except those still waiting at the end of the data.
		if v, ok := opt("venter_3112", y-1); ok {
			t.priorLo, t.priorHi = sc(v), sc(v)
		} else {
			v := plausibleStock[y-1]
			t.priorLo, t.priorHi = sc(0.97*v), sc(1.03*v)
		}
		if y == bosLast {
			carry := sc(get("venter_3112_over12mnd", bosLast))
			t.priorLo -= carry
			t.priorHi -= carry
		}
		p.years = append(p.years, t)
	}
	w := &p.waiting
	total := sc(get("venter_3112", bosLast))
	w.families = sc(get("venter_3112_familie", bosLast))
	w.em = sc(get("venter_3112_em", bosLast))
	w.others = total - w.families - w.em
	w.over12 = sc(get("venter_3112_over12mnd", bosLast))
	w.ovf = sc(300)

	for aar := bosFirst; aar <= bosLast+1; aar++ {
		q := requestPlan{aar: aar}
		last := p.years[min(aar, bosLast)-bosFirst] // the settlement year, or the last one for next year's requests
		asked, ok := opt("kommuner_anmodet", aar)
		if !ok {
			asked = plausibleAsked[aar]
		}
		q.asked = sc(asked)
		q.decided = share(q.asked, 0.95)
		if v, ok := opt("kommuner_vedtatt", aar); ok {
			q.decided = sc(v)
		}
		q.anmodet = share(last.settled, 1.12)
		if f, ok := pub[fmt.Sprintf("anmodet/%d", aar)]; ok {
			v := f.Value
			if f.Kind == reference.KindApprox { // a rounded figure: a value near it
				v *= 1 + (r.Float64()-0.5)*0.01
			}
			q.anmodet = sc(v)
		}
		accept := 0.96
		if aar > bosLast {
			accept = 0.93
		}
		q.vedtatt = share(q.anmodet, accept)
		if v, ok := opt("vedtatt", aar); ok {
			q.vedtatt = sc(v)
		}
		em := last.emOver15 + last.emUnder15
		q.anmodetEM = share(em, 1.15)
		if v, ok := opt("anmodet_em", aar); ok {
			q.anmodetEM = sc(v)
		}
		q.vedtattEM = share(em, 1.02)
		q.emKommuner = last.emKommuner
		if aar > bosLast {
			q.vedtattEM = share(q.anmodetEM, 0.9)
			q.emKommuner = share(q.anmodetEM, 0.3)
		}
		p.requests = append(p.requests, q)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("settlement: published figures lack %s", strings.Join(missing, ", "))
	}
	return p, nil
}

// minFactor is the smallest factor newBosetting takes. Below it a year has
// too few persons for the published shares and means to be met together.
const minFactor = 0.01

// newBosetting draws and calibrates the settlement register of one replica.
// factor scales every count target (1 = the published figures; shares and
// means stay; kommune-count targets scale too and are exact only at factor 1).
func newBosetting(w *world, factor float64, log *slog.Logger) (*bosetting, error) {
	if !(factor >= minFactor) {
		return nil, fmt.Errorf("settlement: factor %v is below %v: a replica needs about a hundred persons a year for the published shares to be reachable", factor, minFactor)
	}
	p, err := newBosPlan(w.rng("bosetting", "plan"), factor)
	if err != nil {
		return nil, err
	}
	b := &bosetting{w: w}
	if err := b.drawRequests(p); err != nil {
		return nil, err
	}
	for _, t := range p.years {
		units, err := b.drawYear(t)
		if err != nil {
			return nil, fmt.Errorf("settlement %d: %w", t.year, err)
		}
		steps, err := b.fitYear(t, units)
		if err != nil {
			return nil, fmt.Errorf("settlement %d: %w", t.year, err)
		}
		if err := b.placeYear(t, units); err != nil {
			return nil, fmt.Errorf("settlement %d: %w", t.year, err)
		}
		log.Debug("settlement year calibrated", "replica", w.replica, "year", t.year, "units", len(units), "steps", steps)
		b.units = append(b.units, units...)
	}
	waiting, err := b.drawWaiting(p.waiting)
	if err != nil {
		return nil, fmt.Errorf("settlement, waiting on 31.12.%d: %w", bosLast, err)
	}
	b.units = append(b.units, waiting...)
	b.identify()
	if err := b.checkKommuner(); err != nil {
		return nil, err
	}
	log.Debug("settlement model drawn", "replica", w.replica, "factor", factor, "units", len(b.units))
	return b, nil
}

// drawYear draws the units settled in year t.year with the structure the
// published counts fix exactly: unaccompanied minors by age group,
// households with children (households, persons and children), other
// adults (with the persons of protected identity), resettlement refugees
// and self-settled persons. Settlement dates get a first draw over the
// year; fitYear draws and calibrates the decision dates.
func (b *bosetting) drawYear(t bosYear) ([]*bosUnit, error) {
	r := b.w.rng("bosetting", "units", strconv.Itoa(t.year))
	dd := newDayDrawer(t.year)
	var units []*bosUnit
	newUnit := func(kategori string) *bosUnit {
		u := &bosUnit{year: t.year, kategori: kategori, country: country(r, t.year), bosatt: dd.draw(r)}
		u.regSecs = [2]int{8*3600 + r.IntN(8*3600), 8*3600 + r.IntN(8*3600)}
		units = append(units, u)
		return u
	}

	// Unaccompanied minors: each a unit of their own, ages fixed on the
	// settlement date.
	for i := range t.emOver15 + t.emUnder15 {
		u := newUnit("ASYL")
		u.em = true
		age, female := 15+pickIndex(r, []float64{3, 4, 4}), r.Float64() < 0.1
		u.fra = fromMottak(r)
		if i >= t.emOver15 {
			age, female = 8+pickIndex(r, []float64{1, 1, 2, 2, 3, 4, 5}), r.Float64() < 0.3
			u.fra = "OMSORGSSENTER"
		}
		u.members = []*bosPerson{newMember(r, age, dayDate(u.bosatt), female)}
		nameSingle(r, u)
	}

	// Households with children: exact households, persons and children.
	adults := t.bfPersons - t.bfChildren
	if t.bfHouseholds > 0 {
		as, err := splitSizes(r, t.bfHouseholds, adults, 1, 3, func() int { return 1 + pickIndex(r, []float64{22, 72, 6}) })
		if err != nil {
			return nil, fmt.Errorf("adults of households with children: %w", err)
		}
		cs, err := splitSizes(r, t.bfHouseholds, t.bfChildren, 1, 8, func() int { return 1 + pickIndex(r, []float64{30, 30, 20, 11, 5, 3, 1}) })
		if err != nil {
			return nil, fmt.Errorf("children of households with children: %w", err)
		}
		for i := range t.bfHouseholds {
			u := newUnit("")
			u.bf = true
			buildFamily(r, u, as[i], cs[i], dayDate(u.bosatt))
		}
	} else if t.bfPersons > 0 {
		return nil, errors.New("persons in households with children but no households")
	}

	// Other adults: singles and couples without children.
	others := t.settled - t.emOver15 - t.emUnder15 - t.bfPersons
	if others < t.skjult {
		return nil, fmt.Errorf("%d other adults cannot hold %d persons of protected identity", others, t.skjult)
	}
	inCouples := int(math.Round(0.08 * float64(others)))
	for i := range others - inCouples {
		u := newUnit("")
		on := dayDate(u.bosatt)
		u.members = []*bosPerson{newMember(r, singleAge(r), on, r.Float64() < 0.3)}
		nameSingle(r, u)
		if i < t.skjult {
			u.skjult = true
		}
	}
	for range inCouples / 2 {
		u := newUnit("")
		buildFamily(r, u, 2, 0, dayDate(u.bosatt))
	}
	if inCouples%2 == 1 { // an odd person: one more single
		u := newUnit("")
		u.members = []*bosPerson{newMember(r, singleAge(r), dayDate(u.bosatt), false)}
		nameSingle(r, u)
	}

	// Kategori: resettlement refugees exactly, family reunification a small
	// plausible share, the rest from reception centres.
	var cands []*bosUnit
	for _, u := range units {
		if !u.em && !u.skjult {
			cands = append(cands, u)
		}
	}
	// Resettlement refugees come as families more often than others do;
	// self-settled persons less often.
	families := func(w float64) func(*bosUnit) float64 {
		return func(u *bosUnit) float64 {
			if u.bf {
				return w
			}
			return 1
		}
	}
	ovf, ok := pickUnits(r, cands, families(1.6), t.ovf)
	if !ok {
		return nil, fmt.Errorf("cannot choose %d resettlement refugees", t.ovf)
	}
	for _, u := range ovf {
		u.kategori, u.fra = "OVF", "UTLANDET"
	}
	fam, _ := pickUnits(r, unitsWhere(cands, func(u *bosUnit) bool { return u.kategori == "" }), nil, t.fam)
	for _, u := range fam {
		u.kategori, u.fra = "FAM", "UTLANDET"
	}
	for _, u := range units {
		if u.kategori == "" {
			u.kategori, u.fra = "ASYL", fromMottak(r)
		}
	}
	selv, ok := pickUnits(r, unitsWhere(cands, func(u *bosUnit) bool { return u.kategori == "ASYL" }), families(0.7), t.selv)
	if !ok {
		return nil, fmt.Errorf("cannot choose %d self-settled persons", t.selv)
	}
	for _, u := range selv {
		u.selv = true
	}

	for _, u := range units {
		u.setBorn()
	}
	return units, nil
}

// setBorn records the youngest member's birth day.
func (u *bosUnit) setBorn() {
	u.born = 0
	for _, p := range u.members {
		u.born = max(u.born, dayNo(p.birth))
	}
}

// fromMottak draws where an adult asylum refugee is settled from.
func fromMottak(r *rand.Rand) string {
	if r.Float64() < 0.1 {
		return "INTEGRERINGSMOTTAK"
	}
	return "MOTTAK"
}

// newMember returns a person aged exactly age (whole years) on day on.
func newMember(r *rand.Rand, age int, on time.Time, female bool) *bosPerson {
	b := birthFor(r, age, on)
	return &bosPerson{birth: b, female: female, class: ageClass(b, on)}
}

// singleAge draws the age of an adult settled without children: mostly
// young, as most refugees who come alone are.
func singleAge(r *rand.Rand) int {
	switch pickIndex(r, []float64{35, 40, 18, 7}) {
	case 0:
		return 18 + r.IntN(7)
	case 1:
		return 25 + r.IntN(10)
	case 2:
		return 35 + r.IntN(15)
	}
	return 50 + r.IntN(16)
}

// buildFamily fills u with a household of adults adults and children
// children, ages on day on: a head of 24–50, a spouse of about the same
// age, a third adult who is a grown child or a grandparent, and children
// young enough to be the parents'. The household shares a family name.
func buildFamily(r *rand.Rand, u *bosUnit, adults, children int, on time.Time) {
	head := 24 + r.IntN(14) + r.IntN(14)
	if children == 0 {
		head = 20 + r.IntN(12) + r.IntN(14)
	}
	headFemale := adults == 1 && children > 0 && r.Float64() < 0.75
	youngest := head
	u.members = []*bosPerson{newMember(r, head, on, headFemale)}
	if adults >= 2 {
		a := max(18, head-6+r.IntN(10))
		youngest = min(youngest, a)
		u.members = append(u.members, newMember(r, a, on, !headFemale))
	}
	for i := 2; i < adults; i++ {
		a := 52 + r.IntN(18) // a grandparent
		if head >= 36 && r.Float64() < 0.5 {
			a = 18 + r.IntN(min(7, head-35)) // a grown child
		}
		u.members = append(u.members, newMember(r, a, on, r.Float64() < 0.5))
	}
	oldest := min(17, youngest-17)
	for range children {
		u.members = append(u.members, newMember(r, r.IntN(oldest+1), on, r.Float64() < 0.5))
	}
	family := familyName(r, u.country)
	for i, p := range u.members {
		p.given, p.family = personName(r, u.country, p.female)
		if i != 1 || r.Float64() < 0.5 { // a spouse keeps her or his own name half the time
			p.family = family
		}
	}
	u.familie = "pending" // numbered by identify, in unit order
}

// nameSingle names the single member of u.
func nameSingle(r *rand.Rand, u *bosUnit) {
	p := u.members[0]
	p.given, p.family = personName(r, u.country, p.female)
}

// splitSizes draws n sizes with draw, clamped to [lo, hi], and then moves
// them one at a time until they sum to total exactly.
func splitSizes(r *rand.Rand, n, total, lo, hi int, draw func() int) ([]int, error) {
	if total < n*lo || total > n*hi {
		return nil, fmt.Errorf("%d cannot be split into %d parts of %d to %d", total, n, lo, hi)
	}
	s := make([]int, n)
	sum := 0
	for i := range s {
		s[i] = min(max(draw(), lo), hi)
		sum += s[i]
	}
	for sum != total {
		i := r.IntN(n)
		switch {
		case sum < total && s[i] < hi:
			s[i]++
			sum++
		case sum > total && s[i] > lo:
			s[i]--
			sum--
		}
	}
	return s, nil
}

// pickIndex draws an index with probability proportional to weights.
func pickIndex(r *rand.Rand, weights []float64) int {
	var t float64
	for _, w := range weights {
		t += w
	}
	x := r.Float64() * t
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// unitsWhere returns the units of us that keep holds for.
func unitsWhere(us []*bosUnit, keep func(*bosUnit) bool) []*bosUnit {
	var out []*bosUnit
	for _, u := range us {
		if keep(u) {
			out = append(out, u)
		}
	}
	return out
}

// pickUnits chooses units from cands in a random order weighted by weight
// (nil: all alike), taking each that still fits, until their persons number
// exactly target; it reports whether it got there. Single persons among the
// candidates make any remainder reachable.
func pickUnits(r *rand.Rand, cands []*bosUnit, weight func(*bosUnit) float64, target int) ([]*bosUnit, bool) {
	type keyed struct {
		u   *bosUnit
		key float64
	}
	ks := make([]keyed, len(cands))
	for i, u := range cands {
		w := 1.0
		if weight != nil {
			w = weight(u)
		}
		ks[i] = keyed{u, math.Log(r.Float64()) / w}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].key > ks[j].key })
	var out []*bosUnit
	sum := 0
	for _, k := range ks {
		if sum == target {
			break
		}
		if sum+k.u.size() <= target {
			out = append(out, k.u)
			sum += k.u.size()
		}
	}
	return out, sum == target
}

// dayDrawer draws settlement dates over a year: months weighted after the
// year's pattern (fewer in July; 2015–2016 rising with the arrivals of
// autumn 2015, 2017 front-loaded as the queue from 2016 was worked off),
// and weekends rarely.
type dayDrawer struct {
	first int
	cum   []float64
}

var monthWeights = map[int][12]float64{
	2013: {8, 8, 9, 9, 9, 8, 5, 7, 9, 9, 9, 10},
	2014: {10, 10, 10, 9, 9, 8, 5, 7, 8, 8, 8, 8},
	2015: {7, 7, 7, 7, 8, 8, 5, 8, 9, 10, 11, 12},
	2016: {9, 9, 10, 10, 10, 9, 6, 8, 9, 10, 10, 9},
	2017: {13, 12, 12, 11, 10, 9, 6, 7, 7, 7, 6, 5},
}

func newDayDrawer(year int) *dayDrawer {
	mw := monthWeights[year]
	d := &dayDrawer{first: dayNo(date(year, 1, 1))}
	var total float64
	for t := date(year, 1, 1); t.Year() == year; t = t.AddDate(0, 0, 1) {
		w := mw[t.Month()-1]
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= 0.1
		}
		total += w
		d.cum = append(d.cum, total)
	}
	return d
}

func (d *dayDrawer) draw(r *rand.Rand) int {
	return d.first + sort.SearchFloat64s(d.cum, r.Float64()*d.cum[len(d.cum)-1])
}

// minWait is the shortest wait from decision to settlement: a few days from
// a reception centre, some weeks from abroad.
func minWait(u *bosUnit) int {
	if u.utlandet() {
		return 21
	}
	return 7
}

// vedtakBounds gives the decision dates allowed for a unit settled on day
// b of year: not before 1 January of the year before (so that nobody is in
// two past waiting stocks), not more than two years before, and at least
// minWait before.
func vedtakBounds(u *bosUnit, b, year int) (lo, hi int) {
	return max(dayNo(date(year-1, 1, 1)), b-730, u.born), b - minWait(u)
}

// waitPrior is the prior of a year's waiting times: log-normal, for
// minors and for the others apart. The others' follows from the published
// shares within 6 and 12 months (two quantiles fix a log-normal); the
// minors' from the share within 3 months and their mean wait where it is
// published. The fit then bends the draws as little as it must.
type waitPrior struct {
	year                     int
	mu, sigma, muEM, sigmaEM float64
}

// Days in 3, 6 and 12 months on average.
const (
	days3  = 91.3
	days6  = 182.6
	days12 = 365.25
)

func newWaitPrior(t bosYear) *waitPrior {
	z := func(pct float64) float64 { return math.Sqrt2 * math.Erfinv(2*pct/100-1) }
	p := &waitPrior{year: t.year}
	z6, z12 := z(t.sp1), z(t.sp2)
	p.sigma = max(0.1, math.Log(days12/days6)/(z12-z6))
	p.mu = math.Log(days6) - z6*p.sigma
	// For the minors, mean = exp(mu + s²/2) with mu = ln(days3) - z3·s
	// gives s²/2 - z3·s + ln(days3/mean) = 0; when no s fits, the s that
	// comes nearest.
	z3 := z(t.sp3)
	p.sigmaEM = 0.6
	if t.waitEM > 0 {
		d := z3*z3 - 2*math.Log(days3/(t.waitEM*30.4375))
		p.sigmaEM = z3
		if d > 0 {
			p.sigmaEM = z3 + math.Sqrt(d)
		}
		p.sigmaEM = max(p.sigmaEM, 0.2)
	}
	p.muEM = math.Log(days3) - z3*p.sigmaEM
	return p
}

// wait draws a waiting time in days for unit u.
func (p *waitPrior) wait(r *rand.Rand, u *bosUnit) int {
	if u.em {
		return int(math.Exp(p.muEM + p.sigmaEM*r.NormFloat64()))
	}
	return int(math.Exp(p.mu + p.sigma*r.NormFloat64()))
}

// vedtakFor draws a decision day for unit u settled on day b: a wait from
// the prior, drawn again while it falls outside the allowed dates.
func (p *waitPrior) vedtakFor(r *rand.Rand, u *bosUnit, b int) int {
	lo, hi := vedtakBounds(u, b, p.year)
	for range 20 {
		if v := b - p.wait(r, u); v >= lo && v <= hi {
			return v
		}
	}
	return lo + r.IntN(max(1, hi-lo+1))
}

// The sums of a year's fit.
const (
	sPersons = iota
	sWithin6
	sWithin12
	sEM
	sEMWithin3
	sWait
	sWaitEM
	sBF
	sWaitBF
	sPrior // persons not from abroad with a decision before 1 January: the stock of 31.12 the year before
	nSums
)

// yearFit is the calibration of one settlement year's dates.
type yearFit struct {
	t        bosYear
	units    []*bosUnit
	prior    *waitPrior
	jan1     int
	dd       *dayDrawer
	old, new []float64
	tmp      []float64
	pending  []unitChange // the changes proposed last, applied by commit
}

// contrib writes what unit u adds to the sums with decision day v and
// settlement day b.
func (y *yearFit) contrib(u *bosUnit, v, b int, out []float64) []float64 {
	clear(out)
	n := float64(u.size())
	wait := n * float64(b-v)
	out[sPersons] = n
	out[sWait] = wait
	if b <= plus6[v] {
		out[sWithin6] = n
	}
	if b <= plus12[v] {
		out[sWithin12] = n
	}
	if u.em {
		out[sEM] = n
		out[sWaitEM] = wait
		if b <= plus3[v] {
			out[sEMWithin3] = n
		}
	}
	if u.bf {
		out[sBF] = n
		out[sWaitBF] = wait
	}
	if !u.utlandet() && v < y.jan1 {
		out[sPrior] = n
	}
	return out
}

// propose draws a change of unit i and, one time in four, of another unit
// as well, so that two changes can make up for each other where neither
// alone is an improvement.
func (y *yearFit) propose(i int, r *rand.Rand) (old, new []float64, commit func()) {
	y.pending = y.pending[:0]
	if !y.change(y.units[i], r) {
		return nil, nil, nil
	}
	if r.IntN(4) == 0 {
		if j := r.IntN(len(y.units)); j != i && !y.change(y.units[j], r) {
			return nil, nil, nil
		}
	}
	clear(y.old)
	clear(y.new)
	for _, c := range y.pending {
		for k, v := range y.contrib(c.u, c.u.vedtak, c.u.bosatt, y.tmp) {
			y.old[k] += v
		}
		for k, v := range y.contrib(c.u, c.v, c.b, y.tmp) {
			y.new[k] += v
		}
	}
	return y.old, y.new, y.commit
}

// change draws a change of unit u and queues it: a fresh wait from the
// prior, a small shift of the decision, any allowed decision date, or
// (rarely) another settlement date in the year where the members' age
// classes stay. It reports whether it found one.
func (y *yearFit) change(u *bosUnit, r *rand.Rand) bool {
	v, b := u.vedtak, u.bosatt
	switch x := r.Float64(); {
	case x < 0.45:
		v = y.prior.vedtakFor(r, u, b)
	case x < 0.8:
		v += r.IntN(41) - 20
	case x < 0.9:
		lo, hi := vedtakBounds(u, b, y.t.year)
		v = lo + r.IntN(max(1, hi-lo+1))
	default:
		b = y.dd.draw(r)
		if !u.agesHold(b) {
			return false
		}
	}
	if lo, hi := vedtakBounds(u, b, y.t.year); v < lo || v > hi || (v == u.vedtak && b == u.bosatt) {
		return false
	}
	y.pending = append(y.pending, unitChange{u, v, b})
	return true
}

// unitChange is a proposed decision and settlement day of a unit.
type unitChange struct {
	u    *bosUnit
	v, b int
}

func (y *yearFit) commit() {
	for _, c := range y.pending {
		c.u.vedtak, c.u.bosatt = c.v, c.b
	}
}

// agesHold reports whether every member keeps its age class if the unit is
// settled on day b.
func (u *bosUnit) agesHold(b int) bool {
	on := dayDate(b)
	for _, p := range u.members {
		if ageClass(p.birth, on) != p.class {
			return false
		}
	}
	return true
}

// fitAttempts is how many times a year's fit starts afresh from the prior
// when the local search gets stuck (it rarely does, and then only in a
// small replica); each attempt has a budget of fitStepsPerUnit steps per
// unit and at least fitMinSteps.
const (
	fitAttempts     = 5
	fitStepsPerUnit = 200
	fitMinSteps     = 200_000
)

// fitYear calibrates the decision and settlement dates of a year's units
// to the shares within 3, 6 and 12 months, the mean waits and the stock
// that waited on 31.12 of the year before. It returns the steps taken.
func (b *bosetting) fitYear(t bosYear, units []*bosUnit) (int, error) {
	y := &yearFit{t: t, units: units, jan1: dayNo(date(t.year, 1, 1)), dd: newDayDrawer(t.year),
		old: make([]float64, nSums), new: make([]float64, nSums), tmp: make([]float64, nSums)}
	y.prior = newWaitPrior(t)
	r := b.w.rng("bosetting", "fit", strconv.Itoa(t.year))
	total := 0
	for attempt := 1; ; attempt++ {
		f := y.start(r)
		total += f.run(r, len(units), max(fitMinSteps, fitStepsPerUnit*len(units)), y.propose)
		if f.loss() == 0 {
			return total, nil
		}
		if attempt == fitAttempts {
			return total, fmt.Errorf("calibration failed after %d steps: %s", total, strings.Join(f.failing(), ", "))
		}
	}
}

// start draws every unit's decision day from the prior and returns a
// fitter over the units with the year's checks.
func (y *yearFit) start(r *rand.Rand) *fitter {
	t := y.t
	f := newFitter(nSums)
	var n, em, bf int
	for _, u := range y.units {
		u.vedtak = y.prior.vedtakFor(r, u, u.bosatt)
		f.include(y.contrib(u, u.vedtak, u.bosatt, y.old))
		n += u.size()
		if u.em {
			em++
		}
		if u.bf {
			bf += u.size()
		}
	}
	name := func(id string) string { return fmt.Sprintf("%s %d", id, t.year) }
	f.addPercent(name("andel_bosatt_6mnd"), sWithin6, sPersons, feasiblePercent(t.sp1, n))
	sp2 := feasiblePercent(t.sp2, n)
	f.addPercent(name("andel_bosatt_12mnd"), sWithin12, sPersons, sp2)
	if t.after12 >= 0 {
		f.addCount(name("bosatt_etter_12mnd"), sWithin12, float64(nearestCount(n-t.after12, n, sp2)))
	}
	if em > 0 {
		f.addPercent(name("andel_em_bosatt_3mnd"), sEMWithin3, sEM, feasiblePercent(t.sp3, em))
	}
	for _, m := range []struct {
		id       string
		sum, den int
		v        float64
		n        int
	}{{"ventetid_mnd", sWait, sPersons, t.wait, n}, {"ventetid_mnd_em", sWaitEM, sEM, t.waitEM, em}, {"ventetid_mnd_barnefamilier", sWaitBF, sBF, t.waitBF, bf}} {
		if m.v > 0 && m.n > 0 {
			f.addMean(name(m.id), m.sum, m.den, 30.4375, m.v)
		}
	}
	f.addRange(fmt.Sprintf("venter_3112 %d still waiting", t.year-1), sPrior, float64(t.priorLo), float64(t.priorHi))
	return f
}

// feasiblePercent returns pct if some count k of n rounds (100k/n, half up)
// to it, and otherwise the percentage the nearest count gives: with a
// small replica the published share may not be reachable.
func feasiblePercent(pct float64, n int) float64 {
	k := int(math.Round(pct * float64(n) / 100))
	if n == 0 || roundsTo(nearestCount(k, n, pct), n, pct) {
		return pct
	}
	return math.Floor(100*float64(k)/float64(n) + 0.5)
}

// roundsTo reports whether 100k/n rounded half up is the whole percentage
// pct, in integers.
func roundsTo(k, n int, pct float64) bool {
	p := int(pct)
	return 200*k >= (2*p-1)*n && 200*k < (2*p+1)*n
}

// nearestCount returns the count nearest k (k itself if it fits) whose
// share of n rounds to pct, or k if none does: a count target scaled by a
// factor must still agree with the share published with it.
func nearestCount(k, n int, pct float64) int {
	for d := 0; d <= n; d++ {
		if k-d >= 0 && roundsTo(k-d, n, pct) {
			return k - d
		}
		if k+d <= n && roundsTo(k+d, n, pct) {
			return k + d
		}
	}
	return k
}

// placeYear gives every unit settled in year t its kommune. Unaccompanied
// minors go to exactly the kommuner that decided to settle minors that
// year, each at least one; self-settled persons to exactly t.selvKommuner
// kommuner where the target is set; everyone else mostly to kommuner that
// decided to settle refugees, in proportion to their decision, and a few
// elsewhere.
func (b *bosetting) placeYear(t bosYear, units []*bosUnit) error {
	r := b.w.rng("bosetting", "kommuner", strconv.Itoa(t.year))
	ry := b.requestsFor(t.year)
	if ry == nil {
		return errors.New("no requests drawn for the year")
	}
	decided, dw := ry.decided()
	main := weightedPicker(decided, dw)
	anywhere := b.w.picker(date(t.year, 1, 1), 0.5, nil)
	ordinary := func() string {
		if r.Float64() < 0.04 {
			return anywhere.pick(r)
		}
		return main.pick(r)
	}
	var ems, selv []*bosUnit
	for _, u := range units {
		switch {
		case u.em:
			ems = append(ems, u)
		case u.selv && t.selvKommuner > 0:
			selv = append(selv, u)
		default:
			u.kommune = ordinary()
		}
	}
	emCodes, emWeights := ry.decidedEM()
	if len(emCodes) == 0 { // a replica too small for kommuner set aside for minors
		emCodes, emWeights = decided, dw
	}
	if err := spread(r, ems, emCodes, emWeights); err != nil {
		return fmt.Errorf("unaccompanied minors: %w", err)
	}
	if len(selv) > 0 {
		k := min(t.selvKommuner, len(selv))
		weight := make(map[string]float64, len(decided))
		for i, c := range decided {
			weight[c] = dw[i]
		}
		codes := sampleCodes(r, decided, func(c string) float64 { return weight[c] }, k)
		ws := make([]float64, len(codes))
		for i, c := range codes {
			ws[i] = weight[c]
		}
		if err := spread(r, selv, codes, ws); err != nil {
			return fmt.Errorf("self-settled persons: %w", err)
		}
	}
	return nil
}

// spread places units so that every code gets at least one (the first
// len(codes) units of a random order) and the rest in proportion to
// weights.
func spread(r *rand.Rand, units []*bosUnit, codes []string, weights []float64) error {
	if len(units) == 0 {
		return nil
	}
	if len(units) < len(codes) {
		return fmt.Errorf("%d units cannot cover %d kommuner", len(units), len(codes))
	}
	if len(codes) == 0 {
		return errors.New("no kommuner to place units in")
	}
	p := weightedPicker(codes, weights)
	for j, i := range r.Perm(len(units)) {
		if j < len(codes) {
			units[i].kommune = codes[j]
		} else {
			units[i].kommune = p.pick(r)
		}
	}
	return nil
}

// weightedPicker returns a picker of codes with probability proportional to
// weights.
func weightedPicker(codes []string, weights []float64) *kommunePicker {
	p := &kommunePicker{codes: codes}
	var total float64
	for _, w := range weights {
		total += w
		p.cum = append(p.cum, total)
	}
	return p
}

// sampleCodes draws n distinct codes, each more likely the larger its
// weight (Efraimidis and Spirakis' weighted sampling without replacement).
func sampleCodes(r *rand.Rand, codes []string, weight func(string) float64, n int) []string {
	type keyed struct {
		code string
		key  float64
	}
	ks := make([]keyed, len(codes))
	for i, c := range codes {
		ks[i] = keyed{c, math.Log(r.Float64()) / weight(c)}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].key > ks[j].key })
	out := make([]string, 0, n)
	for _, k := range ks[:min(n, len(ks))] {
		out = append(out, k.code)
	}
	return out
}

// drawWaiting draws the persons still waiting for settlement in the last
// snapshot: the published stock of 31.12.2017 by group (households with
// children, unaccompanied minors, others), those of them decided more than
// 12 months before (decided in 2016, so also waiting on 31.12.2016), and a
// few resettlement refugees decided late in 2017 who have not yet arrived
// (from abroad, so in no stock).
func (b *bosetting) drawWaiting(wt bosWaiting) ([]*bosUnit, error) {
	r := b.w.rng("bosetting", "waiting")
	end := date(bosLast, 12, 31)
	var units []*bosUnit
	newUnit := func(kategori string) *bosUnit {
		u := &bosUnit{kategori: kategori, country: country(r, bosLast), bosatt: -1}
		u.regSecs = [2]int{8*3600 + r.IntN(8*3600), 0}
		units = append(units, u)
		return u
	}
	families := func(persons int, kategori string) {
		for persons >= 2 {
			a := 1 + pickIndex(r, []float64{25, 75})
			c := min(1+pickIndex(r, []float64{30, 30, 20, 11, 5, 3, 1}), persons-a)
			if c < 1 {
				a, c = 1, 1
			}
			if persons-a-c == 1 { // leave no lone person over
				c++
			}
			u := newUnit(kategori)
			u.bf = true
			buildFamily(r, u, a, c, end)
			persons -= a + c
		}
	}
	if wt.families == 1 {
		return nil, errors.New("one person cannot form a household with children")
	}
	families(wt.families, "ASYL")
	for range wt.em {
		u := newUnit("ASYL")
		u.em = true
		u.members = []*bosPerson{newMember(r, 9+pickIndex(r, []float64{1, 1, 2, 2, 3, 4, 5, 6, 6}), end, r.Float64() < 0.15)}
		nameSingle(r, u)
	}
	for persons := wt.others; persons > 0; {
		u := newUnit("ASYL")
		if persons >= 2 && r.Float64() < 0.15 {
			buildFamily(r, u, 2, 0, end)
		} else {
			u.members = []*bosPerson{newMember(r, singleAge(r), end, r.Float64() < 0.3)}
			nameSingle(r, u)
		}
		persons -= u.size()
	}
	for _, u := range units {
		switch {
		case u.em && u.members[0].class == 0:
			u.fra = "OMSORGSSENTER"
		default:
			u.fra = fromMottak(r)
		}
	}
	first := dayNo(date(bosLast-1, 1, 1))
	for _, u := range units {
		u.setBorn()
	}
	old, ok := pickUnits(r, unitsWhere(units, func(u *bosUnit) bool { return u.born < first }), func(u *bosUnit) float64 {
		if u.em {
			return 0.5
		}
		return 1
	}, wt.over12)
	if !ok {
		return nil, fmt.Errorf("cannot choose %d persons waiting more than 12 months", wt.over12)
	}
	for _, u := range units {
		u.vedtak = max(dayNo(end)-int(r.ExpFloat64()*75), dayNo(date(bosLast, 1, 1)), u.born)
	}
	for _, u := range old {
		// Decided in 2016 (before 31.12, so the 12 months are over by
		// 31.12.2017), mostly in its second half.
		u.vedtak = dayNo(date(bosLast-1, 12, 30)) - min(int(r.ExpFloat64()*90), 363)
	}
	// Resettlement refugees with a permit, not yet arrived.
	n := len(units)
	families(wt.ovf*2/3, "OVF")
	for range wt.ovf - wt.ovf*2/3 {
		u := newUnit("OVF")
		u.members = []*bosPerson{newMember(r, singleAge(r), end, r.Float64() < 0.4)}
		nameSingle(r, u)
	}
	for _, u := range units[n:] {
		u.setBorn()
		u.fra = "UTLANDET"
		u.vedtak = max(dayNo(date(bosLast, 9, 1))+r.IntN(120), u.born)
	}
	return units, nil
}

// identify gives every person a DUF number and (settled persons, and some
// waiting asylum refugees) an identity number, and every household its
// familie_id, in unit order so that the same seed gives the same numbers.
func (b *bosetting) identify() {
	r := b.w.rng("bosetting", "identity")
	for _, u := range b.units {
		if u.familie != "" {
			u.familie = "F" + leftPad(strconv.FormatUint(b.w.serial("familie"), 10), 9)
		}
		year := dayDate(u.vedtak).Year()
		for _, p := range u.members {
			p.duf = b.w.duf(year)
			asyl := u.kategori == "ASYL"
			switch {
			case u.bosatt >= 0:
				p.dnumber = asyl && r.Float64() < 0.15
				p.numberAtVedtak = p.dnumber && r.Float64() < 0.3
			case asyl && r.Float64() < 0.12:
				p.dnumber, p.numberAtVedtak = true, true
			default:
				continue
			}
			p.number = b.w.number(r, p.birth, p.female, p.dnumber)
		}
	}
}

// checkKommuner makes sure every settled unit's kommune is valid on its
// settlement date, which the placement should already guarantee.
func (b *bosetting) checkKommuner() error {
	for _, u := range b.units {
		if u.bosatt >= 0 && !b.w.ref.ValidOn(u.kommune, dayDate(u.bosatt)) {
			return fmt.Errorf("settlement %d: kommune %s not valid on the settlement date", u.year, u.kommune)
		}
	}
	return nil
}

// settledPersons lists everyone settled 2013–2017, in a deterministic
// order, for the NIR model.
func (b *bosetting) settledPersons() []settledPerson {
	var out []settledPerson
	for _, u := range b.units {
		if u.bosatt < 0 {
			continue
		}
		for _, p := range u.members {
			out = append(out, settledPerson{
				number: p.number, dnumber: p.dnumber, birth: p.birth, female: p.female,
				country: u.country, given: p.given, family: p.family,
				kommune: u.kommune, bosatt: dayDate(u.bosatt),
				em: u.em, skjult: u.skjult, kategori: u.kategori,
			})
		}
	}
	return out
}

// emit writes personer.jsonl.gz and anmodninger.csv as known at d.at, a
// full snapshot: a person appears once decided, with settlement date,
// kommune and identity number once settled. Requests are per kommune, so
// only the first replica writes them (its figures, not the replicas' sum).
func (b *bosetting) emit(d *deliveryOut) error {
	day := dayNo(d.day)
	t := d.table("personer")
	col, err := columnsOf(t, "duf", "fnr", "fornavn", "etternavn", "fodselsdato", "kjonn", "nasjonalitet", "kategori",
		"enslig_mindreaarig", "familie_id", "vedtak_dato", "bosatt_dato", "kommunenummer", "fra",
		"avtalt_selvbosetting", "skjult_identitet", "sist_endret")
	if err != nil {
		return err
	}
	v := make([]string, len(t.t.Cols))
	for _, u := range b.units {
		if u.vedtak > day {
			continue
		}
		settled := u.bosatt >= 0 && u.bosatt <= day
		changed := timestamp(u.vedtak, u.regSecs[0])
		bosatt, kommune := "", ""
		if settled {
			changed = timestamp(u.bosatt, u.regSecs[1])
			bosatt, kommune = dayDate(u.bosatt).Format(time.DateOnly), u.kommune
		}
		for _, p := range u.members {
			number := ""
			if settled || p.numberAtVedtak {
				number = p.number
			}
			kjonn := "M"
			if p.female {
				kjonn = "K"
			}
			for i, s := range []string{p.duf, number, p.given, p.family, p.birth.Format(time.DateOnly), kjonn, u.country, u.kategori,
				yesNo(u.em), u.familie, dayDate(u.vedtak).Format(time.DateOnly), bosatt, kommune, u.fra,
				yesNo(u.selv), yesNo(u.skjult), changed} {
				v[col[i]] = s
			}
			t.row(v...)
		}
	}
	if b.w.replica == 0 {
		return b.emitRequests(d)
	}
	return nil
}

// columnsOf returns the positions of the named columns in t's contract
// order.
func columnsOf(t *tableOut, names ...string) ([]int, error) {
	if len(names) != len(t.t.Cols) {
		return nil, fmt.Errorf("contract table %s has %d columns, the model writes %d", t.t.File, len(t.t.Cols), len(names))
	}
	idx := make([]int, len(names))
	for i, n := range names {
		if idx[i] = t.t.Index(n); idx[i] < 0 {
			return nil, fmt.Errorf("contract table %s has no column %q", t.t.File, n)
		}
	}
	return idx, nil
}

// timestamp formats day number d at secs seconds after midnight as a
// contract timestamp.
func timestamp(d, secs int) string {
	return dayDate(d).Add(time.Duration(secs) * time.Second).Format(time.DateTime)
}

func yesNo(b bool) string {
	if b {
		return "J"
	}
	return "N"
}
