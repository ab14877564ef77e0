package portal

import (
	_ "embed"
	"net/http"
	"net/url"
	"strconv"
)

// routes registers the API and the pages.
func (s *Server) routes() {
	m := http.NewServeMux()
	m.Handle("GET /api/v1/{$}", s.handle(apiIndex))
	m.Handle("GET /api/v1/openapi.json", s.handle(apiOpenAPI))
	m.Handle("GET /api/v1/publication", s.handle(apiPublication))
	m.HandleFunc("GET /api/v1/publications", s.apiPublications)
	m.Handle("GET /api/v1/indicators", s.handle(apiIndicators))
	m.Handle("GET /api/v1/values", s.handle(apiValues))
	m.Handle("GET /api/v1/places/{code}", s.handle(apiPlace))
	m.Handle("GET /api/v1/compare", s.handle(apiCompare))
	m.Handle("GET /api/v1/regions", s.handle(apiRegions))
	m.Handle("GET /api/", s.notFound("no such endpoint (see docs/api.md)"))
	s.pageRoutes(m)
	s.mux = s.onlyRead(m)
}

// notFound answers 404 with msg, in the form fail gives the path: JSON
// under /api/, a page elsewhere.
func (s *Server) notFound(msg string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, msg)
	})
}

// onlyRead lets any web page call the portal (CORS: every answer, errors
// included, allows any origin; a preflight OPTIONS is answered 204) and
// answers every other method but GET and HEAD with 405: the portal only
// reads, and never reads a request body.
func (s *Server) onlyRead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Access-Control-Allow-Origin"] = hdrAnyOrigin
		h["Access-Control-Expose-Headers"] = hdrExpose
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			next.ServeHTTP(w, r)
		case http.MethodOptions:
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "*")
			h.Set("Access-Control-Max-Age", "86400")
			h.Set("Allow", "GET, HEAD, OPTIONS")
			w.WriteHeader(http.StatusNoContent)
		default:
			h.Set("Allow", "GET, HEAD, OPTIONS")
			s.fail(w, r, http.StatusMethodNotAllowed, "only GET and HEAD")
		}
	})
}

// onlyFormat checks that q has no parameter but format and lang and
// returns them.
func onlyFormat(q url.Values, allowed ...format) (format, lang, error) {
	if err := checkParams(q, "format", "lang"); err != nil {
		return "", "", err
	}
	l, err := parseLang(q)
	if err != nil {
		return "", "", err
	}
	f, err := parseFormat(q.Get("format"), allowed...)
	return f, l, err
}

func apiPublication(snap *snapshot, r *http.Request) (string, []byte, error) {
	if _, _, err := onlyFormat(r.URL.Query(), formatJSON); err != nil {
		return "", nil, err
	}
	body, err := encodeJSON(snap.pub)
	return contentTypes[formatJSON], body, err
}

func apiIndicators(snap *snapshot, r *http.Request) (string, []byte, error) {
	f, l, err := onlyFormat(r.URL.Query(), formatJSON, formatCSV)
	if err != nil {
		return "", nil, err
	}
	var body []byte
	if f == formatCSV {
		body, err = catalogueCSV(snap.catalogueIn(l), l)
	} else {
		body, err = encodeJSON(map[string]any{"publikasjon": snap.pub.ID, "indikatorer": snap.catalogueIn(l)})
	}
	return contentTypes[f], body, err
}

// answerValues selects the values of flt and writes them in the format
// the request asks for; label names a JSON-stat dataset, extra is added to
// the JSON answer's object.
func (snap *snapshot) answerValues(r *http.Request, flt filter, label string, extra map[string]any) (string, []byte, error) {
	f, err := parseFormat(r.URL.Query().Get("format"), valueFormats...)
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
		body, err = valuesCSV(values, flt.lang)
	case formatJSONStat:
		body, err = encodeJSON(snap.jsonStat(r, label, flt, values))
	case formatXLSX:
		body, err = snap.valuesXLSX(values, flt.lang)
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

var valueFormats = []format{formatJSON, formatCSV, formatJSONStat, formatXLSX}

func apiValues(snap *snapshot, r *http.Request) (string, []byte, error) {
	q := r.URL.Query()
	flt, err := snap.parseFilter(q)
	if err != nil {
		return "", nil, err
	}
	return snap.answerValues(r, flt, txtTitle.in(flt.lang), nil)
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
	if err := checkParams(q, "years", "format", "lang"); err != nil {
		return "", nil, err
	}
	codes, err := snap.placeRegions(r.PathValue("code"))
	if err != nil {
		return "", nil, err
	}
	flt, err := snap.parseFilter(url.Values{"years": q["years"], "lang": q["lang"]})
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
		inds = append(inds, snap.indicators[id].in(flt.lang))
	}
	reg := snap.regions[codes[0]]
	return snap.answerValues(r, flt, reg.Name, map[string]any{"region": reg, "sammenlignet_med": regions[1:], "indikatorer": inds})
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
	return snap.answerValues(r, flt, txtComparison.in(flt.lang), map[string]any{"regioner": regions})
}

// apiRegions answers every region code 2013 to today (region_kode), or
// with q the places a search finds, each once under today's code with its
// history.
func apiRegions(snap *snapshot, r *http.Request) (string, []byte, error) {
	q := r.URL.Query()
	if err := checkParams(q, "q", "level", "format", "lang"); err != nil {
		return "", nil, err
	}
	l, err := parseLang(q)
	if err != nil {
		return "", nil, err
	}
	f, err := parseFormat(q.Get("format"), formatJSON, formatCSV)
	if err != nil {
		return "", nil, err
	}
	level := q.Get("level")
	if _, ok := levelOrder[level]; level != "" && !ok {
		return "", nil, badf("level %s: want land, fylke or kommune", quoteInput(level))
	}
	hits := []Hit{}
	if term := q.Get("q"); term != "" {
		for _, h := range snap.search(term) {
			if level == "" || h.Level == level {
				hits = append(hits, h)
			}
		}
	} else {
		for _, c := range snap.codeList {
			if level == "" || c.Level == level {
				hits = append(hits, Hit{RegionCode: *c})
			}
		}
	}
	var body []byte
	if f == formatCSV {
		body, err = regionsCSV(hits, l)
	} else {
		body, err = encodeJSON(map[string]any{"publikasjon": snap.pub.ID, "regioner": hits})
	}
	return contentTypes[f], body, err
}

//go:embed openapi.json
var openAPI []byte

// apiOpenAPI is the OpenAPI 3.1 description of the API (openapi.json).
func apiOpenAPI(_ *snapshot, r *http.Request) (string, []byte, error) {
	if err := checkParams(r.URL.Query()); err != nil {
		return "", nil, err
	}
	return contentTypes[formatJSON], openAPI, nil
}

// endpoints are what the API index lists, in both languages.
var endpoints = []struct {
	path  string
	about text
}{
	{"/api/v1/openapi.json", text{"OpenAPI 3.1-beskrivelse av hele API-et", "OpenAPI 3.1 description of the whole API"}},
	{"/api/v1/publication", text{"publikasjonen som vises: id, data per og når den ble bygget", "the publication served: id, data as of and when it was built"}},
	{"/api/v1/publications", text{"alle utgivelser, nyeste først", "every release, newest first"}},
	{"/api/v1/indicators", text{"indikatorkatalogen: navn, enhet og definisjon", "the indicator catalogue: name, unit and definition"}},
	{"/api/v1/values?indicator=bosatte&years=latest&level=fylke", text{"tall etter indikator, år, nivå, region eller fylke", "figures by indicator, year, level, region or county"}},
	{"/api/v1/places/0301", text{"alle tall for et sted, med fylket og hele landet", "every figure of a place, with its county and the nation"}},
	{"/api/v1/compare?regions=0301,4601&indicator=bosatte", text{"tall for flere steder side om side", "figures of several places side by side"}},
	{"/api/v1/regions?q=tromso", text{"regioner: søk etter navn eller kode, alle koder med navn", "regions: search by name or code, every code with its names"}},
}

// apiIndex lists the endpoints with links.
func apiIndex(snap *snapshot, r *http.Request) (string, []byte, error) {
	_, l, err := onlyFormat(r.URL.Query(), formatJSON)
	if err != nil {
		return "", nil, err
	}
	type link struct {
		Href  string `json:"href"`
		About string `json:"beskrivelse"`
	}
	base := baseURL(r)
	var links []link
	for _, e := range endpoints {
		links = append(links, link{Href: base + e.path, About: e.about.in(l)})
	}
	body, err := encodeJSON(map[string]any{
		"api": txtTitle.in(l) + " API v1", "publikasjon": snap.pub.ID, "openapi": base + "/api/v1/openapi.json",
		"dokumentasjon": "docs/api.md", "lisens": licenceIn(l), "endepunkter": links,
	})
	return contentTypes[formatJSON], body, err
}
