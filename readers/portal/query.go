package portal

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Limits on what one request may ask for.
const (
	maxListItems     = 200     // indicators, years or regions named in one parameter
	defaultMaxValues = 100_000 // values in one answer
	maxSearchHits    = 50      // regions in one search answer
	maxQueryLength   = 2048    // bytes of the query string
)

// badRequest is an error in the request's parameters (answered 400), or
// with notFound set, a name of something that does not exist (404).
type badRequest struct {
	msg      string
	notFound bool
}

func (e *badRequest) Error() string { return e.msg }

func badf(format string, args ...any) error {
	return &badRequest{msg: fmt.Sprintf(format, args...)}
}

// filter is a parsed values query: empty fields select everything.
type filter struct {
	indicators []string
	years      []int
	level      string
	regions    []string
	today      bool // from indikator_dagens_inndeling instead of indikator
	lang       lang
	// fylke, when set, adds the kommuner of that fylke (inFylke) to
	// regions; their values count in the years they were in it.
	fylke   string
	inFylke map[string]bool
}

// valueParams are the parameters of the endpoints that answer values.
var valueParams = []string{"indicator", "years", "level", "regions", "fylke", "inndeling", "format", "lang"}

// checkParams answers an error for any parameter of q not in allowed, so
// that a misspelt filter is not silently ignored.
func checkParams(q url.Values, allowed ...string) error {
	for k := range q {
		if !slices.Contains(allowed, k) {
			return badf("unknown parameter %s (use %s)", quoteInput(k), strings.Join(allowed, ", "))
		}
	}
	return nil
}

// list splits a parameter given as a comma-separated list, repeated, or both.
func list(q url.Values, name string) ([]string, error) {
	var out []string
	for _, v := range q[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	if len(out) > maxListItems {
		return nil, badf("%s: at most %d items", name, maxListItems)
	}
	return out, nil
}

// parseFilter reads the value parameters (valueParams but format) from q
// and checks each against the snapshot.
func (s *snapshot) parseFilter(q url.Values) (filter, error) {
	var f filter
	if err := checkParams(q, valueParams...); err != nil {
		return f, err
	}
	var err error
	if f.lang, err = parseLang(q); err != nil {
		return f, err
	}
	if f.indicators, err = list(q, "indicator"); err != nil {
		return f, err
	}
	for _, id := range f.indicators {
		if s.indicators[id] == nil {
			return f, badf("unknown indicator %s (see /api/v1/indicators)", quoteInput(id))
		}
	}
	switch q.Get("inndeling") {
	case "", "aarets":
	case "dagens":
		f.today = true
	default:
		return f, badf("inndeling %s: want aarets (the regions of each year) or dagens (today's municipalities)", quoteInput(q.Get("inndeling")))
	}
	years, err := list(q, "years")
	if err != nil {
		return f, err
	}
	first, latest := s.yearSpan(f)
	for _, y := range years {
		ys, err := parseYears(y, first, latest)
		if err != nil {
			return f, err
		}
		f.years = append(f.years, ys...)
	}
	if len(years) > 0 && len(f.years) == 0 {
		f.years = []int{0} // "latest" of nothing: no year, rather than every year
	}
	if len(f.years) > maxListItems {
		return f, badf("years: at most %d years", maxListItems)
	}
	if f.level = q.Get("level"); f.level != "" {
		if _, ok := levelOrder[f.level]; !ok {
			return f, badf("level %s: want land, fylke or kommune", quoteInput(f.level))
		}
	}
	if f.regions, err = list(q, "regions"); err != nil {
		return f, err
	}
	for _, r := range f.regions {
		if s.regions[r] == nil {
			return f, badf("unknown region %s (search with /api/v1/regions?q=NAME)", quoteInput(r))
		}
	}
	if f.fylke = q.Get("fylke"); f.fylke != "" {
		if r := s.regions[f.fylke]; r == nil || r.Level != "fylke" {
			return f, badf("fylke %s: want a fylke code such as 03 (see /api/v1/regions?level=fylke)", quoteInput(f.fylke))
		}
		f.inFylke = map[string]bool{}
		for _, r := range s.regionList {
			if r.Level == "kommune" && !slices.Contains(f.regions, r.Code) && r.wasIn(f.fylke, f.today) {
				f.inFylke[r.Code] = true
				f.regions = append(f.regions, r.Code)
			}
		}
	}
	return f, nil
}

// yearSpan is the first and the newest year with figures for the
// indicators f selects (all when it selects none), in the table it reads.
func (s *snapshot) yearSpan(f filter) (first, latest int) {
	set := &s.current
	if f.today {
		set = &s.today
	}
	inds := f.indicators
	if len(inds) == 0 {
		inds = s.indicatorIDs()
	}
	for _, id := range inds {
		if sp, ok := set.span[id]; ok {
			if first == 0 || sp[0] < first {
				first = sp[0]
			}
			latest = max(latest, sp[1])
		}
	}
	return first, latest
}

// parseYears reads a year ("2017"), a range ("2015-2017"), an open range
// ("2015-" up to latest, "-2017" from first), "latest" or "last:N" (the
// N newest years up to latest).
func parseYears(s string, first, latest int) ([]int, error) {
	bad := badf("years %s: want a year like 2017, a range like 2015-2017, 2015- or -2017, latest or last:5", quoteInput(s))
	var a, b int
	switch n, isLast := strings.CutPrefix(s, "last:"); {
	case s == "latest":
		a, b = latest, latest
	case isLast:
		k, err := strconv.Atoi(n)
		if err != nil || k < 1 {
			return nil, bad
		}
		a, b = latest-min(k, maxListItems)+1, latest
	default:
		from, to, isRange := strings.Cut(s, "-")
		var err1, err2 error
		a, b = first, latest
		if from != "" || !isRange {
			a, err1 = strconv.Atoi(from)
		}
		if !isRange {
			b = a
		} else if to != "" {
			b, err2 = strconv.Atoi(to)
		}
		if err1 != nil || err2 != nil || (from == "" && to == "") {
			return nil, bad
		}
	}
	if latest == 0 && (a == 0 || b == 0) { // nothing published for the selection
		return nil, nil
	}
	if a < 1900 || b > 2999 || b < a {
		return nil, bad
	}
	if b-a >= maxListItems {
		return nil, badf("years %s: at most %d years", quoteInput(s), maxListItems)
	}
	var ys []int
	for y := a; y <= b; y++ {
		ys = append(ys, y)
	}
	return ys, nil
}

// selectValues returns the values f selects, in the snapshot's order
// (indicator, level, region, year), or an error if there are more than
// maxValues.
func (s *snapshot) selectValues(f filter) ([]Value, error) {
	set := &s.current
	if f.today {
		set = &s.today
	}
	keep := func(v *Value) bool {
		return (f.level == "" || v.Level == f.level) && (len(f.years) == 0 || slices.Contains(f.years, v.Year)) &&
			(!f.inFylke[v.Region] || f.today || s.regions[v.Region].fylkeIn[v.Year] == f.fylke)
	}
	var out []Value
	add := func(vs []Value) error {
		for i := range vs {
			if keep(&vs[i]) {
				if len(out) == s.maxValues {
					return badf("more than %d values: narrow the query with indicator, years, level or regions", s.maxValues)
				}
				out = append(out, vs[i])
			}
		}
		return nil
	}
	if len(f.regions) > 0 {
		inds := f.indicators
		if len(inds) == 0 {
			inds = s.indicatorIDs()
		}
		regions := slices.Clone(f.regions)
		sort.Slice(regions, func(i, j int) bool { return s.regionLess(regions[i], regions[j]) })
		for _, ind := range inds {
			for _, r := range regions {
				if err := add(set.series(ind, r)); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	all := set.values
	if len(f.indicators) == 0 {
		return out, add(all)
	}
	for _, ind := range f.indicators {
		lo := sort.Search(len(all), func(i int) bool { return all[i].Indicator >= ind })
		hi := lo
		for hi < len(all) && all[hi].Indicator == ind {
			hi++
		}
		if err := add(all[lo:hi]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// indicatorIDs lists the catalogue's ids in its order.
func (s *snapshot) indicatorIDs() []string {
	ids := make([]string, len(s.catalogue))
	for i, ind := range s.catalogue {
		ids[i] = ind.ID
	}
	return ids
}

// regionLess orders regions coarsest level first, then by code.
func (s *snapshot) regionLess(a, b string) bool {
	ra, rb := s.regions[a], s.regions[b]
	if ra.Level != rb.Level {
		return levelOrder[ra.Level] < levelOrder[rb.Level]
	}
	return a < b
}

// Hit is a place a search found: a code of today's list, with its
// history in words ("Tromsø — 5501, tidligere 5401 (2020–2023) og 1902
// (til 2019)").
type Hit struct {
	RegionCode
	History string `json:"historikk"`
}

// search finds places by any name or language form they have had, or by
// any code they have had (or its beginning), ignoring case and accents:
// "tromso", "Tromsø" and "5401" all find 5501 Tromsø, "karasjok" and
// "Kárášjohka" 5610. Every code found is carried to today's code(s) its
// territory lies in, and each of those is answered once: exact matches
// first, then names that start with the query, then names that contain
// it; a code of today's list before the former codes leading to it.
func (s *snapshot) search(query string) []Hit {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil
	}
	rank := map[string]int{} // today's code → best rank
	digits := isDigits(query)
	q := fold(query)
	for _, c := range s.codeList {
		best := 4
		if digits {
			switch {
			case c.Code == query:
				best = 0
			case strings.HasPrefix(c.Code, query):
				best = 2
			}
		} else {
			for _, n := range c.search {
				switch {
				case n == q:
					best = min(best, 0)
				case strings.HasPrefix(n, q):
					best = min(best, 2)
				case strings.Contains(n, q):
					best = min(best, 3)
				}
			}
		}
		if best == 4 {
			continue
		}
		for _, t := range c.Today {
			r := best
			if t != c.Code && r == 0 {
				r = 1 // a former code or name: after today's own
			}
			if old, ok := rank[t]; !ok || r < old {
				rank[t] = r
			}
		}
	}
	var hits []Hit
	for t := range rank {
		if c := s.codes[t]; c != nil {
			hits = append(hits, Hit{RegionCode: *c, History: s.history(c, langNB)})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if rank[a.Code] != rank[b.Code] {
			return rank[a.Code] < rank[b.Code]
		}
		if a.Level != b.Level {
			return levelOrder[a.Level] < levelOrder[b.Level]
		}
		return a.Code < b.Code
	})
	if len(hits) > maxSearchHits {
		hits = hits[:maxSearchHits]
	}
	return hits
}

// history says a code of today's list with the earlier codes whose
// territory is in it, newest first, each with its years:
// "Tromsø — 5501, tidligere 5401 (2020–2023) og 1902 (til 2019)".
func (s *snapshot) history(c *RegionCode, l lang) string {
	h := c.Name + " — " + c.Code
	var earlier []*RegionCode
	for _, e := range c.Earlier {
		if ec := s.codes[e]; ec != nil && e != c.Code {
			earlier = append(earlier, ec)
		}
	}
	if len(earlier) == 0 {
		return h
	}
	sort.Slice(earlier, func(i, j int) bool { return *earlier[i].ValidTo > *earlier[j].ValidTo })
	first := ""
	for _, x := range s.codeList {
		if first == "" || x.ValidFrom < first {
			first = x.ValidFrom
		}
	}
	var parts []string
	for _, e := range earlier {
		p := e.Code
		if e.Name != c.Name {
			p += " " + e.Name
		}
		to := "?"
		if e.ValidTo != nil && len(*e.ValidTo) >= 4 {
			y, _ := strconv.Atoi((*e.ValidTo)[:4])
			to = strconv.Itoa(y - 1)
		}
		if e.ValidFrom <= first {
			p += " (" + tr(l, "til") + " " + to + ")"
		} else {
			p += " (" + e.ValidFrom[:4] + "–" + to + ")"
		}
		parts = append(parts, p)
	}
	last := len(parts) - 1
	before := ", " + tr(l, "tidligere") + " "
	if last == 0 {
		return h + before + parts[0]
	}
	return h + before + strings.Join(parts[:last], ", ") + " " + tr(l, "og") + " " + parts[last]
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// foldMap spells letters with diacritics (Norwegian and Sami) the way a
// keyboard without them would.
var foldMap = map[rune]string{
	'æ': "ae", 'ø': "o", 'å': "a", 'ä': "ae", 'ö': "o", 'á': "a", 'à': "a", 'â': "a",
	'é': "e", 'è': "e", 'ê': "e", 'ó': "o", 'ò': "o", 'ô': "o", 'í': "i", 'ú': "u", 'ü': "u",
	'č': "c", 'đ': "d", 'ŋ': "n", 'š': "s", 'ŧ': "t", 'ž': "z",
}

// fold lowercases s, spells æ, ø, å (and Sami letters) in ASCII, writes
// "aa" as "a" (Aasen, Åsen), drops combining marks (a decomposed å) and
// separators, so that names match however they were typed.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case foldMap[r] != "":
			b.WriteString(foldMap[r])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '-':
			b.WriteByte(' ')
		}
	}
	return strings.ReplaceAll(b.String(), "aa", "a")
}
