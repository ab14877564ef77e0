package research

import (
	"slices"
	"testing"

	"golang.org/x/text/language"
)

func TestHierarchies(t *testing.T) {
	tests := []struct {
		name string
		h    Hierarchy
		v    string
		want []string // the value at each level, level 0 first
	}{
		{"birth year", BirthYear, "1987", []string{"1987", "1985-1989", "1980-1989", All}},
		{"birth year on a band's edge", BirthYear, "1990", []string{"1990", "1990-1994", "1990-1999", All}},
		{"birth year, last of a band", BirthYear, "1999", []string{"1999", "1995-1999", "1990-1999", All}},
		{"age", Age, "34", []string{"34", "30-34", "30-39", All}},
		{"age 0", Age, "0", []string{"0", "0-4", "0-9", All}},
		{"age not a number", Age, "x", []string{"x", All, All, All}},
		{"kommune", Kommune, "0301", []string{"0301", "03", All}},
		{"kommune after the 2020 reform", Kommune, "5001", []string{"5001", "50", All}},
		// Today's fylke, through every reform: codes of any year meet there.
		{"kommune of 2017, fylke of today", Kommune, "1601", []string{"1601", "50", All}},
		{"kommune of 2019, fylke split in 2024", Kommune, "1902", []string{"1902", "55", All}},
		{"kommune of 2022, renumbered in 2024", Kommune, "5401", []string{"5401", "55", All}},
		{"kommune of 2015, Østfold again", Kommune, "0101", []string{"0101", "31", All}},
		{"Rømskog, moved to Akershus", Kommune, "0121", []string{"0121", "32", All}},
		{"Ålesund, split within its fylke", Kommune, "1507", []string{"1507", "15", All}},
		{"kommune unknown", Kommune, "9999", []string{"9999", All, All}},
		{"kommune malformed", Kommune, "301", []string{"301", All, All}},
		{"country in Western Asia", Country, "SYR", []string{"SYR", "145", "142", All}},
		{"country in Sub-Saharan Africa", Country, "ERI", []string{"ERI", "202", "002", All}},
		{"country in Southern Asia", Country, "AFG", []string{"AFG", "034", "142", All}},
		{"country in Northern Europe", Country, "NOR", []string{"NOR", "154", "150", All}},
		{"country in Eastern Europe", Country, "UKR", []string{"UKR", "151", "150", All}},
		{"country in Northern America", Country, "USA", []string{"USA", "021", "019", All}},
		{"country in Latin America", Country, "COL", []string{"COL", "419", "019", All}},
		{"country in Oceania", Country, "AUS", []string{"AUS", "053", "009", All}},
		{"stateless", Country, Stateless, []string{Stateless, Stateless, Stateless, All}},
		{"unknown country", Country, UnknownCountry, []string{UnknownCountry, UnknownCountry, UnknownCountry, All}},
		{"no such country", Country, "QQQ", []string{"QQQ", UnknownCountry, UnknownCountry, All}},
		{"date", Date, "2017-03-15", []string{"2017-03-15", "2017-03", "2017", All}},
		{"date malformed", Date, "2017", []string{"2017", All, All, All}},
		{"month", Month, "2017-03-01", []string{"2017-03-01", "2017", All}},
		{"code", Code, "K", []string{"K", All}},
		{"yes/no", Code, "true", []string{"true", All}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := len(tt.h.Levels()); n != len(tt.want) {
				t.Fatalf("%d levels %v, the table has %d", n, tt.h.Levels(), len(tt.want))
			}
			var got []string
			for l := range tt.h.Levels() {
				got = append(got, tt.h.Generalise(tt.v, l))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%q along %v = %v, want %v", tt.v, tt.h.Levels(), got, tt.want)
			}
		})
	}
}

// TestCountryRegionsContainment checks the country hierarchy is a
// hierarchy: every sub-region lies in the region the same country goes to.
func TestCountryRegionsContainment(t *testing.T) {
	for _, c := range []string{"SYR", "ERI", "SOM", "AFG", "IRQ", "POL", "LTU", "THA", "PHL", "COD", "MAR", "BRA", "CAN", "NZL", "FJI", "KAZ", "CHN"} {
		sub, reg := Country.Generalise(c, 1), Country.Generalise(c, 2)
		if sub == UnknownCountry || reg == UnknownCountry {
			t.Errorf("%s has no region: %s, %s", c, sub, reg)
			continue
		}
		if !slices.Contains(continents, reg) || !slices.Contains(subRegions, sub) ||
			!language.MustParseRegion(reg).Contains(language.MustParseRegion(sub)) {
			t.Errorf("%s → %s → %s: not an M.49 sub-region within its region", c, sub, reg)
		}
	}
}
