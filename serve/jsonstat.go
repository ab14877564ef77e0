package serve

import (
	"slices"
	"sort"
	"strconv"
)

// JSON-stat 2.0 (https://json-stat.org/format/): a dataset is a cube of
// dimensions with the values in row-major order. Ours has three
// dimensions, indicator (role metric), region (geo) and year (time); a
// cell without a figure is null, a suppressed one null with status ":",
// a preliminary one status "p".

type jsDataset struct {
	Version   string                 `json:"version"`
	Class     string                 `json:"class"`
	Label     string                 `json:"label"`
	Source    string                 `json:"source"`
	Updated   string                 `json:"updated"`
	ID        []string               `json:"id"`
	Size      []int                  `json:"size"`
	Role      map[string][]string    `json:"role"`
	Dimension map[string]jsDimension `json:"dimension"`
	Value     []*float64             `json:"value"`
	Status    map[string]string      `json:"status,omitempty"`
	Note      []string               `json:"note,omitempty"`
	Extension map[string]any         `json:"extension,omitempty"`
}

type jsDimension struct {
	Label    string     `json:"label"`
	Category jsCategory `json:"category"`
}

type jsCategory struct {
	Index map[string]int    `json:"index"`
	Label map[string]string `json:"label"`
	Unit  map[string]jsUnit `json:"unit,omitempty"`
}

type jsUnit struct {
	Label    string `json:"label"`
	Decimals int    `json:"decimals"`
}

// decimals a value of a type is shown with.
var decimals = map[string]int{"antall": 0, "andel": 3, "snitt": 1}

// Explanations of the statuses, in the dataset's extension and the pages.
const (
	suppressedNote  = "Prikket (:): tallet er skjult av personvernhensyn, fordi det bygger på så få personer at noen kunne kjennes igjen, eller fordi det ellers kunne regnes ut fra andre publiserte tall."
	preliminaryNote = "Foreløpig (p): tallet kan endres når nye data kommer inn."
)

// jsonStat builds the dataset of values; the dimensions hold exactly the
// indicators, regions and years that occur, in the snapshot's order.
func (s *snapshot) jsonStat(label string, values []Value) jsDataset {
	var inds, regions []string
	var years []int
	seenI, seenR, seenY := map[string]bool{}, map[string]bool{}, map[int]bool{}
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
	}
	order := map[string]int{}
	for i, c := range s.catalogue {
		order[c.ID] = i
	}
	sort.Slice(inds, func(i, j int) bool { return order[inds[i]] < order[inds[j]] })
	sort.Slice(regions, func(i, j int) bool { return s.regionLess(regions[i], regions[j]) })
	slices.Sort(years)

	ind := jsDimension{Label: "indikator", Category: jsCategory{Index: map[string]int{}, Label: map[string]string{}, Unit: map[string]jsUnit{}}}
	for i, id := range inds {
		c := s.indicators[id]
		ind.Category.Index[id] = i
		ind.Category.Label[id] = c.Name
		ind.Category.Unit[id] = jsUnit{Label: c.Unit, Decimals: decimals[c.Type]}
	}
	reg := jsDimension{Label: "region", Category: jsCategory{Index: map[string]int{}, Label: map[string]string{}}}
	for i, code := range regions {
		reg.Category.Index[code] = i
		reg.Category.Label[code] = s.regions[code].Name
	}
	yr := jsDimension{Label: "år", Category: jsCategory{Index: map[string]int{}, Label: map[string]string{}}}
	yearIndex := map[int]int{}
	for i, y := range years {
		k := strconv.Itoa(y)
		yr.Category.Index[k] = i
		yr.Category.Label[k] = k
		yearIndex[y] = i
	}
	ds := jsDataset{
		Version: "2.0", Class: "dataset", Label: label, Source: "IMDi", Updated: s.pub.AsOf,
		ID:        []string{"indikator", "region", "aar"},
		Size:      []int{len(inds), len(regions), len(years)},
		Role:      map[string][]string{"metric": {"indikator"}, "geo": {"region"}, "time": {"aar"}},
		Dimension: map[string]jsDimension{"indikator": ind, "region": reg, "aar": yr},
		Value:     make([]*float64, len(inds)*len(regions)*len(years)),
		Status:    map[string]string{},
		Note:      []string{suppressedNote, preliminaryNote},
		Extension: map[string]any{"publikasjon": s.pub.ID},
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
