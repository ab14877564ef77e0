package ident

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// randomBirth returns a date between 1854-01-01 and 2039-12-31, the years
// the century rule covers.
func randomBirth(r *rand.Rand) time.Time {
	first := date(1854, 1, 1)
	days := int(date(2039, 12, 31).Sub(first).Hours()/24) + 1
	return first.AddDate(0, 0, r.IntN(days))
}

func TestSyntheticParsesOnlyWithAllowSynthetic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	births := []time.Time{date(1854, 1, 1), date(1899, 12, 31), date(1900, 2, 28), date(2000, 2, 29), date(2039, 12, 31)}
	for range 20000 {
		births = append(births, randomBirth(r))
	}
	series := map[string]int{}
	for i, birth := range births {
		female, d := r.IntN(2) == 0, i%3 == 0
		s := Synthetic(r, birth, female, d)
		n, err := Parse(s, Options{AllowSynthetic: true})
		if err != nil {
			t.Fatalf("Synthetic(%s, female=%v, d=%v) = %s: %v", birth.Format(time.DateOnly), female, d, s, err)
		}
		wantKind := Fnr
		if d {
			wantKind = DNumber
		}
		want := Number{Kind: wantKind, Synthetic: true, Birth: birth, Female: female}
		if n != want {
			t.Fatalf("Synthetic(%s, female=%v, d=%v) = %s, parses as %+v", birth.Format(time.DateOnly), female, d, s, n)
		}
		if err := Validate(s, Options{}); !errors.Is(err, ErrSynthetic) {
			t.Fatalf("Synthetic number %s without AllowSynthetic: error %v, want %v", s, err, ErrSynthetic)
		}
		series[seriesOf(s)]++
	}
	// The generator should use every series the century rule allows.
	for _, name := range []string{"1854-1899", "1900-1999", "reserve 1940-1999", "2000-2039"} {
		if series[name] == 0 {
			t.Errorf("no number drawn from series %s: %v", name, series)
		}
	}
}

// seriesOf names the individual-number series of a valid pre-2032 number.
func seriesOf(s string) string {
	ind := int(s[6]-'0')*100 + int(s[7]-'0')*10 + int(s[8]-'0')
	switch yy := int(s[4]-'0')*10 + int(s[5]-'0'); {
	case ind <= 499:
		return "1900-1999"
	case yy <= 39:
		return "2000-2039"
	case ind <= 749:
		return "1854-1899"
	default:
		return "reserve 1940-1999"
	}
}

func TestSyntheticUsesBirthsOwnDate(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	// 00:30 on 1 March in Oslo is still 28 February in UTC.
	birth := time.Date(1990, 3, 1, 0, 30, 0, 0, oslo)
	s := Synthetic(rand.New(rand.NewPCG(3, 4)), birth, false, false)
	if !strings.HasPrefix(s, "018390") {
		t.Errorf("Synthetic(1990-03-01 00:30 Oslo) = %s, want it to start 018390", s)
	}
}

func TestSyntheticIsReproducible(t *testing.T) {
	a, b := rand.New(rand.NewPCG(7, 8)), rand.New(rand.NewPCG(7, 8))
	for range 100 {
		birth := randomBirth(a)
		if birth != randomBirth(b) {
			t.Fatal("same seed gave different dates")
		}
		if x, y := Synthetic(a, birth, true, false), Synthetic(b, birth, true, false); x != y {
			t.Fatalf("same seed gave %s and %s", x, y)
		}
	}
}

func TestSyntheticPanicsOutsideTable(t *testing.T) {
	for _, birth := range []time.Time{date(1853, 12, 31), date(2040, 1, 1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Synthetic(%s) did not panic", birth.Format(time.DateOnly))
				}
			}()
			Synthetic(rand.New(rand.NewPCG(1, 1)), birth, false, false)
		}()
	}
}

func TestBreakControlDigit(t *testing.T) {
	valid := []string{"31129956715", "30108299939", "15059112322", "41019012393", "01819012365"}
	r := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		valid = append(valid, Synthetic(r, randomBirth(r), r.IntN(2) == 0, r.IntN(2) == 0))
	}
	for _, s := range valid {
		if err := Validate(s, Options{AllowSynthetic: true}); err != nil {
			t.Fatalf("test input %s invalid: %v", s, err)
		}
		b := BreakControlDigit(s)
		if len(b) != len(s) || b[:10] != s[:10] || b[10] == s[10] {
			t.Errorf("BreakControlDigit(%s) = %s, want only the last digit changed", s, b)
		}
		if err := Validate(b, Options{AllowSynthetic: true}); !errors.Is(err, ErrControlDigit2) {
			t.Errorf("BreakControlDigit(%s) = %s: error %v, want %v", s, b, err, ErrControlDigit2)
		}
	}
	for _, s := range []string{"", "123", "3112995671x", "311299567150"} {
		if b := BreakControlDigit(s); b != s {
			t.Errorf("BreakControlDigit(%q) = %q, want it unchanged", s, b)
		}
	}
}

func TestValidDUF(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"201712345678", nil},
		{"000000000000", nil},
		{"", ErrDUF},
		{"20171234567", ErrDUF},
		{"2017123456789", ErrDUF},
		{"20171234567x", ErrDUF},
		{"2017-2345678", ErrDUF},
		{"20171234567\u0665", ErrDUF},
	}
	for _, tt := range tests {
		err := ValidDUF(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("ValidDUF(%q) = %v, want %v", tt.in, err, tt.want)
		}
		if err != nil && tt.in != "" && strings.Contains(err.Error(), tt.in) {
			t.Errorf("ValidDUF(%q) error contains the number", tt.in)
		}
	}
}
