package portal

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Themes of the place page in a reader's order, and their headings.
var themes = []struct{ id, heading string }{
	{"bosetting", "Bosetting"},
	{"intro", "Introduksjonsprogram"},
	{"norsk", "Norskopplæring og samfunnskunnskap"},
	{"tolk", "Tolker"},
}

// keyIndicators are told in words first on a place page, when it has them.
var keyIndicators = []string{"bosatte", "intro_deltakere", "norsk_deltakere", "tolker"}

// displayName names a region unambiguously: "Oslo kommune", "Oslo fylke",
// "Hele landet".
func displayName(r *Region, l lang) string {
	switch r.Level {
	case "land":
		return tr(l, "Hele landet")
	case "fylke":
		return r.Name + " " + tr(l, "fylke")
	}
	return r.Name + " " + tr(l, "kommune")
}

// chart is an inline SVG chart of an indicator over the years: a line per
// region for shares and means (the place, its fylke, the nation), bars of
// the place for counts. Desc is its text alternative.
type chart struct {
	Width, Height int
	Lines         []line
	Bars          []bar
	Years         []axisYear
	Label, Desc   string
}

type line struct {
	Class, Name, Points string
	Dots                []dot
}

type dot struct {
	X, Y float64
	Text string
}

type bar struct {
	X, Y, W, H float64
	Year       int
	Text       string
	Missing    bool
}

type axisYear struct {
	X    float64
	Year int
}

// row is one year of an indicator on the place page.
type row struct {
	Year  int
	Cells []shown // the place, its fylke, the nation
}

type placeIndicator struct {
	Indicator
	Rows        []row
	Chart       chart
	Preliminary string   // which years are preliminary and when they become final
	NotStated   []string // on today's structure: the years that cannot be stated, each with the reason
	AsPublished []string // on today's structure: each year's codes summed, with their figures as published
	Today       bool     // the figures are on today's structure
}

type placeTheme struct {
	ID, Heading string
	Items       []placeIndicator
}

type placePage struct {
	page
	Region   *Region
	Name     string
	Code     *RegionCode // the code in region_kode, if there
	TodayOf  []*Region   // for a former code: today's kommuner its territory is in
	Earlier  []*Region   // for a code of today: earlier codes with pages
	History  string
	KeyFacts []string
	Columns  []*Region
	Headings []string
	Themes   []placeTheme
	Count    int
	Ranking  *ranking // on a fylke's page: its kommuner ranked
}

func pagePlace(snap *snapshot, r *http.Request) (string, []byte, error) {
	code := r.PathValue("code")
	if snap.regions[code] == nil && snap.codes[code] != nil {
		return snap.formerCodePage(snap.codes[code], r)
	}
	codes, err := snap.placeRegions(code)
	if err != nil {
		return "", nil, err
	}
	reg := snap.regions[codes[0]]
	l := pageLang(r)
	p := placePage{page: newPage(snap, r, displayName(reg, l)+" – "+tr(l, "integreringsstatistikk")), Region: reg, Name: displayName(reg, l)}
	if c := snap.codes[reg.Code]; c != nil {
		p.Code = c
		p.History = snap.history(c, l)
		for _, t := range c.Today {
			if t != c.Code && snap.regions[t] != nil {
				p.TodayOf = append(p.TodayOf, snap.regions[t])
			}
		}
		for _, e := range c.Earlier {
			if e != c.Code && snap.regions[e] != nil {
				p.Earlier = append(p.Earlier, snap.regions[e])
			}
		}
	}
	for _, c := range codes {
		p.Columns = append(p.Columns, snap.regions[c])
		p.Headings = append(p.Headings, displayName(snap.regions[c], l))
	}
	byTheme := map[string]*placeTheme{}
	for _, t := range themes {
		p.Themes = append(p.Themes, placeTheme{ID: t.id, Heading: tr(l, t.heading)})
	}
	for i := range p.Themes {
		byTheme[p.Themes[i].ID] = &p.Themes[i]
	}
	for _, id := range snap.indicatorIDs() {
		// A kommune of today's structure shows its additive counts as a
		// series on today's structure (its earlier codes summed); the
		// figures as published for each year's codes are on their pages.
		set := &snap.current
		series := set.series(id, reg.Code)
		today := false
		if ts := snap.today.series(id, reg.Code); len(ts) > 0 {
			set, series, today = &snap.today, ts, true
		}
		if len(series) == 0 {
			continue
		}
		ind := snap.indicators[id]
		item := placeIndicator{Indicator: ind.in(l), Today: today}
		others := make([]map[int]Value, len(codes))
		for i, c := range codes {
			others[i] = map[int]Value{}
			src := &snap.current
			if i == 0 {
				src = set
			}
			for _, v := range src.series(id, c) {
				others[i][v.Year] = v
			}
		}
		var prelim []string
		for _, v := range series {
			rw := row{Year: v.Year}
			for i := range codes {
				o, ok := others[i][v.Year]
				rw.Cells = append(rw.Cells, show(ind, o, ok, l))
			}
			if v.Status == "p" {
				prelim = append(prelim, strconv.Itoa(v.Year)+" ("+tr(l, "endelig med data per")+" "+finalFrom(ind, v.Year, l)+")")
			}
			if v.Status == "." {
				item.NotStated = append(item.NotStated, strconv.Itoa(v.Year)+": "+notStatedReason(l, v))
			}
			if today && v.Codes != "" && v.Codes != reg.Code {
				item.AsPublished = append(item.AsPublished, snap.asPublished(ind, v, l))
			}
			item.Rows = append(item.Rows, rw)
		}
		if len(prelim) > 0 {
			item.Preliminary = tr(l, "Foreløpige tall:") + " " + strings.Join(prelim, ", ") + "."
		}
		item.Chart = drawChart(&item.Indicator, item.Rows, p.Headings, l)
		th := byTheme[ind.Theme]
		if th == nil {
			th = byTheme["bosetting"]
		}
		th.Items = append(th.Items, item)
		p.Count++
	}
	p.KeyFacts = snap.keyFacts(reg, l)
	if reg.Level == "fylke" {
		if p.Ranking, err = snap.rankKommuner(reg, r.URL.Query(), l); err != nil {
			return "", nil, err
		}
	}
	return render("place.html", p)
}

// finalFrom is the data date from which a figure of year becomes final,
// written for language l (28.2.2018; 28 February 2018): NIR figures once
// municipalities have had two months to register (the last day of
// February the year after), others once the year is over.
func finalFrom(ind *Indicator, year int, l lang) string {
	day := time.Date(year, time.December, 31, 0, 0, 0, 0, time.UTC)
	if ind.Source == "nir" {
		day = time.Date(year+1, time.March, 0, 0, 0, 0, 0, time.UTC) // the day before 1 March
	}
	if l == langEN {
		return day.Format("2 January 2006")
	}
	return day.Format("2.1.2006")
}

// keyFacts tells the newest figure of each key indicator in words, with
// the change from the year before.
func (s *snapshot) keyFacts(reg *Region, l lang) []string {
	var out []string
	for _, id := range keyIndicators {
		if s.indicators[id] == nil {
			continue
		}
		named := s.indicators[id].in(l)
		ind := &named
		series := s.current.series(id, reg.Code)
		if len(series) == 0 {
			series = s.today.series(id, reg.Code)
		}
		if len(series) == 0 {
			continue
		}
		last := series[len(series)-1]
		text := show(ind, last, true, l)
		fact := fmt.Sprintf("%s %s %d: ", ind.Name, tr(l, "i"), last.Year)
		switch {
		case last.Status == ":":
			fact += tr(l, "prikket av personvernhensyn.")
		case !text.Has:
			fact += tr(l, "ikke oppgitt.")
		default:
			fact += text.Text + " " + ind.Unit
			if len(series) > 1 {
				prev := series[len(series)-2]
				if prev.Year == last.Year-1 && prev.Verdi != nil && *prev.Verdi > 0 {
					change := int64(math.Round((*last.Verdi - *prev.Verdi) / *prev.Verdi * 100))
					n := numbersIn(l)
					switch {
					case change > 0:
						fact += fmt.Sprintf(", %s%s %s %d", n.whole(change), n.percent, tr(l, "flere enn i"), prev.Year)
					case change < 0:
						fact += fmt.Sprintf(", %s%s %s %d", n.whole(-change), n.percent, tr(l, "færre enn i"), prev.Year)
					default:
						fact += fmt.Sprintf(", %s %d", tr(l, "like mange som i"), prev.Year)
					}
				}
			}
			if last.Status == "p" {
				fact += " (" + tr(l, "foreløpig") + ")"
			}
			fact += "."
		}
		out = append(out, fact)
	}
	return out
}

// drawChart draws an indicator's rows: lines for shares and means, bars of
// the place for counts.
func drawChart(ind *Indicator, rows []row, names []string, l lang) chart {
	const left, top, plot, step = 10.0, 10.0, 100.0, 44.0
	c := chart{Width: int(left) + int(step)*len(rows) + 10, Height: 140, Label: ind.Name + " " + tr(l, "per år")}
	for i, rw := range rows {
		c.Years = append(c.Years, axisYear{X: left + step*float64(i), Year: rw.Year})
	}
	cols := 1
	if ind.Type != "antall" {
		cols = len(names)
	}
	hi := 0.0
	for _, rw := range rows {
		for k := 0; k < cols && k < len(rw.Cells); k++ {
			if rw.Cells[k].Has {
				hi = math.Max(hi, rw.Cells[k].Value)
			}
		}
	}
	y := func(v float64) float64 {
		if hi <= 0 {
			return top + plot
		}
		return top + plot - plot*v/hi
	}
	var desc []string
	for k := 0; k < cols; k++ {
		var parts []string
		for _, rw := range rows {
			if k < len(rw.Cells) && rw.Cells[k].Text != "" {
				parts = append(parts, fmt.Sprintf("%d: %s", rw.Year, rw.Cells[k].Text))
			}
		}
		desc = append(desc, names[k]+" – "+strings.Join(parts, ", "))
	}
	c.Desc = strings.Join(desc, ". ") + "."
	if ind.Type == "antall" {
		for i, rw := range rows {
			b := bar{X: left + step*float64(i), W: 30, Year: rw.Year, Text: rw.Cells[0].Text}
			if !rw.Cells[0].Has {
				b.Missing, b.Y = true, top+plot
			} else {
				b.Y = y(rw.Cells[0].Value)
				b.H = top + plot - b.Y
			}
			c.Bars = append(c.Bars, b)
		}
		return c
	}
	for k := 0; k < cols; k++ {
		l := line{Class: "linje" + strconv.Itoa(k), Name: names[k]}
		var pts []string
		for i, rw := range rows {
			if k >= len(rw.Cells) || !rw.Cells[k].Has {
				continue
			}
			x := left + step*float64(i) + 15
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y(rw.Cells[k].Value)))
			l.Dots = append(l.Dots, dot{X: x, Y: y(rw.Cells[k].Value), Text: fmt.Sprintf("%s %d: %s", names[k], rw.Year, rw.Cells[k].Text)})
		}
		l.Points = strings.Join(pts, " ")
		c.Lines = append(c.Lines, l)
	}
	return c
}

// formerCodePage is the page of a code without figures of its own under
// it: a former code, or a code of today's list whose figures were
// published under its earlier codes. It says where its territory is today
// and links there.
func (s *snapshot) formerCodePage(c *RegionCode, r *http.Request) (string, []byte, error) {
	l := pageLang(r)
	name := c.Name + " " + tr(l, c.Level)
	p := placePage{page: newPage(s, r, name+" – "+tr(l, "integreringsstatistikk")), Name: name, Code: c, History: s.history(c, l)}
	for _, t := range c.Today {
		if r := s.regions[t]; r != nil && t != c.Code {
			p.TodayOf = append(p.TodayOf, r)
		}
	}
	for _, e := range c.Earlier {
		if r := s.regions[e]; r != nil && e != c.Code {
			p.Earlier = append(p.Earlier, r)
		}
	}
	slices.SortFunc(p.Earlier, func(a, b *Region) int { return strings.Compare(a.Code, b.Code) })
	return render("former.html", p)
}

// notStatedReason says why a figure on today's structure cannot be stated:
// the mart's merknad (in Norwegian, naming the split code), or the general
// reason in English.
func notStatedReason(l lang, v Value) string {
	if l == langEN || v.Note == "" {
		return txtNotStated.in(l)
	}
	return v.Note + "."
}

// asPublished says, for a value on today's structure, which codes of its
// year it sums and the figure each had as published for that year:
// "2016: Trondheim (1601) 2, Klæbu (1662) 0".
func (s *snapshot) asPublished(ind *Indicator, v Value, l lang) string {
	var parts []string
	for _, c := range strings.Split(v.Codes, ",") {
		name := c
		if r := s.regions[c]; r != nil {
			name = r.Name + " (" + c + ")"
		}
		var year Value
		found := false
		for _, o := range s.current.series(ind.ID, c) {
			if o.Year == v.Year {
				year, found = o, true
				break
			}
		}
		text := show(ind, year, found, l).Text
		if text == "" {
			text = "–"
		}
		parts = append(parts, name+" "+text)
	}
	return strconv.Itoa(v.Year) + ": " + strings.Join(parts, ", ")
}
