package portal

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// JSON-stat 2.0 (https://json-stat.org/format/): a dataset is a cube of
// dimensions with the values in row-major order. Ours has three
// dimensions, indicator (role metric), region (geo) and year (time); a
// cell without a figure is null, a suppressed one null with status ":",
// a preliminary one status "p".

type jsDataset struct {
	Version   string                 `json:"version"`
	Class     string                 `json:"class"`
	Href      string                 `json:"href"`
	Label     string                 `json:"label"`
	Source    string                 `json:"source"`
	Updated   string                 `json:"updated"`
	Link      map[string][]jsLink    `json:"link"`
	ID        []string               `json:"id"`
	Size      []int                  `json:"size"`
	Role      map[string][]string    `json:"role"`
	Dimension map[string]jsDimension `json:"dimension"`
	Value     []*float64             `json:"value"`
	Status    map[string]string      `json:"status,omitempty"`
	Note      []string               `json:"note,omitempty"`
	Extension map[string]any         `json:"extension,omitempty"`
}

type jsLink struct {
	Type  string `json:"type"`
	Href  string `json:"href"`
	Label string `json:"label,omitempty"`
}

type jsDimension struct {
	Label    string     `json:"label"`
	Category jsCategory `json:"category"`
}

type jsCategory struct {
	Index map[string]int      `json:"index"`
	Label map[string]string   `json:"label"`
	Unit  map[string]jsUnit   `json:"unit,omitempty"`
	Child map[string][]string `json:"child,omitempty"`
	Note  map[string][]string `json:"note,omitempty"`
}

type jsUnit struct {
	Label    string `json:"label"`
	Decimals int    `json:"decimals"`
}

// decimals a value of a type is shown with.
var decimals = map[string]int{"antall": 0, "andel": 3, "snitt": 1}

// jsonStat builds the dataset of values answering r; the dimensions hold
// exactly the indicators, regions and years that occur, in the snapshot's
// order. The regions form a hierarchy (child): the nation, its fylker,
// their kommuner, as far as they are in the dataset. Each indicator has
// its definition as a category note; on today's structure each kommune
// made of several codes says which.
func (s *snapshot) jsonStat(r *http.Request, label string, flt filter, values []Value) jsDataset {
	l := flt.lang
	var inds, regions []string
	var years []int
	seenI, seenR, seenY := map[string]bool{}, map[string]bool{}, map[int]bool{}
	codes := map[string][]string{} // on today's structure: the codes summed per region
	for _, v := range values {
		if !seenI[v.Indicator] {
			seenI[v.Indicator] = true
			inds = append(inds, v.Indicator)
		}
		if !seenR[v.Region] {
			seenR[v.Region] = true
			regions = append(regions, v.Region)
		}
		if !seenY[v.Year] {
			seenY[v.Year] = true
			years = append(years, v.Year)
		}
		for _, c := range strings.Split(v.Codes, ",") {
			if c != "" && v.Codes != v.Region && !slices.Contains(codes[v.Region], c) {
				codes[v.Region] = append(codes[v.Region], c)
			}
		}
	}
	order := map[string]int{}
	for i, c := range s.catalogue {
		order[c.ID] = i
	}
	sort.Slice(inds, func(i, j int) bool { return order[inds[i]] < order[inds[j]] })
	sort.Slice(regions, func(i, j int) bool { return s.regionLess(regions[i], regions[j]) })
	slices.Sort(years)

	ind := jsDimension{Label: txtDimIndicator.in(l), Category: jsCategory{Index: map[string]int{}, Label: map[string]string{},
		Unit: map[string]jsUnit{}, Note: map[string][]string{}}}
	for i, id := range inds {
		c := s.indicators[id].in(l)
		ind.Category.Index[id] = i
		ind.Category.Label[id] = c.Name
		ind.Category.Unit[id] = jsUnit{Label: c.Unit, Decimals: decimals[c.Type]}
		ind.Category.Note[id] = []string{c.Plain}
	}
	reg := jsDimension{Label: "region", Category: jsCategory{Index: map[string]int{}, Label: map[string]string{},
		Child: map[string][]string{}, Note: map[string][]string{}}}
	for i, code := range regions {
		rg := s.regions[code]
		reg.Category.Index[code] = i
		reg.Category.Label[code] = rg.Name
		if parent := rg.parent(); seenR[parent] {
			reg.Category.Child[parent] = append(reg.Category.Child[parent], code)
		}
		if cs := codes[code]; len(cs) > 0 {
			slices.Sort(cs)
			reg.Category.Note[code] = []string{txtTodaySum.in(l) + strings.Join(cs, ", ") + "."}
		}
	}
	yr := jsDimension{Label: txtDimYear.in(l), Category: jsCategory{Index: map[string]int{}, Label: map[string]string{}}}
	yearIndex := map[int]int{}
	for i, y := range years {
		k := strconv.Itoa(y)
		yr.Category.Index[k] = i
		yr.Category.Label[k] = k
		yearIndex[y] = i
	}
	base := baseURL(r)
	inndeling := "aarets"
	if flt.today {
		inndeling = "dagens"
	}
	ds := jsDataset{
		Version: "2.0", Class: "dataset", Href: base + pinned(r, r.URL.RequestURI()), Label: label, Source: txtSource.in(l), Updated: s.pub.Built,
		Link: map[string][]jsLink{
			"alternate": {
				{Type: "text/csv", Href: base + pinned(r, withFormat(r, formatCSV))},
				{Type: contentTypes[formatXLSX], Href: base + pinned(r, withFormat(r, formatXLSX))},
			},
			"describedby": {{Type: "application/json", Href: base + "/api/v1/indicators" + langQuery(l), Label: txtDefinitions.in(l)}},
		},
		ID:        []string{"indikator", "region", "aar"},
		Size:      []int{len(inds), len(regions), len(years)},
		Role:      map[string][]string{"metric": {"indikator"}, "geo": {"region"}, "time": {"aar"}},
		Dimension: map[string]jsDimension{"indikator": ind, "region": reg, "aar": yr},
		Value:     make([]*float64, len(inds)*len(regions)*len(years)),
		Status:    map[string]string{},
		Note:      []string{txtSuppressed.in(l), txtPreliminary.in(l)},
		Extension: map[string]any{"publikasjon": s.pub.ID, "data_per": s.pub.AsOf, "inndeling": inndeling,
			"status": statusLabels(l), "lisens": licenceIn(l)},
	}
	for _, v := range values {
		i := (ind.Category.Index[v.Indicator]*len(regions)+reg.Category.Index[v.Region])*len(years) + yearIndex[v.Year]
		ds.Value[i] = v.Verdi
		if v.Status != "" {
			ds.Status[strconv.Itoa(i)] = v.Status
		}
	}
	return ds
}

// parent is the region a region belongs to in the hierarchy nation →
// fylke → kommune: the nation for a fylke, the (newest) fylke for a kommune.
func (r *Region) parent() string {
	switch r.Level {
	case "fylke":
		return "0"
	case "kommune":
		return r.Fylke
	}
	return ""
}

// withFormat is r's path and query with format set to f.
func withFormat(r *http.Request, f format) string {
	q := r.URL.Query()
	q.Set("format", string(f))
	return r.URL.Path + "?" + q.Encode()
}

// langQuery is the query that asks for language l ("" for the default).
func langQuery(l lang) string {
	if l == langEN {
		return "?lang=en"
	}
	return ""
}
