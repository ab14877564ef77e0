package serve

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
}

// knownParams are the parameters each endpoint accepts; any other is an
// error, so that a misspelt filter is not silently ignored.
var knownParams = map[string]bool{"indicator": true, "years": true, "level": true, "regions": true, "format": true, "inndeling": true}

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

// parseFilter reads indicator, years, level and regions from q and checks
// each against the snapshot.
func (s *snapshot) parseFilter(q url.Values) (filter, error) {
	var f filter
	for k := range q {
		if !knownParams[k] {
			return f, badf("unknown parameter %s (use indicator, years, level, regions, inndeling, format)", quoteInput(k))
		}
	}
	var err error
	if f.indicators, err = list(q, "indicator"); err != nil {
		return f, err
	}
	for _, id := range f.indicators {
		if s.indicators[id] == nil {
			return f, badf("unknown indicator %s (see /api/v1/indicators)", quoteInput(id))
		}
	}
	years, err := list(q, "years")
	if err != nil {
		return f, err
	}
	for _, y := range years {
		ys, err := parseYears(y)
		if err != nil {
			return f, err
		}
		f.years = append(f.years, ys...)
	}
	if len(f.years) > maxListItems {
		return f, badf("years: at most %d years", maxListItems)
	}
	if f.level = q.Get("level"); f.level != "" {
		if _, ok := levelOrder[f.level]; !ok {
			return f, badf("level %s: want land, fylke or kommune", quoteInput(f.level))
		}
	}
	switch q.Get("inndeling") {
	case "", "aarets":
	case "dagens":
		f.today = true
	default:
		return f, badf("inndeling %s: want aarets (the regions of each year) or dagens (today's municipalities)", quoteInput(q.Get("inndeling")))
	}
	if f.regions, err = list(q, "regions"); err != nil {
		return f, err
	}
	for _, r := range f.regions {
		if s.regions[r] == nil {
			return f, badf("unknown region %s (search with /api/v1/regions?q=NAME)", quoteInput(r))
		}
	}
	return f, nil
}

// parseYears reads "2017" or a range "2015-2017".
func parseYears(s string) ([]int, error) {
	from, to, isRange := strings.Cut(s, "-")
	a, err1 := strconv.Atoi(from)
	b := a
	var err2 error
	if isRange {
		b, err2 = strconv.Atoi(to)
	}
	if err1 != nil || err2 != nil || a < 1900 || b > 2999 || b < a {
		return nil, badf("years %s: want a year like 2017 or a range like 2015-2017", quoteInput(s))
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
		return (f.level == "" || v.Level == f.level) && (len(f.years) == 0 || slices.Contains(f.years, v.Year))
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

// search finds regions by code prefix (digits) or by name, ignoring case
// and accents: "tromso" and "TROMSØ" both find Tromsø, "alesund" Ålesund.
// Exact names come first, then names that start with the query, then
// names that contain it.
func (s *snapshot) search(query string) []*Region {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil
	}
	var hits []*Region
	if isDigits(query) {
		for _, r := range s.regionList {
			if strings.HasPrefix(r.Code, query) {
				hits = append(hits, r)
			}
		}
	} else {
		q := fold(query)
		rank := map[*Region]int{}
		for _, r := range s.regionList {
			best := 3
			for _, n := range r.search {
				switch {
				case n == q:
					best = min(best, 0)
				case strings.HasPrefix(n, q):
					best = min(best, 1)
				case strings.Contains(n, q):
					best = min(best, 2)
				}
			}
			if best < 3 {
				rank[r] = best
				hits = append(hits, r)
			}
		}
		sort.SliceStable(hits, func(i, j int) bool { return rank[hits[i]] < rank[hits[j]] })
	}
	if len(hits) > maxSearchHits {
		hits = hits[:maxSearchHits]
	}
	return hits
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
