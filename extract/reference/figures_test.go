package reference

import (
	"math"
	"testing"
)

func TestPublishedFigures(t *testing.T) {
	figs, err := PublishedFigures()
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 126 {
		t.Fatalf("%d figures, want the file's 126 rows", len(figs))
	}
	kinds := make(map[string]int)
	withAsOf := 0
	for _, f := range figs {
		kinds[f.Kind]++
		if !f.AsOf.IsZero() {
			withAsOf++
		}
	}
	// Counted independently over the file.
	want := map[string]int{KindCount: 84, KindPercent: 26, KindApprox: 9, KindMonths: 7}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d figures of kind %s, want %d", kinds[k], k, n)
		}
	}
	if withAsOf != 41 {
		t.Errorf("%d figures with as_of, want 41", withAsOf)
	}

	find := func(indicator string, year int) Figure {
		t.Helper()
		for _, f := range figs {
			if f.Indicator == indicator && f.Year == year {
				return f
			}
		}
		t.Fatalf("no figure %s %d", indicator, year)
		return Figure{}
	}
	tests := []Figure{
		{Indicator: "bosatte", Year: 2014, Value: 7784, Kind: KindCount, Note: "Hovedtall: Bosatte flyktninger (totalt)"},
		{Indicator: "intro_pabegynt", Year: 2015, Value: 7061, Kind: KindCount, AsOf: date(2016, 2, 29)},
		{Indicator: "intro_rett_plikt", Year: 2017, Value: 26534, Kind: KindCount, AsOf: date(2017, 12, 31), Note: "preliminary"},
		{Indicator: "anmodet", Year: 2017, Value: 12700, Kind: KindApprox, Note: "om lag 12 700"},
		{Indicator: "ventetid_mnd", Year: 2017, Value: 5.0, Kind: KindMonths},
		{Indicator: "ventetid_mnd", Year: 2015, Value: 8.4, Kind: KindMonths},
		{Indicator: "andel_bosatt_6mnd", Year: 2014, Value: 49, Kind: KindPercent, Note: "SP1"},
		{Indicator: "norsk_rp_kohort", Year: 2016, Value: 19000, Kind: KindApprox, AsOf: date(2017, 12, 31), Note: "19 000"},
	}
	for _, want := range tests {
		got := find(want.Indicator, want.Year)
		if got.Value != want.Value || got.Kind != want.Kind || !got.AsOf.Equal(want.AsOf) || got.Note != want.Note {
			t.Errorf("figure %s %d = %+v, want %+v", want.Indicator, want.Year, got, want)
		}
	}
}

// TestFiguresMatchThemselves checks every published figure against the value
// that reproduces it exactly (a share as a fraction).
func TestFiguresMatchThemselves(t *testing.T) {
	figs, err := PublishedFigures()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		v := f.Value
		if f.Kind == KindPercent {
			v /= 100
		}
		if !f.Matches(v) {
			t.Errorf("%s %d (%s %v) does not match %v", f.Indicator, f.Year, f.Kind, f.Value, v)
		}
	}
}

// ratio divides at run time, in floating point as the pipeline does; a
// constant expression such as 29.0/200 would be computed exactly by the compiler.
func ratio(a, b float64) float64 { return a / b }

func TestMatches(t *testing.T) {
	tests := []struct {
		name     string
		kind     string
		value    float64
		computed float64
		want     bool
	}{
		{"count equal", KindCount, 7784, 7784, true},
		{"count one less", KindCount, 7784, 7783, false},
		{"count not whole", KindCount, 7784, 7784.4, false},
		{"count zero", KindCount, 0, 0, true},

		{"percent exact half rounds up", KindPercent, 13, 0.125, true},
		{"percent exact half not down", KindPercent, 12, 0.125, false},
		{"percent half from counts 29/200", KindPercent, 15, ratio(29, 200), true}, // 14.499999999999998 in floating point
		{"percent half from counts 153/200", KindPercent, 77, ratio(153, 200), true},
		{"percent half from counts 99/200", KindPercent, 50, ratio(99, 200), true},
		{"percent just below half", KindPercent, 14, 0.1449999, true},
		{"percent just below half not up", KindPercent, 15, 0.1449999, false},
		{"percent below half by one in a million", KindPercent, 76, ratio(764999, 1000000), true},
		{"percent given as percent", KindPercent, 49, 49, false},
		{"percent zero", KindPercent, 0, 0.004, true},
		{"percent hundred", KindPercent, 100, 1, true},

		{"months exact", KindMonths, 5.0, 5.0, true},
		{"months half rounds up", KindMonths, 4.9, 4.85, true},
		{"months half from days", KindMonths, 4.2, ratio(40421, 320) / 30.4375, true}, // 4.15 exactly; 4.1499999999999995 in floating point
		{"months half not down", KindMonths, 4.8, 4.85, false},
		{"months below half", KindMonths, 4.8, 4.8499, true},
		{"months from days", KindMonths, 8.4, ratio(255, 30.4375), true}, // 8.3778...
		{"months off by a tenth", KindMonths, 8.4, 8.3, false},

		{"approx equal", KindApprox, 12700, 12700, true},
		{"approx upper bound", KindApprox, 12700, 12954, true},
		{"approx above bound", KindApprox, 12700, 12955, false},
		{"approx lower bound", KindApprox, 12700, 12446, true},
		{"approx below bound", KindApprox, 12700, 12445, false},
		{"approx fraction above bound", KindApprox, 4400, 4488.0001, false},

		{"NaN", KindCount, 0, math.NaN(), false},
		{"infinity", KindApprox, 12700, math.Inf(1), false},
		{"unknown kind", "share", 49, 0.49, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Figure{Indicator: "x", Year: 2017, Value: tt.value, Kind: tt.kind}
			if got := f.Matches(tt.computed); got != tt.want {
				t.Errorf("Figure{%s %v}.Matches(%v) = %v, want %v", tt.kind, tt.value, tt.computed, got, tt.want)
			}
		})
	}
}
