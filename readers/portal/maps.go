package portal

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"integstat/extract/reference"
)

// mapChoice is what a reader picks for a map: level, indicator and year.
type mapChoice struct {
	Level      string // kommune or fylke
	Indicator  *Indicator
	Year       int
	Indicators []Indicator // those published at the level
	Years      []int       // those the indicator has
}

// parseMapChoice reads niva, indikator and aar from a page's query; the
// default is the kommune map of the settled refugees in the newest year.
func (s *snapshot) parseMapChoice(q url.Values, l lang) (mapChoice, error) {
	c := mapChoice{Level: q.Get("niva")}
	switch c.Level {
	case "":
		c.Level = "kommune"
	case "kommune", "fylke":
	default:
		return c, badf("nivå: kommune eller fylke")
	}
	var err error
	c.Indicator, c.Year, c.Indicators, c.Years, err = s.pickIndicator(q, c.Level, l)
	return c, err
}

// pickIndicator reads indikator and aar from a page's query for a level:
// by default the settled refugees in the newest year. It also returns the
// indicators published at the level (in language l) and the years the
// chosen one has.
func (s *snapshot) pickIndicator(q url.Values, level string, l lang) (*Indicator, int, []Indicator, []int, error) {
	var inds []Indicator
	for _, ind := range s.catalogueIn(l) {
		if slices.Contains(ind.Levels, level) && s.current.span[ind.ID] != [2]int{} {
			inds = append(inds, ind)
		}
	}
	id := q.Get("indikator")
	if id == "" {
		id = "bosatte"
	}
	ind := s.indicators[id]
	if ind == nil || !slices.Contains(ind.Levels, level) {
		return nil, 0, nil, nil, badf("ukjent indikator for nivået")
	}
	var years []int
	sp := s.current.span[id]
	for y := sp[0]; y <= sp[1] && sp[1] > 0; y++ {
		years = append(years, y)
	}
	year := sp[1]
	if a := q.Get("aar"); a != "" {
		y, err := strconv.Atoi(a)
		if err != nil || !slices.Contains(years, y) {
			return nil, 0, nil, nil, badf("år: velg et år med tall")
		}
		year = y
	}
	return ind, year, inds, years, nil
}

// drawMap colours today's kommuner or fylker with the chosen figures.
//
// Counts that add up (the catalogue's additive counts) are shown on today's
// structure as indikator_dagens_inndeling sums them. Shares and means
// cannot be summed, and no figure for today's kommuner exists for them:
// a kommune is coloured with the year's own figure only when its territory
// was one kommune that year (the sum on today's structure has one code),
// and is grey, with the reason, when it was several. Fylker are coloured
// with the year's figure of the fylke with the same number, grey when
// there was none that year.
func (s *snapshot) drawMap(c mapChoice, l lang) (mapView, error) {
	base, err := kommuneMap()
	if c.Level == "fylke" {
		base, err = fylkeMap()
	}
	if err != nil {
		return mapView{}, err
	}
	ind := c.Indicator
	v := mapView{Base: base, Indicator: ind.in(l), Year: c.Year, Credit: reference.OutlineAttribution}
	additive := ind.Additive && ind.Type == "antall" && c.Level == "kommune"
	switch {
	case c.Level == "fylke":
		v.Basis = fmt.Sprintf(tr(l, "Fylkene er tegnet slik de er i dag (%d). Hvert fylke vises med tallet for fylket med samme nummer i %d; et fylke som ikke fantes med det nummeret da, er grått. Grensene kan ha endret seg noe."), base.Year, c.Year)
	case additive:
		v.Basis = fmt.Sprintf(tr(l, "Tallene er lagt sammen for dagens kommuner (kommuneinndelingen i %d): en kommune som er slått sammen av flere, viser summen av dem."), base.Year)
	default:
		v.Basis = fmt.Sprintf(tr(l, "Andeler og gjennomsnitt kan ikke legges sammen, så de finnes ikke for dagens kommuner. Kartet viser tallet for %d for hver kommune som hadde de samme grensene da; kommuner som siden er slått sammen av flere, er grå."), c.Year)
	}
	for _, sh := range base.Shapes {
		a := mapArea{mapShape: sh, Class: "mangler", Text: tr(l, "ingen tall")}
		var val Value
		found := false
		switch {
		case c.Level == "fylke":
			val, found = yearValue(s.current.series(ind.ID, sh.Code), c.Year)
			if !found {
				a.Text = fmt.Sprintf(tr(l, "fylket fantes ikke med dette nummeret i %d"), c.Year)
			}
		case additive:
			val, found = yearValue(s.today.series(ind.ID, sh.Code), c.Year)
		default:
			codes := s.todayCodes[c.Year][sh.Code]
			if strings.Contains(codes, ",") {
				a.Text = fmt.Sprintf(tr(l, "slått sammen av %s i %d: ikke sammenlignbart"), strings.ReplaceAll(codes, ",", ", "), c.Year)
			} else if codes != "" {
				val, found = yearValue(s.current.series(ind.ID, codes), c.Year)
			}
		}
		if found {
			shown := show(ind, val, true, l)
			switch {
			case val.Status == ":":
				a.Class, a.Text = "prikket", ": ("+tr(l, "prikket")+")"
			case val.Status == ".":
				a.Text = txtNotStated.in(l)
			case shown.Has:
				a.Value, a.Has, a.Text = shown.Value, true, shown.Text
				if val.Status == "p" {
					a.Text += " (" + tr(l, "foreløpig") + ")"
				}
			}
		}
		v.Areas = append(v.Areas, a)
	}
	v.colour(ind, l)
	return v, nil
}

// yearValue is the value of year in a series.
func yearValue(series []Value, year int) (Value, bool) {
	for _, v := range series {
		if v.Year == year {
			return v, true
		}
	}
	return Value{}, false
}
