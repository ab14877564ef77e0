// Package ident validates Norwegian identity numbers (fødselsnummer and
// D-nummer) and generates synthetic ones for demo data.
//
// Parse applies the rules Skatteetaten publishes: both control digits,
// including the rule for the first control digit that applies to numbers
// issued from 1 January 2032; D-numbers (first digit + 4); the table that
// ties the individual number to the century of birth; and Skatteetaten's
// synthetic test range (month + 80), accepted only when Options say so.
// H-numbers, FH-numbers and other test ranges are rejected. README.md lists
// the rules with their sources and how they differ from NAV's
// @navikt/fnrvalidator.
//
// Errors never contain the number itself: identity numbers are personal
// data and must not reach logs. Each error is one of the Err variables, so
// callers can test with errors.Is and store err.Error() as a quarantine
// reason.
package ident

import (
	"errors"
	"time"
)

// Kind says which kind of identity number a Number is.
type Kind int

const (
	// Fnr is a fødselsnummer, given to people registered as resident.
	Fnr Kind = iota + 1
	// DNumber is a D-nummer, given to people without permanent residence;
	// its first digit is the day's first digit plus 4.
	DNumber
)

// String returns the Norwegian name of the kind, for reports.
func (k Kind) String() string {
	switch k {
	case Fnr:
		return "fødselsnummer"
	case DNumber:
		return "D-nummer"
	}
	return "unknown kind"
}

// Options controls what Parse and Validate accept.
type Options struct {
	// AllowSynthetic accepts Skatteetaten's synthetic test numbers (month
	// + 80). Off by default so production data cannot carry test persons;
	// the demo and the tests turn it on.
	AllowSynthetic bool
}

// Number is what a valid identity number encodes.
type Number struct {
	Kind Kind
	// Synthetic reports a number in Skatteetaten's test range (month + 80).
	Synthetic bool
	// Birth is the date of birth at midnight UTC. For a Rule2032 number the
	// century is not encoded and Birth's year is a guess (see Rule2032).
	Birth time.Time
	// Female reports an even ninth digit. It is always false for a Rule2032
	// number, which does not encode sex.
	Female bool
	// Rule2032 reports that the first control digit is valid only under
	// the rule for numbers issued from 1 January 2032. Such numbers encode
	// neither century nor sex: Birth then takes years 00–39 as 2000–2039
	// and 40–99 as 1940–1999, and the register's birth date and sex should
	// be used instead.
	Rule2032 bool
}

// The reasons Parse and ValidDUF reject a number. They never contain the
// number and are short enough for a quarantine "reason" column.
var (
	// ErrLength: the input is not 11 bytes long.
	ErrLength = errors.New("identity number is not 11 characters long")
	// ErrNotDigit: the input has a byte other than the ASCII digits 0-9.
	ErrNotDigit = errors.New("identity number contains a character that is not a digit 0-9")
	// ErrControlDigit1: the first control digit is wrong by both the
	// pre-2032 and the 2032 rule, typically a typing error.
	ErrControlDigit1 = errors.New("first control digit wrong")
	// ErrControlDigit2: the second control digit is wrong.
	ErrControlDigit2 = errors.New("second control digit wrong")
	// ErrFHNumber: the first digit is 8 or 9, a health-service FH-number
	// that is not an identity number from the population register.
	ErrFHNumber = errors.New("FH-number (first digit 8 or 9) not accepted")
	// ErrHNumber: the month is 41–52, a health-service H-number or a NAV
	// test person, neither of them in the population register.
	//lint:ignore ST1005 "H-number" is the register's own name for it.
	ErrHNumber = errors.New("H-number (month + 40) not accepted")
	// ErrTestNumber: the month is 66–77, Norsk helsenett's test persons.
	ErrTestNumber = errors.New("test number (month + 65) not accepted")
	// ErrSynthetic: the month is 81–92, Skatteetaten's synthetic test
	// persons, and Options.AllowSynthetic is off.
	ErrSynthetic = errors.New("synthetic number (month + 80) not accepted")
	// ErrMonth: the month is in none of the ranges above.
	ErrMonth = errors.New("month out of range")
	// ErrDay: the day (less 40 for a D-number) is not 1–31.
	ErrDay = errors.New("day out of range")
	// ErrDate: the day does not exist in that month and year, such as
	// 31 April or 29 February 1900.
	ErrDate = errors.New("date does not exist in the calendar")
	// ErrIndividualNumber: under the pre-2032 rule, the individual number
	// is not one issued for any year ending in the two year digits.
	ErrIndividualNumber = errors.New("individual number not used for the birth year")
	// ErrDUF: a DUF number is not 12 ASCII digits.
	ErrDUF = errors.New("DUF number is not 12 digits")
)

// Weights of the two control digits (Skatteetaten). Each weighted sum,
// including the control digit itself with weight 1, is taken modulo 11.
var (
	weights1 = [9]int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	weights2 = [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
)

// Offsets added to the day or month of birth to mark special numbers.
const (
	dNumberDay     = 40 // D-nummer: first digit + 4
	hNumberMonth   = 40 // H-nummer (health services) and NAV's test persons
	nhnTestMonth   = 65 // Norsk helsenett's test persons
	syntheticMonth = 80 // Skatteetaten's synthetic (Tenor) test persons
)

// Parse validates s, which must be exactly 11 ASCII digits, and returns
// what it encodes. The error is one of the Err variables and never contains
// s. Parse does not allocate.
func Parse(s string, opt Options) (Number, error) {
	d, err := digits(s)
	if err != nil {
		return Number{}, err
	}

	// Control digits: a remainder of 0 is the rule since 1964; 1, 2 and 3
	// are also valid for numbers issued from 2032. The second control
	// digit keeps the single valid remainder 0.
	rest1 := (weighted1(d) + d[9]) % 11
	if rest1 > 3 {
		return Number{}, ErrControlDigit1
	}
	if (weighted2(d)+d[10])%11 != 0 {
		return Number{}, ErrControlDigit2
	}

	var n Number
	day := d[0]*10 + d[1]
	switch {
	case d[0] <= 3:
		n.Kind = Fnr
	case d[0] <= 7:
		n.Kind = DNumber
		day -= dNumberDay
	default:
		return Number{}, ErrFHNumber
	}
	month := d[2]*10 + d[3]
	switch {
	case month >= 1 && month <= 12:
	case month > hNumberMonth && month <= hNumberMonth+12:
		return Number{}, ErrHNumber
	case month > nhnTestMonth && month <= nhnTestMonth+12:
		return Number{}, ErrTestNumber
	case month > syntheticMonth && month <= syntheticMonth+12:
		if !opt.AllowSynthetic {
			return Number{}, ErrSynthetic
		}
		n.Synthetic = true
		month -= syntheticMonth
	default:
		return Number{}, ErrMonth
	}
	if day < 1 || day > 31 {
		return Number{}, ErrDay
	}

	yy := d[4]*10 + d[5]
	var year int
	if rest1 == 0 {
		year = centuryRule(d[6]*100+d[7]*10+d[8], yy)
		if year == 0 {
			return Number{}, ErrIndividualNumber
		}
		n.Female = d[8]%2 == 0
	} else {
		n.Rule2032 = true
		year = 1900 + yy
		if yy < 40 {
			year = 2000 + yy
		}
	}
	if day > daysIn(month, year) {
		return Number{}, ErrDate
	}
	n.Birth = time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return n, nil
}

// Validate reports whether s is a valid identity number under opt; it is
// Parse without the result.
func Validate(s string, opt Options) error {
	_, err := Parse(s, opt)
	return err
}

// digits returns the values of the 11 digits of s, or ErrLength or
// ErrNotDigit.
func digits(s string) ([11]int, error) {
	var d [11]int
	if len(s) != len(d) {
		return d, ErrLength
	}
	if !AllDigits(s) {
		return d, ErrNotDigit
	}
	for i := range d {
		d[i] = int(s[i] - '0')
	}
	return d, nil
}

// AllDigits reports whether s holds only the ASCII digits 0-9, as every
// identity number and DUF number does (true for ""); a pseudonym never
// does.
func AllDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// weighted1 is the weighted sum of the first nine digits for the first
// control digit.
func weighted1(d [11]int) int {
	sum := 0
	for i, w := range weights1 {
		sum += w * d[i]
	}
	return sum
}

// weighted2 is the weighted sum of the first ten digits for the second
// control digit.
func weighted2(d [11]int) int {
	sum := 0
	for i, w := range weights2 {
		sum += w * d[i]
	}
	return sum
}

// centuryRule returns the four-digit year of birth that individual number
// ind and two-digit year yy encode under the folkeregister regulation's
// table, or 0 if the individual number is not used for that year.
func centuryRule(ind, yy int) int {
	switch {
	case ind <= 499:
		return 1900 + yy
	case ind >= 500 && yy <= 39:
		return 2000 + yy
	case ind <= 749 && yy >= 54:
		return 1800 + yy
	case ind >= 900 && yy >= 40:
		return 1900 + yy
	}
	return 0
}

// daysIn returns the number of days in month of year (Gregorian).
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
