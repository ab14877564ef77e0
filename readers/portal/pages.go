package portal

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
)

//go:embed templates/*.html static/*
var assets embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"cell":    cell,
	"t":       tr,
	"licence": licenceIn,
	"half":    func(n int) int { return n / 2 },
}).ParseFS(assets, "templates/*.html"))

const htmlType = "text/html; charset=utf-8"

func (s *Server) pageRoutes(m *http.ServeMux) {
	// The same pages in Norwegian and, under /en/, in English.
	for _, prefix := range []string{"", "/en"} {
		m.Handle("GET "+prefix+"/{$}", s.handle(pageSearch))
		m.Handle("GET "+prefix+"/sted/{code}", s.handle(pagePlace))
		m.Handle("GET "+prefix+"/sammenlign", s.handle(pageCompare))
	}
	m.Handle("GET /static/", http.FileServerFS(assets))
	m.Handle("GET /", s.notFound("Siden finnes ikke."))
}

func render(name string, data any) (string, []byte, error) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		return "", nil, fmt.Errorf("page %s: %w", name, err)
	}
	return htmlType, b.Bytes(), nil
}

// statusTexts are the Norwegian titles of the error pages; English pages
// take net/http's.
var statusTexts = map[int]string{
	http.StatusBadRequest:          "Ugyldig forespørsel",
	http.StatusNotFound:            "Fant ikke siden",
	http.StatusMethodNotAllowed:    "Metoden er ikke tillatt",
	http.StatusRequestURITooLong:   "Adressen er for lang",
	http.StatusInternalServerError: "Intern feil",
	http.StatusServiceUnavailable:  "Tjenesten er ikke tilgjengelig",
}

// errorPage answers a page request that failed, in the page's language.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	l := pageLang(r)
	title := http.StatusText(code)
	if t, ok := statusTexts[code]; ok && l == langNB {
		title = t
	}
	home := "/"
	if l == langEN {
		home = "/en/"
	}
	_, body, err := render("error.html", map[string]any{"Title": title, "Code": code, "Message": msg, "Lang": l, "Home": home})
	if err != nil {
		body = []byte(msg)
	}
	w.Header().Set("Content-Type", htmlType)
	w.WriteHeader(code)
	w.Write(body)
}

// page is what every page template gets.
type page struct {
	Lang        lang
	Prefix      string // "/en" on English pages: the links stay in the language
	Title       string
	Publication Publication
	Query       string
	Hits        []Hit
	Searched    bool
	Suppressed  string
	Preliminary string
	Footer      *footer
}

func newPage(snap *snapshot, r *http.Request, title string) page {
	l := pageLang(r)
	p := page{Lang: l, Title: tr(l, title), Publication: snap.pub, Suppressed: txtSuppressed.in(l), Preliminary: txtPreliminary.in(l), Footer: snap.footer.Load()}
	if l == langEN {
		p.Prefix = "/en"
	}
	return p
}

// pageLang is the language of a page: English under /en/.
func pageLang(r *http.Request) lang {
	if strings.HasPrefix(r.URL.Path, "/en/") {
		return langEN
	}
	return langNB
}

// frontPage is the search and the map.
type frontPage struct {
	page
	Choice mapChoice
	Map    mapView
}

func pageSearch(snap *snapshot, r *http.Request) (string, []byte, error) {
	q := r.URL.Query()
	if err := checkParams(q, "q", "niva", "indikator", "aar"); err != nil {
		return "", nil, err
	}
	p := frontPage{page: newPage(snap, r, "Integreringsstatistikk – finn et sted")}
	p.Query = strings.TrimSpace(q.Get("q"))
	if len(p.Query) > 100 {
		return "", nil, badf("søket er for langt")
	}
	if p.Query != "" {
		p.Searched = true
		p.Hits = snap.search(p.Query)
		for i := range p.Hits {
			p.Hits[i].History = snap.history(&p.Hits[i].RegionCode, p.Lang)
		}
	}
	var err error
	if p.Choice, err = snap.parseMapChoice(q, p.Lang); err != nil {
		return "", nil, err
	}
	if p.Map, err = snap.drawMap(p.Choice, p.Lang); err != nil {
		return "", nil, err
	}
	return render("search.html", p)
}

// shown is a value as a page shows it.
type shown struct {
	Text   string // formatted, ":" when suppressed, "" when there is none
	Status string
	Title  string // the status explained, for a tooltip
	Value  float64
	Has    bool
}

// show formats a value for a page in language l: counts as whole
// numbers with groups of three digits, shares in percent with one
// decimal, means with one decimal (numbersIn has the two languages'
// forms).
func show(ind *Indicator, v Value, ok bool, l lang) shown {
	if !ok {
		return shown{}
	}
	s := shown{Status: v.Status}
	switch v.Status {
	case ":":
		s.Text, s.Title = ":", txtSuppressed.in(l)
		return s
	case "p":
		s.Title = txtPreliminary.in(l)
	case ".": // on today's structure: cannot be stated, with the reason
		s.Text, s.Title = ".", v.Note
		if s.Title == "" {
			s.Title = txtNotStated.in(l)
		}
		return s
	}
	if v.Verdi == nil {
		return s
	}
	s.Value, s.Has = *v.Verdi, true
	s.Text = formatValue(ind.Type, *v.Verdi, l)
	return s
}

// formatValue writes a figure of an indicator of type typ as a page shows
// it in language l: 1 234, 12,5 %, 3,4 in Norwegian; 1,234, 12.5%, 3.4
// in English.
func formatValue(typ string, f float64, l lang) string {
	n := numbersIn(l)
	switch typ {
	case "andel":
		return n.fixed(math.Round(f*1000)/10, -1) + n.percent
	case "snitt":
		return n.fixed(f, 1)
	default:
		return n.whole(int64(math.Round(f)))
	}
}

// cell is a shown value in a table cell: ":" and "p" are explained in a
// tooltip and by the note under the table.
func cell(l lang, s shown) template.HTML {
	if s.Text == "" && s.Status == "" {
		return template.HTML(`<span aria-label="` + tr(l, "ingen verdi") + `">–</span>`)
	}
	switch s.Status {
	case ":":
		s.Title = txtSuppressed.in(l)
	case "p":
		s.Title = txtPreliminary.in(l)
	case ".":
		return template.HTML(`<abbr class="ikke-oppgitt" title="` + template.HTMLEscapeString(s.Title) + `">.</abbr>`)
	}
	t := template.HTMLEscapeString(s.Text)
	if s.Status == ":" {
		return template.HTML(`<abbr class="prikket" title="` + template.HTMLEscapeString(s.Title) + `">:</abbr>`)
	}
	if s.Status == "p" {
		t += ` <abbr class="forelopig" title="` + template.HTMLEscapeString(s.Title) + `">p</abbr>`
	}
	return template.HTML(t)
}

type comparePage struct {
	page
	Indicators []Indicator
	Chosen     *Indicator
	RegionText string
	Regions    []*Region
	Rows       []row
	Error      string
	Codes      string // the places' codes, for the downloads
}

func pageCompare(snap *snapshot, r *http.Request) (string, []byte, error) {
	q := r.URL.Query()
	p := comparePage{page: newPage(snap, r, "Sammenlign steder"), Indicators: snap.catalogueIn(pageLang(r)), RegionText: q.Get("regions")}
	id := q.Get("indicator")
	if id == "" {
		id = snap.catalogue[0].ID
	}
	if snap.indicators[id] == nil {
		return "", nil, badf("ukjent indikator")
	}
	chosen := snap.indicators[id].in(p.Lang)
	p.Chosen = &chosen
	codes, err := list(q, "regions")
	if err != nil {
		return "", nil, err
	}
	for _, c := range codes {
		reg := snap.regions[c]
		if reg == nil {
			// A name instead of a code: take the best match.
			if hits := snap.search(c); len(hits) > 0 {
				reg = snap.regions[hits[0].Code]
			}
		}
		if reg == nil {
			p.Error = tr(p.Lang, "Fant ikke") + " " + c + "."
			continue
		}
		p.Regions = append(p.Regions, reg)
	}
	var cs []string
	for _, reg := range p.Regions {
		cs = append(cs, reg.Code)
	}
	p.Codes = strings.Join(cs, ",")
	years := map[int]bool{}
	series := make([]map[int]Value, len(p.Regions))
	for i, reg := range p.Regions {
		series[i] = map[int]Value{}
		vs := snap.current.series(id, reg.Code)
		if len(vs) == 0 { // a kommune of today's structure only: its sums
			vs = snap.today.series(id, reg.Code)
		}
		for _, v := range vs {
			series[i][v.Year] = v
			years[v.Year] = true
		}
	}
	for _, y := range snap.years {
		if !years[y] {
			continue
		}
		rw := row{Year: y}
		for i := range p.Regions {
			v, ok := series[i][y]
			rw.Cells = append(rw.Cells, show(p.Chosen, v, ok, p.Lang))
		}
		p.Rows = append(p.Rows, rw)
	}
	return render("compare.html", p)
}
