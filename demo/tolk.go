package demo

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"integstat/extract/delivery"
	"integstat/extract/reference"
)

// The interpreter-register model. Every interpreter is drawn from a prior
// (registered from 2005 on, more each year as the refugee arrivals of
// 2014–2016 raised demand; some leave the register; one to three languages,
// each with a qualification category that may improve over the years), and
// the fitter then redraws interpreters until the figures of indicators.md
// ("Interpreters"), computed on 31 December of each published year, hit the
// published ones. Identity, names, residence and the times of day of every
// change are drawn only after the fit, from each interpreter's own stream.
//
// Every change is registered on the day it takes effect, in office hours, so
// no snapshot at 23:00 ever disagrees with a later one about a past day: the
// newest state gives every published figure, as the reference README says.

// tolkHorizon is the last day the interpreter register describes: the day of
// its last delivery.
var tolkHorizon = date(2017, time.December, 31)

// tolkNewest is the instant of the newest state: the last snapshot.
var tolkNewest = time.Date(2017, time.December, 31, 23, 0, 0, 0, delivery.Oslo)

// tolkStart is the day the national register opened.
var tolkStart = date(2005, time.January, 1)

// tolkLanguage is a language of the register with its prior weight and era:
// 'n' languages of the refugees of the 2010s are more common among recent
// registrations, 'o' languages of the 1990s among the early ones.
type tolkLanguage struct {
	code string
	w    float64
	era  byte
}

// tolkLanguages lists the register's languages (ISO 639-3), most common
// first. When the published count of languages in use is K, the first K are
// in use on its date and the others were used only by interpreters who had
// left by then; the weights follow the size of the immigrant groups (Arabic,
// Somali, Polish, Tigrinya, Russian, Persian, Dari the largest).
var tolkLanguages = []tolkLanguage{
	{"ara", 130, 'n'}, {"som", 75, 0}, {"pol", 70, 0}, {"tir", 65, 'n'}, {"rus", 60, 0},
	{"fas", 60, 0}, {"prs", 55, 'n'}, {"kmr", 30, 'n'}, {"ckb", 30, 'n'}, {"pus", 30, 'n'},
	{"fra", 30, 0}, {"eng", 28, 0}, {"tha", 24, 0}, {"vie", 22, 'o'}, {"lit", 22, 0},
	{"tur", 22, 0}, {"urd", 20, 0}, {"spa", 20, 0}, {"amh", 20, 'n'}, {"sqi", 20, 'o'},
	{"srp", 16, 'o'}, {"bos", 16, 'o'}, {"ron", 14, 0}, {"hrv", 12, 'o'}, {"orm", 12, 'n'},
	{"tam", 12, 'o'}, {"cmn", 12, 0}, {"por", 10, 0}, {"deu", 10, 0}, {"pan", 10, 0},
	{"tgl", 9, 0}, {"ukr", 8, 0}, {"swa", 8, 0}, {"lav", 7, 0}, {"sme", 6, 0},
	{"bul", 6, 0}, {"est", 5, 0}, {"hun", 5, 0}, {"ita", 5, 0}, {"ben", 5, 0},
	{"hin", 5, 0}, {"sin", 5, 'o'}, {"mya", 5, 'n'}, {"ksw", 5, 'n'}, {"kin", 5, 0},
	{"lin", 5, 0}, {"che", 5, 0}, {"tig", 5, 'n'}, {"fin", 5, 0}, {"haz", 4, 'n'},
	{"ell", 4, 0}, {"ces", 3, 0}, {"slk", 3, 0}, {"kat", 3, 0}, {"hye", 3, 0},
	{"aze", 3, 0}, {"nld", 3, 0}, {"jpn", 3, 0}, {"heb", 2, 0}, {"kor", 2, 0},
	{"yue", 2, 0}, {"ind", 2, 0}, {"khm", 2, 0}, {"nep", 2, 0}, {"mon", 2, 0},
	{"uzb", 2, 0}, {"din", 2, 'n'},
	// Languages whose last interpreters left the register before 2017.
	{"bel", 1, 'o'}, {"mkd", 1, 'o'}, {"kir", 1, 'o'},
}

// checkTolkLanguages reports a code in tolkLanguages that is not a canonical
// ISO 639-3 code, or one listed twice.
func checkTolkLanguages() error {
	seen := map[string]bool{}
	for _, l := range tolkLanguages {
		b, err := language.ParseBase(l.code)
		if err != nil || b.ISO3() != l.code {
			return fmt.Errorf("language %q is not an ISO 639-3 code", l.code)
		}
		if seen[l.code] {
			return fmt.Errorf("language %q is listed twice", l.code)
		}
		seen[l.code] = true
	}
	return nil
}

// tolkLangCountry gives the country whose naming tradition (names.go) an
// interpreter of a first language gets; others get Norwegian names.
var tolkLangCountry = map[string]string{
	"ara": "SYR", "ckb": "IRQ", "kmr": "IRQ", "tir": "ERI", "tig": "ERI", "amh": "ETH", "orm": "ETH",
	"som": "SOM", "prs": "AFG", "pus": "AFG", "haz": "AFG", "fas": "IRN",
	"fra": "COD", "lin": "COD", "swa": "COD", "kin": "COD", "ksw": "MMR", "mya": "MMR",
}

// tolkSpell is one tolk_sprak row: a category in one language for a period.
type tolkSpell struct {
	lang     int       // index into tolkLanguages
	kat      int       // 1–5
	from, to time.Time // gyldig_fra, gyldig_til (zero: open)
	created  time.Time // instant the row was registered (set by finish)
	closed   time.Time // instant gyldig_til was set (set by finish; zero: never)
}

// validOn reports whether the row is valid on day d.
func (s *tolkSpell) validOn(d time.Time) bool {
	return !s.from.After(d) && (s.to.IsZero() || !s.to.Before(d))
}

// tolkHome is the residence kommune from an instant on.
type tolkHome struct {
	at   time.Time
	code string
}

// tolkUnit is one interpreter and everything registered on him or her.
type tolkUnit struct {
	female bool
	reg    time.Time // registrert_dato
	dereg  time.Time // avregistrert_dato; zero: still registered
	spells []tolkSpell

	// Drawn by finish, after the fit.
	id                 int64
	fnr, given, family string
	email, phone       string
	birthYear          int
	regAt, deregAt     time.Time
	homes              []tolkHome  // in time order; the first at regAt
	flagChanges        []time.Time // instants the statsautorisert/tolkeutdanning flags changed
}

// end is the last day on which the interpreter's rows can change.
func (u *tolkUnit) end() time.Time {
	if u.dereg.IsZero() {
		return tolkHorizon
	}
	return u.dereg
}

// registeredOn applies the definition of indicators.md: registered on or
// before d, not deregistered by d, at least one language row valid on d. It
// returns the best (lowest) category valid on d, or 0 when not registered.
func (u *tolkUnit) registeredOn(d time.Time) int {
	if u.reg.After(d) || (!u.dereg.IsZero() && !u.dereg.After(d)) {
		return 0
	}
	best := 0
	for i := range u.spells {
		if s := &u.spells[i]; s.validOn(d) && (best == 0 || s.kat < best) {
			best = s.kat
		}
	}
	return best
}

// tolkModel is one replica's interpreter register.
type tolkModel struct {
	w     *world
	units []tolkUnit // in tolk_id order after finish
	log   *slog.Logger
}

// newTolk draws and calibrates one replica of the interpreter register;
// factor scales count targets (1 = published).
func newTolk(w *world, factor float64, log *slog.Logger) (*tolkModel, error) {
	if err := checkTolkLanguages(); err != nil {
		return nil, err
	}
	figs, err := reference.PublishedFigures()
	if err != nil {
		return nil, err
	}
	t := &tolkModel{w: w, log: log}
	if err := t.fit(figs, factor); err != nil {
		return nil, err
	}
	t.finish()
	return t, nil
}

// tolkRegYears weighs the registration years: the register's first year
// takes in the interpreters already working, then more register each year,
// most in 2015–2017 after the arrivals of 2015.
var tolkRegYears = []struct {
	year int
	w    float64
}{
	{2005, 420}, {2006, 60}, {2007, 65}, {2008, 70}, {2009, 80}, {2010, 90}, {2011, 100},
	{2012, 110}, {2013, 120}, {2014, 130}, {2015, 165}, {2016, 230}, {2017, 185},
}

// tolkKatPrior gives the weights of categories 1–5 on entering a language,
// by registration period: later entrants come more often through the
// bilingual test (5), as the register grew faster than education did.
func tolkKatPrior(year int) []float64 {
	switch {
	case year < 2010:
		return []float64{12, 16, 15, 8, 49}
	case year < 2014:
		return []float64{9, 11, 20, 6, 54}
	}
	return []float64{4, 7, 18, 5, 66}
}

// tolkAfter returns the day an exponentially distributed time with the
// given mean (in years) after d, at least min days after it.
func tolkAfter(r *rand.Rand, d time.Time, meanYears float64, min int) time.Time {
	n := int(r.ExpFloat64() * meanYears * 365.25)
	if n < min {
		n = min
	}
	return d.AddDate(0, 0, n)
}

// drawTolkUnit draws an interpreter from the prior.
func drawTolkUnit(r *rand.Rand, female bool) tolkUnit {
	ws := make([]float64, len(tolkRegYears))
	for i, y := range tolkRegYears {
		ws[i] = y.w
	}
	y := tolkRegYears[pickIndex(r, ws)].year
	u := tolkUnit{female: female, reg: randDate(r, date(y, 1, 1), date(y, 12, 31))}
	drawTolkDereg(r, &u)
	drawTolkSpells(r, &u)
	return u
}

// drawTolkDereg draws whether and when the interpreter leaves the register.
func drawTolkDereg(r *rand.Rand, u *tolkUnit) {
	u.dereg = time.Time{}
	if r.Float64() < 0.4 {
		if d := tolkAfter(r, u.reg, 6, 60); !d.After(tolkHorizon) {
			u.dereg = d
		}
	}
}

// drawTolkSpells draws the interpreter's languages and, for each, the
// history of its category: a category can improve (a new row from the day
// of the new qualification, the old row ending the day before), and a row
// of category 4 or 5 can lapse.
func drawTolkSpells(r *rand.Rand, u *tolkUnit) {
	u.spells = u.spells[:0]
	end := u.end()
	n := 1 + pickIndex(r, []float64{65, 27, 8})
	ws := make([]float64, len(tolkLanguages))
	for i, l := range tolkLanguages {
		ws[i] = l.w
		switch {
		case l.era == 'n' && u.reg.Year() >= 2014, l.era == 'o' && u.reg.Year() < 2010:
			ws[i] *= 2
		}
	}
	for k := 0; k < n; k++ {
		lang := pickIndex(r, ws)
		if ws[lang] == 0 {
			continue // rounding fell on a language already drawn
		}
		ws[lang] = 0
		start := u.reg
		if k > 0 && r.Float64() < 0.4 {
			start = randDate(r, u.reg, u.reg.AddDate(6, 0, 0))
			if start.After(end) {
				continue
			}
		}
		u.spells = append(u.spells, drawTolkHistory(r, lang, start, end)...)
	}
}

// tolkNextKat lists the categories a category can improve to, with weights:
// the bilingual test (5) or a translator's (4) to education (3) or
// authorisation (2), and either of those to both (1).
var tolkNextKat = map[int][]weighted{
	5: {{"3", 60}, {"2", 40}},
	4: {{"3", 50}, {"2", 50}},
	3: {{"1", 100}},
	2: {{"1", 100}},
}

// drawTolkHistory draws the rows of one language from start to end.
func drawTolkHistory(r *rand.Rand, lang int, start, end time.Time) []tolkSpell {
	var out []tolkSpell
	kat := 1 + pickIndex(r, tolkKatPrior(start.Year()))
	from := start
	for {
		out = append(out, tolkSpell{lang: lang, kat: kat, from: from})
		next, ok := tolkNextKat[kat]
		if !ok || r.Float64() >= 0.45 {
			break
		}
		t := tolkAfter(r, from, 4, 90)
		if t.After(end) {
			break
		}
		out[len(out)-1].to = t.AddDate(0, 0, -1)
		kat, _ = strconv.Atoi(pickWeighted(r, next))
		from = t
	}
	if last := &out[len(out)-1]; last.kat >= 4 && r.Float64() < 0.06 {
		if t := randDate(r, last.from.AddDate(0, 6, 0), last.from.AddDate(6, 0, 0)); !t.After(end) {
			last.to = t
		}
	}
	return out
}

// tolkLayout places the fitter's sums: for each year with a figure the
// interpreters registered, those of category 1–3 and the women; for each
// year with a language count, every language's registered interpreters
// with a valid row; and for every language, the interpreters who ever had it.
type tolkLayout struct {
	years     []int
	langYears []int
}

func (l *tolkLayout) reg(yi int) int { return 3 * yi }
func (l *tolkLayout) kat(yi int) int { return 3*yi + 1 }
func (l *tolkLayout) fem(yi int) int { return 3*yi + 2 }
func (l *tolkLayout) lang(ji, lang int) int {
	return 3*len(l.years) + ji*len(tolkLanguages) + lang
}
func (l *tolkLayout) ever(lang int) int { return l.lang(len(l.langYears), lang) }
func (l *tolkLayout) dim() int          { return l.ever(len(tolkLanguages)) }

func (l *tolkLayout) yearIndex(y int) int {
	i, ok := slices.BinarySearch(l.years, y)
	if !ok {
		return -1
	}
	return i
}

// contrib is what one interpreter adds to the sums.
func (l *tolkLayout) contrib(u *tolkUnit) []float64 {
	c := make([]float64, l.dim())
	for yi, y := range l.years {
		best := u.registeredOn(date(y, time.December, 31))
		if best == 0 {
			continue
		}
		c[l.reg(yi)] = 1
		if best <= 3 {
			c[l.kat(yi)] = 1
		}
		if u.female {
			c[l.fem(yi)] = 1
		}
	}
	for ji, y := range l.langYears {
		d := date(y, time.December, 31)
		if u.registeredOn(d) == 0 {
			continue
		}
		for i := range u.spells {
			if s := &u.spells[i]; s.validOn(d) {
				c[l.lang(ji, s.lang)] = 1
			}
		}
	}
	for i := range u.spells {
		c[l.ever(u.spells[i].lang)] = 1
	}
	return c
}

// tolkIndicators are the published figures this model is calibrated to.
var tolkIndicators = map[string]bool{
	"tolker": true, "tolker_kat1_3": true, "andel_tolker_kat1_3": true,
	"tolk_sprak": true, "andel_tolker_kvinner": true,
}

// fit draws the interpreters and calibrates them to the published figures.
func (t *tolkModel) fit(figs []reference.Figure, factor float64) error {
	l := &tolkLayout{}
	var mine []reference.Figure
	for _, f := range figs {
		if !tolkIndicators[f.Indicator] {
			continue
		}
		mine = append(mine, f)
		if !slices.Contains(l.years, f.Year) {
			l.years = append(l.years, f.Year)
		}
		if f.Indicator == "tolk_sprak" {
			l.langYears = append(l.langYears, f.Year)
		}
	}
	if len(mine) == 0 {
		return errors.New("no interpreter figures to calibrate to")
	}
	slices.Sort(l.years)
	slices.Sort(l.langYears)
	fit := newFitter(l.dim())
	inUse, regTarget, err := addTolkChecks(fit, l, mine, factor)
	if err != nil {
		return err
	}

	n := t.populationSize(l, regTarget)
	r := t.w.rng("tolk", "prior")
	t.units = make([]tolkUnit, n)
	contribs := make([][]float64, n)
	for i := range t.units {
		t.units[i] = drawTolkUnit(r, r.Float64() < 0.58)
	}
	gone := tolkHorizon
	if len(l.langYears) > 0 {
		gone = date(l.langYears[0], time.December, 30)
	}
	t.seedLanguages(r, inUse, gone)
	for i := range t.units {
		contribs[i] = l.contrib(&t.units[i])
		fit.include(contribs[i])
	}

	propose := func(i int, r *rand.Rand) (old, nw []float64, commit func()) {
		u := t.units[i]
		u.spells = slices.Clone(u.spells)
		switch x := r.Float64(); {
		case x < 0.3:
			u = drawTolkUnit(r, u.female)
		case x < 0.45:
			u.female = !u.female
		case x < 0.65:
			drawTolkDereg(r, &u)
			for _, s := range u.spells {
				if s.from.After(u.end()) || (!s.to.IsZero() && s.to.After(u.end())) {
					return nil, nil, nil
				}
			}
		default:
			drawTolkSpells(r, &u)
		}
		c := l.contrib(&u)
		return contribs[i], c, func() { t.units[i], contribs[i] = u, c }
	}
	steps := fit.run(t.w.rng("tolk", "fit"), n, 2000*n+200000, propose)
	if fit.loss() > 0 && factor != 1 {
		// Other scales are for benchmarks: close is enough (a tiny
		// factor leaves too few interpreters to hit every share).
		t.log.Warn("interpreter figures approximate at this scale", "not met", strings.Join(fit.failing(), ", "))
		return nil
	}
	if fit.loss() > 0 {
		return fmt.Errorf("interpreter register not calibrated after %d steps: %s", steps, strings.Join(fit.failing(), ", "))
	}
	t.log.Debug("interpreter register calibrated", "interpreters", n, "steps", steps)
	return nil
}

// addTolkChecks gives the fitter a check for every figure. It returns how
// many languages are in use in every year with a count of languages, and the
// number of interpreters aimed at in each year with one.
func addTolkChecks(fit *fitter, l *tolkLayout, figs []reference.Figure, factor float64) (inUse int, regTarget map[int]float64, err error) {
	counted := func(name string, i int, f reference.Figure) error {
		switch f.Kind {
		case reference.KindCount:
			fit.addCount(name, i, math.Round(f.Value*factor))
		case reference.KindApprox:
			fit.addApprox(name, i, f.Value*factor, 0.02)
		default:
			return fmt.Errorf("figure %s: kind %s is not a count", name, f.Kind)
		}
		return nil
	}
	regTarget = map[int]float64{}
	for _, f := range figs {
		if f.Indicator == "tolker" {
			regTarget[f.Year] = math.Round(f.Value * factor)
		}
	}
	inUse = len(tolkLanguages)
	for _, f := range figs {
		name := fmt.Sprintf("%s %d", f.Indicator, f.Year)
		yi := l.yearIndex(f.Year)
		switch f.Indicator {
		case "tolker":
			err = counted(name, l.reg(yi), f)
		case "tolker_kat1_3":
			err = counted(name, l.kat(yi), f)
		case "andel_tolker_kat1_3", "andel_tolker_kvinner":
			if f.Kind != reference.KindPercent {
				return 0, nil, fmt.Errorf("figure %s: kind %s is not a percent", name, f.Kind)
			}
			num := l.kat(yi)
			if f.Indicator == "andel_tolker_kvinner" {
				num = l.fem(yi)
			}
			fit.addPercent(name, num, l.reg(yi), f.Value)
		case "tolk_sprak":
			if f.Kind != reference.KindCount {
				return 0, nil, fmt.Errorf("figure %s: kind %s is not a count", name, f.Kind)
			}
			// A count of languages is not a count of persons: every
			// replica uses the same languages, so it is not scaled, unless
			// a replica has too few interpreters to speak them all.
			k := int(f.Value)
			if n, ok := regTarget[f.Year]; ok && float64(k) > n {
				k = int(n)
			}
			if k > len(tolkLanguages) {
				return 0, nil, fmt.Errorf("figure %s: only %d languages are known", name, len(tolkLanguages))
			}
			inUse = min(inUse, k)
			ji, _ := slices.BinarySearch(l.langYears, f.Year)
			for i, lang := range tolkLanguages {
				if i < k {
					fit.addRange(name+" "+lang.code+" in use", l.lang(ji, i), 1, math.Inf(1))
				} else {
					fit.addCount(name+" "+lang.code+" gone", l.lang(ji, i), 0)
				}
			}
		}
		if err != nil {
			return 0, nil, err
		}
	}
	for i, lang := range tolkLanguages {
		fit.addRange("language "+lang.code+" in the register", l.ever(i), 1, math.Inf(1))
	}
	return inUse, regTarget, nil
}

// populationSize estimates how many interpreters must ever have registered
// for the prior to give the target of the newest year with one, from a
// sample of the prior.
func (t *tolkModel) populationSize(l *tolkLayout, regTarget map[int]float64) int {
	y, target := 0, 0.0
	for year, n := range regTarget {
		if year > y {
			y, target = year, n
		}
	}
	r := t.w.rng("tolk", "size")
	const sample = 4000
	hits := 0
	for range sample {
		u := drawTolkUnit(r, false)
		if u.registeredOn(date(y, time.December, 31)) > 0 {
			hits++
		}
	}
	n := int(math.Ceil(target * sample / float64(max(hits, 1))))
	return max(n, len(tolkLanguages))
}

// seedLanguages gives every language a first speaker, so that the search
// starts with every language in the register: each of the first inUse
// languages to an interpreter who stays, each of the others to one who left
// before gone.
func (t *tolkModel) seedLanguages(r *rand.Rand, inUse int, gone time.Time) {
	for lang := range tolkLanguages {
		u := &t.units[lang]
		if lang < inUse {
			u.dereg = time.Time{}
			u.spells = drawTolkHistory(r, lang, u.reg, u.end())
			u.spells[len(u.spells)-1].to = time.Time{} // no lapse
			continue
		}
		u.reg = randDate(r, tolkStart, gone.AddDate(-2, 0, 0))
		u.dereg = randDate(r, u.reg.AddDate(0, 6, 0), gone)
		u.spells = drawTolkHistory(r, lang, u.reg, u.end())
	}
}

// finish draws what the fit does not depend on: the order and ids, identity
// numbers, names, contact details, residence and the instants of changes.
func (t *tolkModel) finish() {
	slices.SortStableFunc(t.units, func(a, b tolkUnit) int { return a.reg.Compare(b.reg) })
	pickers := map[int]*kommunePicker{}
	pick := func(r *rand.Rand, d time.Time) string {
		p := pickers[d.Year()]
		if p == nil {
			p = t.w.picker(d, 1, nil)
			pickers[d.Year()] = p
		}
		if c := p.pick(r); t.w.ref.ValidOn(c, d) {
			return c
		}
		return t.w.picker(d, 1, nil).pick(r)
	}
	emails := map[string]int{}
	for i := range t.units {
		u := &t.units[i]
		r := t.w.rng("tolk", "person", strconv.Itoa(i))
		u.id = int64(t.w.serial("tolk"))
		birth := randDate(r, date(u.reg.Year()-62, 1, 1), date(u.reg.Year()-24, 12, 31))
		u.birthYear = birth.Year()
		u.fnr = t.w.number(r, birth, u.female, false)
		first := tolkLanguages[u.spells[0].lang].code
		country, ok := tolkLangCountry[first]
		if !ok {
			country = "NOR"
		}
		u.given, u.family = personName(r, country, u.female)
		if r.Float64() < 0.92 {
			u.email = tolkEmail(r, u.given, u.family, emails)
		}
		if r.Float64() < 0.95 {
			u.phone = fmt.Sprintf("+47 400 00 %03d", r.IntN(1000))
		}

		u.regAt = tolkOfficeHours(r, u.reg)
		if !u.dereg.IsZero() {
			u.deregAt = tolkOfficeHours(r, u.dereg)
		}
		t.drawInstants(r, u)
		u.homes = []tolkHome{{u.regAt, pick(r, u.reg)}}
		if r.Float64() < 0.08 {
			if d := randDate(r, u.reg.AddDate(0, 1, 0), u.end()); d.After(u.reg) && !d.After(u.end()) {
				at := tolkOfficeHours(r, d)
				if !u.deregAt.IsZero() && !at.Before(u.deregAt) {
					at = u.deregAt.Add(-time.Minute)
				}
				if at.After(u.regAt) {
					u.homes = append(u.homes, tolkHome{at, pick(r, d)})
				}
			}
		}
		u.homes = t.followMergers(u.homes)
	}
}

// drawInstants gives every row its instant of registration and of closing:
// rows from the registration day come with the registration, a row closed
// by an improvement is closed in the same instant the new row is made, and
// a lapsed row is closed on its last day. It also notes the instants at
// which the interpreter's qualification flags change.
func (t *tolkModel) drawInstants(r *rand.Rand, u *tolkUnit) {
	slices.SortFunc(u.spells, func(a, b tolkSpell) int {
		if c := a.from.Compare(b.from); c != 0 {
			return c
		}
		return a.lang - b.lang
	})
	made := map[time.Time]time.Time{u.reg: u.regAt} // day -> instant of the changes made on it
	at := func(d time.Time) time.Time {
		if i, ok := made[d]; ok {
			return i
		}
		i := tolkOfficeHours(r, d)
		if !u.deregAt.IsZero() && d.Equal(u.dereg) && !i.Before(u.deregAt) {
			i = u.deregAt.Add(-time.Minute)
		}
		made[d] = i
		return i
	}
	for i := range u.spells {
		u.spells[i].created = at(u.spells[i].from)
	}
	for i := range u.spells {
		s := &u.spells[i]
		s.closed = time.Time{}
		if s.to.IsZero() {
			continue
		}
		s.closed = at(s.to) // a lapse: on its last day
		for j := range u.spells {
			if n := &u.spells[j]; n.lang == s.lang && n.from.Equal(s.to.AddDate(0, 0, 1)) {
				s.closed = n.created // an improvement
			}
		}
	}
	var aut, utd bool
	u.flagChanges = nil
	for _, s := range u.spells { // in order of creation
		a, e := tolkFlags(aut, utd, s.kat)
		if (a != aut || e != utd) && s.created.After(u.regAt) {
			u.flagChanges = append(u.flagChanges, s.created)
		}
		aut, utd = a, e
	}
}

// tolkFlags returns the statsautorisert and tolkeutdanning flags after a
// row of category kat is added: categories 1 and 2 are authorised, 1 and 3
// educated, and a qualification once gained stays.
func tolkFlags(aut, utd bool, kat int) (bool, bool) {
	return aut || kat <= 2, utd || kat == 1 || kat == 3
}

// followMergers adds the changes of the residence code when a kommune is
// merged or renumbered (Sandefjord 2017), in the register's nightly update
// on the day the new code takes effect.
func (t *tolkModel) followMergers(homes []tolkHome) []tolkHome {
	var out []tolkHome
	for i, h := range homes {
		until := tolkNewest
		if i+1 < len(homes) {
			until = homes[i+1].at
		}
		out = append(out, h)
		code, since := h.code, tolkDay(h.at)
		for {
			var next time.Time
			for _, c := range t.w.ref.Changes {
				if c.Old == code && c.From.After(since) && (next.IsZero() || c.From.Before(next)) {
					next = c.From
				}
			}
			at := time.Date(next.Year(), next.Month(), next.Day(), 1, 0, 0, 0, delivery.Oslo)
			if next.IsZero() || !at.Before(until) {
				break
			}
			code = t.w.codeOn(code, since, next)
			since = next
			out = append(out, tolkHome{at, code})
		}
	}
	return out
}

// tolkDay returns the Oslo calendar day of instant t as a UTC midnight.
func tolkDay(t time.Time) time.Time {
	t = t.In(delivery.Oslo)
	return date(t.Year(), t.Month(), t.Day())
}

// tolkOfficeHours returns an instant in office hours (08:00–15:59, Oslo) on day d.
func tolkOfficeHours(r *rand.Rand, d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 8+r.IntN(8), r.IntN(60), r.IntN(60), 0, delivery.Oslo)
}

// tolkASCII folds a name to the letters an e-mail address takes.
var tolkASCII = strings.NewReplacer("æ", "ae", "ø", "o", "å", "a", "Æ", "ae", "Ø", "o", "Å", "a", " ", ".")

// tolkEmail makes an address at a reserved example domain from the name,
// with a number when the plain one is taken.
func tolkEmail(r *rand.Rand, given, family string, used map[string]int) string {
	fold := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	local, _, err := transform.String(fold, tolkASCII.Replace(given+"."+family))
	if err != nil {
		local = "tolk"
	}
	local = strings.ToLower(local)
	used[local]++
	if n := used[local]; n > 1 {
		local += strconv.Itoa(n)
	}
	domain := pickWeighted(r, []weighted{{"example.no", 70}, {"example.com", 20}, {"example.org", 10}})
	return local + "@" + domain
}

// tolkRow is the tolk row of one interpreter as known at an instant.
type tolkRow struct {
	u        *tolkUnit
	home     string
	aut, utd bool
	dereg    time.Time // zero: null
	changed  time.Time
}

// tolkSprakRow is one tolk_sprak row as known at an instant.
type tolkSprakRow struct {
	id      int64
	lang    string
	kat     int
	from    time.Time
	to      time.Time // zero: null
	changed time.Time
}

// stateAt returns the rows of the register as known at instant at: rows
// registered later are absent, rows changed later show their earlier state.
func (t *tolkModel) stateAt(at time.Time) ([]tolkRow, []tolkSprakRow) {
	var tolk []tolkRow
	var sprak []tolkSprakRow
	for i := range t.units {
		u := &t.units[i]
		if u.regAt.After(at) {
			continue
		}
		row := tolkRow{u: u, changed: u.regAt}
		for _, h := range u.homes {
			if !h.at.After(at) {
				row.home, row.changed = h.code, tolkLater(row.changed, h.at)
			}
		}
		for _, c := range u.flagChanges {
			if !c.After(at) {
				row.changed = tolkLater(row.changed, c)
			}
		}
		if !u.deregAt.IsZero() && !u.deregAt.After(at) {
			row.dereg, row.changed = u.dereg, tolkLater(row.changed, u.deregAt)
		}
		first := len(sprak)
		for j := range u.spells {
			s := &u.spells[j]
			if s.created.After(at) {
				continue
			}
			row.aut, row.utd = tolkFlags(row.aut, row.utd, s.kat)
			sr := tolkSprakRow{id: u.id, lang: tolkLanguages[s.lang].code, kat: s.kat, from: s.from, changed: s.created}
			if !s.closed.IsZero() && !s.closed.After(at) {
				sr.to, sr.changed = s.to, s.closed
			}
			sprak = append(sprak, sr)
		}
		slices.SortFunc(sprak[first:], func(a, b tolkSprakRow) int {
			if c := strings.Compare(a.lang, b.lang); c != 0 {
				return c
			}
			return a.from.Compare(b.from)
		})
		tolk = append(tolk, row)
	}
	return tolk, sprak
}

func tolkLater(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// emit writes tolk.csv and tolk_sprak.csv as known at d.at.
func (t *tolkModel) emit(d *deliveryOut) error {
	tolk, sprak := t.stateAt(d.at)
	tt, st := d.table("tolk"), d.table("tolk_sprak")
	for _, r := range tolk {
		u := r.u
		tt.row(strconv.FormatInt(u.id, 10), u.fnr, u.given, u.family, u.email, u.phone,
			sexCode(u.female), strconv.Itoa(u.birthYear), r.home,
			delivery.FormatBool(r.aut), delivery.FormatBool(r.utd),
			fmtDate(u.reg), fmtDate(r.dereg), tolkTimestamp(r.changed))
	}
	for _, r := range sprak {
		st.row(strconv.FormatInt(r.id, 10), r.lang, strconv.Itoa(r.kat),
			fmtDate(r.from), fmtDate(r.to), tolkTimestamp(r.changed))
	}
	return nil
}

// tolkTimestamp formats an instant in Oslo local time.
func tolkTimestamp(t time.Time) string {
	return t.In(delivery.Oslo).Format("2006-01-02 15:04:05")
}
