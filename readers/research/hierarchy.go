package research

import (
	"fmt"
	"strconv"

	"golang.org/x/text/language"

	"integstat/extract/reference"
)

// All is the value of every variable at the top of its hierarchy: the
// variable says nothing any more (for a kommune, all of Norway; for a
// country, the world).
const All = "*"

// A Hierarchy generalises the values of one kind of quasi-identifier step
// by step, from the value itself (level 0) to All (the last level). Values
// are the text form of the output column (a date as YYYY-MM-DD); a value
// that does not fit the hierarchy goes straight to All.
type Hierarchy interface {
	// Levels names the levels, level 0 first, for the codebook and the
	// information-loss report.
	Levels() []string
	// Generalise returns v at level (0 ≤ level < len(Levels())).
	Generalise(v string, level int) string
}

// levelIndex returns the level of h named name, or -1.
func levelIndex(h Hierarchy, name string) int {
	for i, l := range h.Levels() {
		if l == name {
			return i
		}
	}
	return -1
}

// yearBands generalises whole numbers (a birth year, an age) to 5- and then
// 10-year bands written "1985-1989": bands start at multiples of 5 and 10.
type yearBands struct{ unit string }

// BirthYear is the hierarchy of a birth year: year → 5-year band
// ("1985-1989") → 10-year band ("1980-1989") → All.
var BirthYear Hierarchy = yearBands{"year"}

// Age is the hierarchy of an age in whole years: age → 5-year band
// ("30-34") → 10-year band ("30-39") → All.
var Age Hierarchy = yearBands{"age"}

func (b yearBands) Levels() []string {
	return []string{b.unit, "5-year band", "10-year band", "all"}
}

func (b yearBands) Generalise(v string, level int) string {
	n, err := strconv.Atoi(v)
	switch {
	case level == 0:
		return v
	case err != nil || n < 0 || level >= 3:
		return All
	}
	w := 5
	if level == 2 {
		w = 10
	}
	lo := n - n%w
	return fmt.Sprintf("%d-%d", lo, lo+w-1)
}

// kommuneLevels generalises a kommunenummer to the fylke of today's
// structure its territory lies in (the newest list of the reference data),
// and then to All (the whole country). Codes of different years then meet in
// one group: 1902 Tromsø of 2019 and 5401 of 2022 are both 55 Troms, 0101
// Halden of 2015 is 31 Østfold. A code the reference data does not know, or
// one whose territory lies in several of today's fylker, becomes All.
type kommuneLevels struct{ fylke map[string]string }

// Kommune is the hierarchy of a kommunenummer: kommune → today's fylke →
// land (All).
var Kommune Hierarchy = newKommuneLevels(reference.MustLoad())

// newKommuneLevels maps every kommune code of ref to today's fylke.
func newKommuneLevels(ref *reference.Data) kommuneLevels {
	newest := ref.Newest()
	fylke := map[string]string{}
	for _, k := range ref.Kommuner {
		last, _ := ref.LastDay(k.Code)
		var f string
		for _, c := range ref.CodeAt(k.Code, last, newest) {
			today, _ := ref.KommuneOn(c, newest)
			if f != "" && today.Fylke != f {
				f = All
				break
			}
			f = today.Fylke
		}
		if f != "" {
			fylke[k.Code] = f
		}
	}
	return kommuneLevels{fylke}
}

func (kommuneLevels) Levels() []string { return []string{"kommune", "fylke", "land"} }

func (h kommuneLevels) Generalise(v string, level int) string {
	switch {
	case level == 0:
		return v
	case level == 1 && h.fylke[v] != "":
		return h.fylke[v]
	}
	return All
}

// Codes of countries outside every region of UN M.49.
const (
	Stateless      = "XXX" // statsborgerskap: stateless, at every level below All
	UnknownCountry = "XXA" // an unknown country, or one in no region (Antarctica)
)

// subRegions are the 17 sub-regions of UN M.49 (Latin America and
// Sub-Saharan Africa taken whole); continents its five regions.
var (
	subRegions = []string{"015", "202", "419", "021", "143", "030", "035", "034", "145", "151", "154", "039", "155", "053", "054", "057", "061"}
	continents = []string{"002", "019", "142", "150", "009"}
)

// countryLevels generalises an ISO 3166-1 alpha-3 code to its UN M.49
// sub-region and region (continent), by golang.org/x/text/language.
type countryLevels struct{}

// Country is the hierarchy of an ISO 3166-1 alpha-3 country code: country
// → UN M.49 sub-region (e.g. "145" Western Asia) → UN M.49 region ("142"
// Asia) → world (All). Stateless (XXX) stays XXX below All; an unknown code
// (XXA, or one in no region) becomes XXA.
var Country Hierarchy = countryLevels{}

func (countryLevels) Levels() []string {
	return []string{"country", "M.49 sub-region", "M.49 region", "world"}
}

func (countryLevels) Generalise(v string, level int) string {
	switch {
	case level == 0:
		return v
	case level >= 3:
		return All
	case v == Stateless:
		return Stateless
	}
	r, err := language.ParseRegion(v)
	if err != nil || !r.IsCountry() {
		return UnknownCountry
	}
	groups := subRegions
	if level == 2 {
		groups = continents
	}
	for _, g := range groups {
		if language.MustParseRegion(g).Contains(r) {
			return g
		}
	}
	return UnknownCountry
}

// dateLevels generalises a date (YYYY-MM-DD) or, without the first level,
// a month (its first day): to the month (YYYY-MM), the year (YYYY), All.
type dateLevels struct{ month bool }

// Date is the hierarchy of a date: date → month ("2017-03") → year
// ("2017") → All.
var Date Hierarchy = dateLevels{}

// Month is the hierarchy of a month given as its first day: month
// ("2017-03") → year → All.
var Month Hierarchy = dateLevels{month: true}

func (d dateLevels) Levels() []string {
	if d.month {
		return []string{"month", "year", "all"}
	}
	return []string{"date", "month", "year", "all"}
}

func (d dateLevels) Generalise(v string, level int) string {
	if level == 0 {
		return v
	}
	if d.month {
		level++
	}
	switch {
	case len(v) < 10 || level >= 3:
		return All
	case level == 1:
		return v[:7]
	}
	return v[:4]
}

// codeLevels shows a code or does not: value → All.
type codeLevels struct{}

// Code is the hierarchy of a code or a yes/no: the value → All.
var Code Hierarchy = codeLevels{}

func (codeLevels) Levels() []string { return []string{"value", "all"} }

func (codeLevels) Generalise(v string, level int) string {
	if level == 0 {
		return v
	}
	return All
}
