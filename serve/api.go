package serve

import (
	"net/http"
	"net/url"
	"strconv"
)

// routes registers the API and the pages.
func (s *Server) routes() {
	m := http.NewServeMux()
	m.Handle("GET /api/v1/publication", s.handle(apiPublication))
	m.HandleFunc("GET /api/v1/publications", s.apiPublications)
	m.Handle("GET /api/v1/indicators", s.handle(apiIndicators))
	m.Handle("GET /api/v1/values", s.handle(apiValues))
	m.Handle("GET /api/v1/places/{code}", s.handle(apiPlace))
	m.Handle("GET /api/v1/compare", s.handle(apiCompare))
	m.Handle("GET /api/v1/regions", s.handle(apiRegions))
	m.Handle("GET /api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "no such endpoint (see docs/api.md)")
	}))
	s.pageRoutes(m)
	s.mux = s.onlyGet(m)
}

// onlyGet answers every method but GET and HEAD with 405: the portal
// only reads, and never reads a request body.
func (s *Server) onlyGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s.fail(w, r, http.StatusMethodNotAllowed, "only GET and HEAD")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// onlyFormat checks that q has no parameter but format and returns it.
func onlyFormat(q url.Values, allowed ...format) (format, error) {
	for k := range q {
		if k != "format" {
			return "", badf("unknown parameter %s", quoteInput(k))
		}
	}
	return parseFormat(q.Get("format"), allowed...)
}

func apiPublication(snap *snapshot, r *http.Request) (string, []byte, error) {
	if _, err := onlyFormat(r.URL.Query(), formatJSON); err != nil {
		return "", nil, err
	}
	body, err := encodeJSON(snap.pub)
	return contentTypes[formatJSON], body, err
}

func apiIndicators(snap *snapshot, r *http.Request) (string, []byte, error) {
	f, err := onlyFormat(r.URL.Query(), formatJSON, formatCSV)
	if err != nil {
		return "", nil, err
	}
	var body []byte
	if f == formatCSV {
		body, err = catalogueCSV(snap.catalogue)
	} else {
		body, err = encodeJSON(map[string]any{"publikasjon": snap.pub.ID, "indikatorer": snap.catalogue})
	}
	return contentTypes[f], body, err
}

// answerValues selects the values of flt and writes them in the format q
// asks for; label names a JSON-stat dataset, extra is added to the JSON
// answer's object.
func (snap *snapshot) answerValues(q url.Values, flt filter, label string, extra map[string]any) (string, []byte, error) {
	f, err := parseFormat(q.Get("format"), valueFormats...)
	if err != nil {
		return "", nil, err
	}
	values, err := snap.selectValues(flt)
	if err != nil {
		return "", nil, err
	}
	var body []byte
	switch f {
	case formatCSV:
		body, err = valuesCSV(values)
	case formatJSONStat:
		body, err = encodeJSON(snap.jsonStat(label, values))
	default:
		obj := map[string]any{"publikasjon": snap.pub.ID, "verdier": nonNil(values)}
		for k, v := range extra {
			obj[k] = v
		}
		body, err = encodeJSON(obj)
	}
	return contentTypes[f], body, err
}

func nonNil(values []Value) []Value {
	if values == nil {
		return []Value{}
	}
	return values
}

var valueFormats = []format{formatJSON, formatCSV, formatJSONStat}

func apiValues(snap *snapshot, r *http.Request) (string, []byte, error) {
	q := r.URL.Query()
	flt, err := snap.parseFilter(q)
	if err != nil {
		return "", nil, err
	}
	return snap.answerValues(q, flt, "Integreringsstatistikk", nil)
}

// placeRegions are a region, its fylke (below fylke level) and the nation.
func (snap *snapshot) placeRegions(code string) ([]string, error) {
	reg := snap.regions[code]
	if reg == nil {
		return nil, &badRequest{msg: "no region " + quoteInput(code) + " (search with /api/v1/regions?q=NAME)", notFound: true}
	}
	codes := []string{code}
	if reg.Level == "kommune" && reg.Fylke != "" && snap.regions[reg.Fylke] != nil {
		codes = append(codes, reg.Fylke)
	}
	if reg.Level != "land" {
		codes = append(codes, "0")
	}
	return codes, nil
}

// quoteInput shows a name from a request in a message, cut short so that
// a message never repeats a long input.
func quoteInput(s string) string {
	if r := []rune(s); len(r) > 12 {
		return strconv.Quote(string(r[:12])) + "…"
	}
	return strconv.Quote(s)
}

func apiPlace(snap *snapshot, r *http.Request) (string, []byte, error) {
	q := r.URL.Query()
	for k := range q {
		if k != "format" && k != "years" {
			return "", nil, badf("unknown parameter %s (use years, format)", quoteInput(k))
		}
	}
	codes, err := snap.placeRegions(r.PathValue("code"))
	if err != nil {
		return "", nil, err
	}
	flt, err := snap.parseFilter(url.Values{"years": q["years"]})
	if err != nil {
		return "", nil, err
	}
	flt.indicators = snap.current.byRegion[codes[0]]
	flt.regions = codes
	var regions []*Region
	for _, c := range codes {
		regions = append(regions, snap.regions[c])
	}
	var inds []Indicator
	for _, id := range flt.indicators {
		inds = append(inds, *snap.indicators[id])
	}
	reg := snap.regions[codes[0]]
	return snap.answerValues(q, flt, reg.Name, map[string]any{"region": reg, "sammenlignet_med": regions[1:], "indikatorer": inds})
}

func apiCompare(snap *snapshot, r *http.Request) (string, []byte, error) {
	q := r.URL.Query()
	flt, err := snap.parseFilter(q)
	if err != nil {
		return "", nil, err
	}
	if len(flt.regions) < 2 {
		return "", nil, badf("regions: name at least two regions to compare, e.g. regions=0301,4601")
	}
	var regions []*Region
	for _, c := range flt.regions {
		regions = append(regions, snap.regions[c])
	}
	return snap.answerValues(q, flt, "Sammenligning", map[string]any{"regioner": regions})
}

func apiRegions(snap *snapshot, r *http.Request) (string, []byte, error) {
	q := r.URL.Query()
	for k := range q {
		if k != "format" && k != "q" && k != "level" {
			return "", nil, badf("unknown parameter %s (use q, level, format)", quoteInput(k))
		}
	}
	f, err := parseFormat(q.Get("format"), formatJSON, formatCSV)
	if err != nil {
		return "", nil, err
	}
	level := q.Get("level")
	if _, ok := levelOrder[level]; level != "" && !ok {
		return "", nil, badf("level %s: want land, fylke or kommune", quoteInput(level))
	}
	var hits []*Region
	if term := q.Get("q"); term != "" {
		hits = snap.search(term)
	} else {
		hits = snap.regionList
	}
	if level != "" {
		var kept []*Region
		for _, h := range hits {
			if h.Level == level {
				kept = append(kept, h)
			}
		}
		hits = kept
	}
	if hits == nil {
		hits = []*Region{}
	}
	var body []byte
	if f == formatCSV {
		body, err = regionsCSV(hits)
	} else {
		body, err = encodeJSON(map[string]any{"publikasjon": snap.pub.ID, "regioner": hits})
	}
	return contentTypes[f], body, err
}
