package ident

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The examples below were worked out by hand from the published rules, not
// by running Parse. For each, S1 is the sum of the first nine digits
// weighted 3 7 6 1 8 9 4 5 2 and S2 the sum of the first ten weighted
// 5 4 3 2 7 6 5 4 3 2. Before 2032: K1 = 11 − S1 mod 11 and K2 = 11 − S2 mod
// 11 (11 becomes 0, 10 means the individual number cannot be used). From
// 2032, K1 may also be 12, 13 or 14 − S1 mod 11 (reduced below 11), "rest 1–3".
// The century comes from the individual number (III) and year (YY):
// 000–499 → 19YY; 500–749 with YY 54–99 → 18YY; 500–999 with YY 00–39 →
// 20YY; 900–999 with YY 40–99 → 19YY.

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestParseValid(t *testing.T) {
	synth := Options{AllowSynthetic: true}
	tests := []struct {
		name string
		in   string
		opt  Options
		want Number
	}{
		// fnrinfo.no's worked example: S1 = 241, 241 mod 11 = 10, K1 = 1;
		// S2 = 215, mod 11 = 6, K2 = 5. III 567 with YY 99 → 1899. 7 odd → man.
		{"1800s", "31129956715", Options{}, Number{Kind: Fnr, Birth: date(1899, 12, 31)}},
		// Skatteetaten's 2032 page: S1 = 156 → K1 9; S2 = 169 → K2 7.
		// III 999 with YY 32 → 2032.
		{"2000s", "02013299997", Options{}, Number{Kind: Fnr, Birth: date(2032, 1, 2)}},
		// Skatteetaten's 2032 page, person 1: S1 = 196 → K1 2; S2 = 198 → K2 0.
		// III 999 with YY 82 → the reserve series, 1982.
		{"reserve series", "30108299920", Options{}, Number{Kind: Fnr, Birth: date(1982, 10, 30)}},
		// Skatteetaten's 2032 page, person 2: rest 1, K1 = 12 − 9 = 3; S2 = 200
		// → K2 9. Valid only under the 2032 rule: no sex, century guessed.
		{"2032 rule", "30108299939", Options{}, Number{Kind: Fnr, Birth: date(1982, 10, 30), Rule2032: true}},
		// 150591123: S1 = 144, 144 mod 11 = 1, rest 3 → K1 = 14 − 1 = 13 → 2;
		// S2 = 130 → K2 2. Rule2032, YY 91 → 1991.
		{"2032 rule rest 3", "15059112322", Options{}, Number{Kind: Fnr, Birth: date(1991, 5, 15), Rule2032: true}},
		// 010190800: S1 = 112, mod 11 = 2, rest 2 → K1 0; S2 = 109 → K2 1.
		// III 800 with YY 90 breaks the century table, which 2032 numbers
		// no longer follow.
		{"2032 rule ignores century table", "01019080001", Options{}, Number{Kind: Fnr, Birth: date(1990, 1, 1), Rule2032: true}},
		// D-number 01.01.1990, III 123: S1 = 112 → K1 9; S2 = 129 → K2 3.
		{"D-number", "41019012393", Options{}, Number{Kind: DNumber, Birth: date(1990, 1, 1)}},
		// 230500912: S1 = 77, mod 11 = 0 → K1 0; S2 = 87 → K2 1. III 912 with
		// YY 00 → 2000. 2 even → woman.
		{"woman 2000", "23050091201", Options{}, Number{Kind: Fnr, Birth: date(2000, 5, 23), Female: true}},
		// Same digits, rest 2: K1 = 13 − 0 = 13 → 2; S2 = 91 → K2 8.
		{"woman 2000 rule 2032", "23050091228", Options{}, Number{Kind: Fnr, Birth: date(2000, 5, 23), Rule2032: true}},
		// 29.02.2000: III 501 with YY 00 → 2000, a leap year. S1 = 93 → K1 6;
		// S2 = 90 → K2 9.
		{"leap day 2000", "29020050169", Options{}, Number{Kind: Fnr, Birth: date(2000, 2, 29)}},
		// 29.02.00 with III 123 under the 2032 rule: S1 = 91, mod 11 = 3,
		// rest 1 → K1 9; S2 = 90 → K2 9. YY 00 → 2000, a leap year.
		{"leap day 2000 rule 2032", "29020012399", Options{}, Number{Kind: Fnr, Birth: date(2000, 2, 29), Rule2032: true}},
		// 29.02.1904: III 499 → 1904, a leap year. S1 = 186 → K1 1; S2 = 159 → K2 6.
		{"leap day 1904", "29020449916", Options{}, Number{Kind: Fnr, Birth: date(1904, 2, 29)}},
		// First and last years of the table: III 749 with YY 54 → 1854
		// (S1 = 150 → K1 4; S2 = 151 → K2 3); III 999 with YY 39 → 2039
		// (S1 = 228 → K1 3; S2 = 215 → K2 5).
		{"1854", "01015474943", Options{}, Number{Kind: Fnr, Birth: date(1854, 1, 1)}},
		{"2039", "31123999935", Options{}, Number{Kind: Fnr, Birth: date(2039, 12, 31)}},
		// Synthetic 01.01.1990 (month 81), III 123: S1 = 148 → K1 6; S2 = 127 → K2 5.
		{"synthetic man", "01819012365", synth, Number{Kind: Fnr, Synthetic: true, Birth: date(1990, 1, 1)}},
		// III 124: S1 = 150 → K1 4; S2 = 126 → K2 6.
		{"synthetic woman", "01819012446", synth, Number{Kind: Fnr, Synthetic: true, Birth: date(1990, 1, 1), Female: true}},
		// Synthetic D-number: S1 = 160 → K1 5; S2 = 145 → K2 9.
		{"synthetic D-number", "41819012359", synth, Number{Kind: DNumber, Synthetic: true, Birth: date(1990, 1, 1)}},
		// Options only widen: a real number stays valid with AllowSynthetic.
		{"real number, synthetic allowed", "41019012393", synth, Number{Kind: DNumber, Birth: date(1990, 1, 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, tt.opt)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got != tt.want {
				t.Errorf("Parse = %+v, want %+v", got, tt.want)
			}
			if err := Validate(tt.in, tt.opt); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	synth := Options{AllowSynthetic: true}
	tests := []struct {
		name string
		in   string
		opt  Options
		want error
	}{
		{"empty", "", Options{}, ErrLength},
		{"ten digits", "3112995671", Options{}, ErrLength},
		{"twelve digits", "311299567150", Options{}, ErrLength},
		{"with space", "311299 6715", Options{}, ErrNotDigit},
		{"letter", "3112995671x", Options{}, ErrNotDigit},
		{"sign", "+1129956715", Options{}, ErrNotDigit},
		{"non-ASCII digit, 12 bytes", "3112995671\u0665", Options{}, ErrLength},
		{"non-ASCII digit, 11 bytes", "311299567\u0665", Options{}, ErrNotDigit},
		// Skatteetaten's example with K2 one less: S2 = 169 needs 7.
		{"second control digit", "02013299996", Options{}, ErrControlDigit2},
		// S1 = 196; K1 0 gives (196 + 0) mod 11 = 9, not 0–3.
		{"first control digit", "30108299900", Options{}, ErrControlDigit1},
		// K1 8 gives 204 mod 11 = 6.
		{"first control digit 8", "30108299980", Options{}, ErrControlDigit1},
		// Swapped day digits of 31129956715.
		{"transposition", "13129956715", Options{}, ErrControlDigit1},
		// III 800 with YY 90: S1 = 112 → K1 9; S2 = 127 → K2 5. 750–899 is
		// used only for 2000–2039.
		{"individual number 800 in 1990", "01019080095", Options{}, ErrIndividualNumber},
		// III 749 with YY 53: S1 = 141 → K1 2; S2 = 141 → K2 2. 1853 is
		// before the table starts, 2053 after it ends.
		{"individual number 749 in 53", "01015374922", Options{}, ErrIndividualNumber},
		// III 899 with YY 40: S1 = 135 → K1 8; S2 = 153 → K2 1.
		{"individual number 899 in 40", "01014089981", Options{}, ErrIndividualNumber},
		// 29.02.00 with III 123 → 1900, not a leap year. S1 = 91 → K1 8; S2 = 88 → K2 0.
		{"leap day 1900", "29020012380", Options{}, ErrDate},
		// 31 April: S1 = 112 → K1 9; S2 = 130 → K2 2.
		{"31 April", "31049012392", Options{}, ErrDate},
		// Day 00: S1 = 93 → K1 6; S2 = 99 → K2 0.
		{"day 00", "00019012360", Options{}, ErrDay},
		// Day 32: S1 = 116 → K1 5; S2 = 120 → K2 1.
		{"day 32", "32019012351", Options{}, ErrDay},
		// D-number day 72 − 40 = 32: S1 = 128 → K1 4; S2 = 138 → K2 5.
		{"D-number day 32", "72019012345", Options{}, ErrDay},
		// Month 00: S1 = 101 → K1 9; S2 = 110 → K2 0.
		{"month 00", "01009012490", Options{}, ErrMonth},
		// Month 13: S1 = 108 → K1 2; S2 = 102 → K2 8.
		{"month 13", "01139012328", Options{}, ErrMonth},
		// Month 25: S1 = 44 → K1 0; S2 = 42 → K2 2.
		{"month 25", "01250012302", Options{}, ErrMonth},
		// H-number, month 41: S1 = 124 → K1 8; S2 = 119 → K2 2.
		{"H-number", "01419012382", Options{}, ErrHNumber},
		{"H-number, synthetic allowed", "01419012382", synth, ErrHNumber},
		// Norsk helsenett's test range, month 76 = 65 + 11: S1 = 147 → K1 7;
		// S2 = 136 → K2 7.
		{"NHN test number", "01769012377", synth, ErrTestNumber},
		// FH-number, first digit 8: S1 = 124 → K1 8; S2 = 147 → K2 7.
		{"FH-number", "81019012387", synth, ErrFHNumber},
		// The synthetic examples above, without AllowSynthetic.
		{"synthetic by default", "01819012365", Options{}, ErrSynthetic},
		{"synthetic D-number by default", "41819012359", Options{}, ErrSynthetic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, tt.opt)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse error = %v, want %v", err, tt.want)
			}
			if got != (Number{}) {
				t.Errorf("Parse returned %+v with its error, want the zero Number", got)
			}
			if err := Validate(tt.in, tt.opt); !errors.Is(err, tt.want) {
				t.Errorf("Validate error = %v, want %v", err, tt.want)
			}
			if tt.in != "" && strings.Contains(err.Error(), tt.in) {
				t.Errorf("error %q contains the number", err)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Fnr: "fødselsnummer", DNumber: "D-nummer", 0: "unknown kind"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

// TestParseDoesNotAllocate guards the property BenchmarkParse measures:
// Parse runs on every row, so it must not allocate, valid or not.
func TestParseDoesNotAllocate(t *testing.T) {
	for _, s := range []string{"31129956715", "30108299939", "01819012365", "02013299996", "01419012382"} {
		allocs := testing.AllocsPerRun(100, func() {
			_, _ = Parse(s, Options{AllowSynthetic: true})
		})
		if allocs != 0 {
			t.Errorf("Parse allocates %.1f times per call", allocs)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	inputs := []string{"31129956715", "02013299997", "41019012393", "01819012365", "30108299939", "02013299996"}
	opt := Options{AllowSynthetic: true}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = Parse(inputs[i%len(inputs)], opt)
		i++
	}
}
