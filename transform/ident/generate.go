package ident

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Synthetic returns a valid synthetic fødselsnummer (month + 80) for a
// person born on birth's date with the given sex, so that demo data never
// holds a number that could belong to a real person. The individual number
// is drawn from r within the range the century rule gives birth's year,
// and the control digits follow the pre-2032 rule. With d set it returns a
// synthetic D-number (first digit + 4 as well). Synthetic panics if birth's
// year is outside 1854–2039, the years the century rule covers.
func Synthetic(r *rand.Rand, birth time.Time, female bool, d bool) string {
	year, month, day := birth.Date()
	if year < 1854 || year > 2039 {
		panic(fmt.Sprintf("ident.Synthetic: birth year %d outside 1854-2039", year))
	}
	if d {
		day += dNumberDay
	}
	var digits [11]int
	digits[0], digits[1] = day/10, day%10
	m := int(month) + syntheticMonth
	digits[2], digits[3] = m/10, m%10
	digits[4], digits[5] = year%100/10, year%10
	for {
		ind := individualNumber(r, year)
		// Every range starts even and ends odd, so setting the last bit
		// keeps ind in range: odd for men, even for women.
		ind &^= 1
		if !female {
			ind |= 1
		}
		digits[6], digits[7], digits[8] = ind/100, ind/10%10, ind%10
		k1 := (11 - weighted1(digits)%11) % 11
		if k1 == 10 {
			continue // no valid first control digit: Skatteetaten skips the number
		}
		digits[9] = k1
		k2 := (11 - weighted2(digits)%11) % 11
		if k2 == 10 {
			continue
		}
		digits[10] = k2
		var b [11]byte
		for i, v := range digits {
			b[i] = byte('0' + v)
		}
		return string(b[:])
	}
}

// individualNumber draws an individual number that the century rule
// allows for year (1854–2039).
func individualNumber(r *rand.Rand, year int) int {
	switch {
	case year <= 1899:
		return 500 + r.IntN(250)
	case year <= 1939:
		return r.IntN(500)
	case year <= 1999:
		if r.IntN(10) == 0 { // the reserve series, rarely used
			return 900 + r.IntN(100)
		}
		return r.IntN(500)
	default:
		return 500 + r.IntN(500)
	}
}

// BreakControlDigit returns s with its second control digit replaced so
// that the number is invalid, for planting faults in demo data. s is
// expected to be 11 ASCII digits; anything else is returned unchanged, as
// it is invalid already.
func BreakControlDigit(s string) string {
	d, err := digits(s)
	if err != nil {
		return s
	}
	// Exactly one last digit makes the remainder 0; any other breaks it.
	good := (11 - weighted2(d)%11) % 11
	bad := (good + 1) % 10
	b := []byte(s)
	b[10] = byte('0' + bad)
	return string(b)
}

// ValidDUF checks that s has the form of a DUF number: exactly 12 ASCII
// digits. It does not check the control digits third parties describe, as
// UDI publishes no rule for them (see README.md). The error never contains s.
func ValidDUF(s string) error {
	if len(s) != 12 || !AllDigits(s) {
		return ErrDUF
	}
	return nil
}
