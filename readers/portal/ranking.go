package portal

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// ranking is a fylke's kommuner ranked for one indicator and year, drawn
// as horizontal bars with the fylke and the nation as reference lines.
type ranking struct {
	Indicator  Indicator
	Year       int
	Indicators []Indicator // those published for the fylke's kommuner
	Years      []int
	Bars       []rankBar
	Refs       []rankRef
	Width      int
	Height     int
	Desc       string
	Note       string
}

type rankBar struct {
	Code, Name, Text string
	Y, W             float64
	Has              bool
}

type rankRef struct {
	Name, Text, Class string
	X                 float64
}

// rankKommuner ranks the kommuner that were in fylke in the chosen year
// (indikator, aar in q; by default the settled refugees in the newest
// year), largest first; suppressed and missing figures last.
func (s *snapshot) rankKommuner(fylke *Region, q url.Values, l lang) (*ranking, error) {
	rk := &ranking{}
	ind, year, inds, years, err := s.pickIndicator(q, "kommune", l)
	if err != nil {
		return nil, err
	}
	id := ind.ID
	rk.Indicator, rk.Year, rk.Indicators, rk.Years = ind.in(l), year, inds, years
	hi := 0.0
	for _, r := range s.regionList {
		if r.Level != "kommune" || r.fylkeIn[rk.Year] != fylke.Code {
			continue
		}
		v, ok := yearValue(s.current.series(id, r.Code), rk.Year)
		sh := show(ind, v, ok, l)
		b := rankBar{Code: r.Code, Name: r.Name, Text: sh.Text, Has: sh.Has}
		if sh.Has {
			b.W = sh.Value
			hi = max(hi, sh.Value)
		} else if b.Text == "" {
			b.Text = "–"
		}
		rk.Bars = append(rk.Bars, b)
	}
	if ind.Type != "antall" { // a count of a fylke is not on a kommune's scale
		for i, c := range []struct{ code, name string }{{fylke.Code, displayName(fylke, l)}, {"0", tr(l, "Hele landet")}} {
			if v, ok := yearValue(s.current.series(id, c.code), rk.Year); ok && v.Verdi != nil {
				rk.Refs = append(rk.Refs, rankRef{Name: c.name, Text: show(ind, v, true, l).Text, Class: "linje" + strconv.Itoa(i+1), X: *v.Verdi})
				hi = max(hi, *v.Verdi)
			}
		}
	} else {
		rk.Note = tr(l, "Antall for fylket og landet står i tabellen på fylkessiden; de er ikke på samme skala som en kommune og vises ikke som linjer.")
	}
	sort.SliceStable(rk.Bars, func(i, j int) bool {
		a, b := rk.Bars[i], rk.Bars[j]
		if a.Has != b.Has {
			return a.Has
		}
		return a.W > b.W
	})
	const left, plot, step = 170.0, 380.0, 18.0
	scale := func(v float64) float64 {
		if hi <= 0 {
			return 0
		}
		return plot * v / hi
	}
	var parts []string
	for i := range rk.Bars {
		b := &rk.Bars[i]
		b.Y = 20 + step*float64(i)
		parts = append(parts, b.Name+" "+b.Text)
		b.W = scale(b.W)
	}
	for i := range rk.Refs {
		rk.Refs[i].X = left + scale(rk.Refs[i].X)
		parts = append(parts, rk.Refs[i].Name+" "+rk.Refs[i].Text)
	}
	rk.Width, rk.Height = int(left+plot+90), int(30+step*float64(len(rk.Bars)))
	rk.Desc = fmt.Sprintf("%s %s %d, %s: %s.", rk.Indicator.Name, tr(l, "i"), rk.Year, tr(l, "kommunene rangert"), strings.Join(parts, ", "))
	return rk, nil
}
