package intruder

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

var testCat = map[string]Def{
	"bosatte":                    {Source: "bosetting", Kind: Count, Persons: true, Additive: true},
	"bosatt_etter_12mnd":         {Source: "bosetting", Kind: Count, Persons: true, Additive: true},
	"andel_bosatt_12mnd":         {Source: "bosetting", Kind: Share, Persons: true, Additive: true},
	"barnefamilier_personer":     {Source: "bosetting", Kind: Count, Persons: true, Additive: true},
	"bosatte_em":                 {Source: "bosetting", Kind: Count, Persons: true, Additive: true},
	"bosatte_andre_voksne":       {Source: "bosetting", Kind: Count, Persons: true, Additive: true},
	"ventetid_mnd_barnefamilier": {Source: "bosetting", Kind: Mean, Persons: true, Additive: true},
	"intro_deltakere":            {Source: "nir", Kind: Count, Persons: true},
	"andel_intro_utvidet":        {Source: "nir", Kind: Share, Persons: true},
	"tolker":                     {Source: "tolk", Kind: Count, Persons: true, Additive: true},
}

func rat(x int64) *big.Rat { return big.NewRat(x, 1) }

// count and share make published rows; hidden a suppressed one.
func count(ind, level, region string, v int64) Row {
	return Row{State: "s", Indicator: ind, Year: 2013, Level: level, Region: region, Verdi: rat(v), Teller: rat(v)}
}

func share(ind, level, region string, t, n int64) Row {
	return Row{State: "s", Indicator: ind, Year: 2013, Level: level, Region: region, Verdi: big.NewRat(t, n), Teller: rat(t), Nevner: rat(n)}
}

func mean(ind, level, region string, days, n int64) Row {
	v := new(big.Rat).Quo(big.NewRat(days, n), daysPerMonth)
	f, _ := v.Float64() // as the mart stores it: a DOUBLE
	return Row{State: "s", Indicator: ind, Year: 2013, Level: level, Region: region, Verdi: new(big.Rat).SetFloat64(f), Nevner: rat(n)}
}

func hidden(ind, level, region string) Row {
	return Row{State: "s", Indicator: ind, Year: 2013, Level: level, Region: region, Suppressed: true}
}

// TestIdentitiesLeak checks, by hand-computed cases, that each identity of
// the definitions recovers a suppressed number a publication protected
// the old way (hierarchy and declared groups only) leaves open, and that
// a cell protected by a second unknown is not recovered.
func TestIdentitiesLeak(t *testing.T) {
	for _, c := range []struct {
		name string
		rows []Row
		opt  Options
		cell Cell
		lo   int64
		hi   int64 // -1: unbounded
	}{
		{"a share's complement (Hvaler 2013)", []Row{
			count("bosatte", "kommune", "0111", 18), share("andel_bosatt_12mnd", "kommune", "0111", 16, 18),
			hidden("bosatt_etter_12mnd", "kommune", "0111")},
			Options{}, Cell{"s", "bosatt_etter_12mnd", 2013, "kommune", "0111", C}, 2, 2},
		{"categories sum to bosatte below the nation", []Row{
			count("bosatte", "kommune", "0301", 20), count("barnefamilier_personer", "kommune", "0301", 10),
			hidden("bosatte_em", "kommune", "0301"), count("bosatte_andre_voksne", "kommune", "0301", 7)},
			Options{}, Cell{"s", "bosatte_em", 2013, "kommune", "0301", C}, 3, 3},
		{"but not at national level, where protected persons count", []Row{
			count("bosatte", "land", "0", 20), count("barnefamilier_personer", "land", "0", 10),
			hidden("bosatte_em", "land", "0"), count("bosatte_andre_voksne", "land", "0", 7)},
			Options{}, Cell{"s", "bosatte_em", 2013, "land", "0", C}, 0, 3},
		{"a share's nevner is the suppressed count", []Row{
			hidden("intro_deltakere", "kommune", "1103"), share("andel_intro_utvidet", "kommune", "1103", 1, 3)},
			Options{}, Cell{"s", "intro_deltakere", 2013, "kommune", "1103", C}, 3, 3},
		{"a mean's total is additive", []Row{
			mean("ventetid_mnd_barnefamilier", "fylke", "11", 1000, 12), mean("ventetid_mnd_barnefamilier", "kommune", "1103", 700, 9),
			hidden("ventetid_mnd_barnefamilier", "kommune", "1101")},
			Options{}, Cell{"s", "ventetid_mnd_barnefamilier", 2013, "kommune", "1101", S}, 300, 300},
		{"kommuner sum to their fylke", []Row{
			count("tolker", "fylke", "11", 10), count("tolker", "kommune", "1103", 7), hidden("tolker", "kommune", "1101")},
			Options{}, Cell{"s", "tolker", 2013, "kommune", "1101", C}, 3, 3},
		{"integers: two hidden counts of 2 are 1 each where zeros are shown", []Row{
			count("tolker", "fylke", "11", 2), hidden("tolker", "kommune", "1103"), hidden("tolker", "kommune", "1101"), count("tolker", "kommune", "1102", 0)},
			Options{MinOneBelowLand: true}, Cell{"s", "tolker", 2013, "kommune", "1101", C}, 1, 1},
		{"protected: two hidden counts of 7", []Row{
			count("tolker", "fylke", "11", 7), hidden("tolker", "kommune", "1103"), hidden("tolker", "kommune", "1101")},
			Options{MinOneBelowLand: true}, Cell{"s", "tolker", 2013, "kommune", "1101", C}, 1, 6},
		{"protected: nothing relates the cell", []Row{hidden("tolker", "kommune", "1101")},
			Options{}, Cell{"s", "tolker", 2013, "kommune", "1101", C}, 0, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Attack(c.rows, testCat, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			var r *Range
			for i := range got {
				if got[i].Cell == c.cell {
					r = &got[i]
				}
			}
			if r == nil {
				t.Fatalf("no range for %s in %v", c.cell, got)
			}
			if r.Lo.Cmp(rat(c.lo)) != 0 || (c.hi < 0) != (r.Hi == nil) || (r.Hi != nil && r.Hi.Cmp(rat(c.hi)) != 0) {
				t.Errorf("%s: [%v, %v], want [%d, %d]", c.cell, r.Lo, r.Hi, c.lo, c.hi)
			}
			if r.Exact() != (c.lo == c.hi) {
				t.Errorf("exact %v", r.Exact())
			}
		})
	}
}

// TestRandomHierarchies checks the attack is sound on random additive
// hierarchies: with random cells suppressed, every range it reports holds
// the true value, and cells alone in their relation are recovered.
func TestRandomHierarchies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 13))
	exact := 0
	for trial := range 300 {
		var rows []Row
		truth := map[Cell]int64{}
		land := int64(0)
		nf := 2 + r.IntN(5)
		for f := range nf {
			fy := string(rune('1'+f)) + "0"
			sum := int64(0)
			nk := 1 + r.IntN(8)
			for k := range nk {
				v := int64(r.IntN(3)) * int64(r.IntN(6))
				sum += v
				reg := fy + "0" + string(rune('1'+k))
				rows = append(rows, maybe(r, count("tolker", "kommune", reg, v), truth, 0.3))
			}
			land += sum
			rows = append(rows, maybe(r, count("tolker", "fylke", fy, sum), truth, 0.2))
		}
		rows = append(rows, count("tolker", "land", "0", land))
		got, err := Attack(rows, testCat, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range got {
			v := rat(truth[g.Cell])
			if g.Lo.Cmp(v) > 0 || (g.Hi != nil && g.Hi.Cmp(v) < 0) {
				t.Fatalf("trial %d: %s in [%v, %v], truly %v", trial, g.Cell, g.Lo, g.Hi, v)
			}
			if g.Exact() {
				exact++
			}
		}
	}
	if exact == 0 {
		t.Error("random suppression never left a cell recoverable: the attack finds nothing")
	}
}

// maybe suppresses row with probability p, remembering its true value.
func maybe(r *rand.Rand, row Row, truth map[Cell]int64, p float64) Row {
	if r.Float64() >= p {
		return row
	}
	truth[Cell{row.State, row.Indicator, row.Year, row.Level, row.Region, C}] = row.Teller.Num().Int64()
	return Row{State: row.State, Indicator: row.Indicator, Year: row.Year, Level: row.Level, Region: row.Region, Suppressed: true}
}
