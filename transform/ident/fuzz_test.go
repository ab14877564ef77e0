package ident

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var allErrors = []error{
	ErrLength, ErrNotDigit, ErrControlDigit1, ErrControlDigit2, ErrFHNumber, ErrHNumber,
	ErrTestNumber, ErrSynthetic, ErrMonth, ErrDay, ErrDate, ErrIndividualNumber,
}

// FuzzParse checks that Parse never panics, that every error is one of the
// documented reasons and never echoes the input, and that what a valid
// number parses to is consistent with its digits.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"31129956715", "02013299997", "30108299939", "41019012393", "01819012365",
		"41819012359", "29020012380", "29020012399", "01019080095", "01419012382",
		"01769012377", "81019012387", "02013299996", "", "3112995671x", "311299567\u0665",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s, Options{AllowSynthetic: true})
		if err != nil {
			checkError(t, s, err)
			if n != (Number{}) {
				t.Errorf("Parse(%q) returned %+v with error %v", s, n, err)
			}
			return
		}
		if got := encodeDate(n); got != s[:6] {
			t.Errorf("Parse(%q) = %+v, which encodes the date as %s", s, n, got)
		}
		if n.Birth.Location() != time.UTC || n.Birth.Hour() != 0 || n.Birth.Minute() != 0 || n.Birth.Second() != 0 || n.Birth.Nanosecond() != 0 {
			t.Errorf("Parse(%q).Birth = %v, want midnight UTC", s, n.Birth)
		}
		wantFemale := !n.Rule2032 && (s[8]-'0')%2 == 0
		if n.Female != wantFemale {
			t.Errorf("Parse(%q).Female = %v, want %v", s, n.Female, wantFemale)
		}
		if !n.Rule2032 && centuryRule(int(s[6]-'0')*100+int(s[7]-'0')*10+int(s[8]-'0'), n.Birth.Year()%100) != n.Birth.Year() {
			t.Errorf("Parse(%q).Birth = %v, against the century rule", s, n.Birth)
		}
		err = Validate(s, Options{})
		if n.Synthetic && !errors.Is(err, ErrSynthetic) {
			t.Errorf("Validate(%q) without AllowSynthetic = %v, want %v", s, err, ErrSynthetic)
		}
		if !n.Synthetic && err != nil {
			t.Errorf("Validate(%q) without AllowSynthetic = %v, want nil", s, err)
		}
		broken := BreakControlDigit(s)
		if err := Validate(broken, Options{AllowSynthetic: true}); !errors.Is(err, ErrControlDigit2) {
			t.Errorf("BreakControlDigit(%q) = %q: error %v, want %v", s, broken, err, ErrControlDigit2)
		}
	})
}

// checkError fails t unless err is a documented reason that does not
// contain the input s.
func checkError(t *testing.T, s string, err error) {
	t.Helper()
	known := false
	for _, e := range allErrors {
		if errors.Is(err, e) {
			known = true
		}
	}
	if !known {
		t.Errorf("Parse(%q): undocumented error %v", s, err)
	}
	if len(s) >= 4 && strings.Contains(err.Error(), s) {
		t.Errorf("Parse(%q): error %q contains the input", s, err)
	}
}

// encodeDate writes the first six digits a Number's date comes from, the
// way Skatteetaten builds them: DDMMYY, day + 40 for a D-number, month + 80
// for a synthetic number.
func encodeDate(n Number) string {
	day, month := n.Birth.Day(), int(n.Birth.Month())
	if n.Kind == DNumber {
		day += 40
	}
	if n.Synthetic {
		month += 80
	}
	return fmt.Sprintf("%02d%02d%02d", day, month, n.Birth.Year()%100)
}
