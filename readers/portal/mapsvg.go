package portal

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"integstat/extract/reference"
)

// mapBase is the drawing of today's kommuner or fylker: one SVG path per
// region, projected once from the embedded TopoJSON outlines.
type mapBase struct {
	Level         string // kommune or fylke
	Year          int    // the year of the outlines (today's structure)
	Width, Height int    // of the viewBox; the path data are integers in it
	Shapes        []mapShape
}

type mapShape struct{ Code, Name, D string }

// mapWidth is the viewBox width; the page shows it at half size, so that
// a unit is half a pixel and integer coordinates are fine enough.
const mapWidth = 900

var (
	kommuneMap = sync.OnceValues(func() (*mapBase, error) {
		return loadMap(reference.OutlineKommuner, "kommune", "kommunenummer", "kommunenavn")
	})
	fylkeMap = sync.OnceValues(func() (*mapBase, error) {
		return loadMap(reference.OutlineFylker, "fylke", "fylkesnummer", "fylkesnavn")
	})
)

// project maps longitude and latitude (degrees) to the plane with the
// sinusoidal projection centred on 15° east, which keeps Norway's areas
// and, at its latitudes, shapes near enough.
func project(p [2]float64) (float64, float64) {
	return (p[0] - 15) * math.Cos(p[1]*math.Pi/180), -p[1]
}

func loadMap(name, level, codeProp, nameProp string) (*mapBase, error) {
	data, year, err := reference.Outlines(name)
	if err != nil {
		return nil, err
	}
	outlines, err := decodeTopoJSON(data, codeProp, nameProp)
	if err != nil {
		return nil, fmt.Errorf("map of %s: %w", name, err)
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, o := range outlines {
		for _, poly := range o.Polygons {
			for _, p := range poly[0] {
				x, y := project(p)
				minX, maxX, minY, maxY = math.Min(minX, x), math.Max(maxX, x), math.Min(minY, y), math.Max(maxY, y)
			}
		}
	}
	scale := (mapWidth - 2) / (maxX - minX)
	m := &mapBase{Level: level, Year: year, Width: mapWidth, Height: int(math.Ceil((maxY-minY)*scale)) + 2}
	for _, o := range outlines {
		var d strings.Builder
		for _, poly := range o.Polygons {
			for _, ring := range poly {
				writeRing(&d, ring, func(p [2]float64) [2]int {
					x, y := project(p)
					return [2]int{int(math.Round((x-minX)*scale)) + 1, int(math.Round((y-minY)*scale)) + 1}
				})
			}
		}
		m.Shapes = append(m.Shapes, mapShape{Code: o.Code, Name: o.Name, D: d.String()})
	}
	sort.Slice(m.Shapes, func(i, j int) bool { return m.Shapes[i].Code < m.Shapes[j].Code })
	return m, nil
}

// writeRing writes a ring as SVG path data, the first point absolute and
// the others relative, leaving out points that round to the one before. A
// ring that rounds to fewer than three points is left out, unless the
// path would be empty: every region is drawn.
func writeRing(d *strings.Builder, ring [][2]float64, at func([2]float64) [2]int) {
	var pts [][2]int
	for _, p := range ring {
		q := at(p)
		if len(pts) == 0 || q != pts[len(pts)-1] {
			pts = append(pts, q)
		}
	}
	if len(pts) < 3 && d.Len() > 0 {
		return
	}
	d.WriteString("M" + strconv.Itoa(pts[0][0]) + " " + strconv.Itoa(pts[0][1]))
	for i := 1; i < len(pts); i++ {
		dx, dy := pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1]
		d.WriteString("l" + strconv.Itoa(dx))
		if dy >= 0 {
			d.WriteByte(' ')
		}
		d.WriteString(strconv.Itoa(dy))
	}
	d.WriteByte('z')
}

// mapArea is a region of a map as a page draws it.
type mapArea struct {
	mapShape
	Class string // k0…k4 (the legend's classes), prikket or mangler
	Text  string // the figure as shown, or why there is none
	Value float64
	Has   bool
}

type legendItem struct{ Class, Label string }

// mapView is a coloured map: the areas, the legend and what it shows.
type mapView struct {
	Base      *mapBase
	Areas     []mapArea
	Legend    []legendItem
	Indicator Indicator
	Year      int
	Basis     string // where the figures come from, in words
	Credit    string
}

// Colour classes of the legend, light to dark.
const mapClasses = 5

// colour fills the areas with figures in mapClasses classes of about equal
// size (quantiles of the figures shown) and writes the legend.
func (v *mapView) colour(ind *Indicator, l lang) {
	var vals []float64
	for _, a := range v.Areas {
		if a.Has {
			vals = append(vals, a.Value)
		}
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	var bounds []float64 // upper bound of each class but the last
	for k := 1; k < mapClasses && len(vals) > 0; k++ {
		b := vals[max(0, k*len(vals)/mapClasses-1)]
		if b < vals[len(vals)-1] && (len(bounds) == 0 || b > bounds[len(bounds)-1]) {
			bounds = append(bounds, b)
		}
	}
	for i := range v.Areas {
		a := &v.Areas[i]
		if a.Has {
			a.Class = "k" + strconv.Itoa(sort.SearchFloat64s(bounds, a.Value)) // bounds are inclusive
		}
	}
	if len(vals) == 0 {
		return
	}
	lo := vals[0]
	edges := append(slices.Clone(bounds), vals[len(vals)-1])
	for k, hi := range edges {
		from := format1(ind, lo, l)
		label := from + " – " + format1(ind, hi, l)
		if k > 0 {
			label = txtAbove.in(l) + " " + from + " " + txtTo.in(l) + " " + format1(ind, hi, l)
		}
		v.Legend = append(v.Legend, legendItem{Class: "k" + strconv.Itoa(k), Label: label})
		lo = hi
	}
}

// format1 writes one number as show does.
func format1(ind *Indicator, f float64, l lang) string {
	return formatValue(ind.Type, f, l)
}
