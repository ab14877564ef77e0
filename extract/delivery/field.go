package delivery

import (
	"errors"
	"strconv"
	"strings"
)

// FormatDecimal formats v with a decimal comma, at most maxDecimals digits
// after it and no trailing zeros: 7.5 gives "7,5" and 12 gives "12". A
// negative maxDecimals means as many digits as v needs. NaN and infinities
// have no form in the dialect; they come out as strconv writes them and
// ParseDecimal refuses them.
func FormatDecimal(v float64, maxDecimals int) string {
	s := strconv.FormatFloat(v, 'f', maxDecimals, 64)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
		s = strings.Replace(s, ".", ",", 1)
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// ParseDecimal parses a decimal in the dialect: an optional minus, digits,
// and optionally a comma and more digits ("7,5", "12", "-0,25"). A point,
// spaces, or an empty string are errors; the caller handles null before.
// Errors describe the problem without repeating the text.
func ParseDecimal(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("decimal: empty")
	}
	if len(s) > 64 {
		return 0, errors.New("decimal: too long")
	}
	i := 0
	neg := s[0] == '-'
	if neg {
		i++
	}
	// One pass: check the form and gather the digits as an integer.
	var m uint64
	intDigits, fracDigits, comma := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if comma {
				fracDigits++
			} else {
				intDigits++
			}
			if intDigits+fracDigits <= 19 {
				m = m*10 + uint64(c-'0')
			}
		case c == ',' && !comma:
			comma = true
		case c == '.':
			return 0, errors.New("decimal: has a point; the dialect uses a decimal comma")
		case c == ' ':
			return 0, errors.New("decimal: has a space")
		default:
			return 0, errors.New("decimal: want digits with an optional minus and decimal comma")
		}
	}
	if intDigits == 0 || comma && fracDigits == 0 {
		return 0, errors.New("decimal: want digits on both sides of the decimal comma")
	}
	if intDigits+fracDigits <= 15 {
		// Exact fast path: the digits as an integer below 2^53 and a power
		// of ten are both exact floats, so one division rounds correctly.
		v := float64(m) / pow10[fracDigits]
		if neg {
			v = -v
		}
		return v, nil
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		return 0, errors.New("decimal: out of range")
	}
	return v, nil
}

// pow10 holds the exact powers of ten ParseDecimal's fast path divides by.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// FormatBool formats b as the dialect's J (yes) or N (no).
func FormatBool(b bool) string {
	if b {
		return "J"
	}
	return "N"
}

// ParseBool parses a boolean as a delivery gives it: the CSV dialect's J
// (yes) or N (no). A JSON Lines file (json) gives JSON's true and false,
// as text; J and N are taken there too. The error says which forms the
// file may use.
func ParseBool(s string, json bool) (bool, error) {
	switch {
	case s == "J" || json && s == "true":
		return true, nil
	case s == "N" || json && s == "false":
		return false, nil
	case json:
		return false, errBoolJSON
	}
	return false, errBoolCSV
}

var (
	errBoolCSV  = errors.New("want J or N")
	errBoolJSON = errors.New("want a JSON boolean")
)

// Parsed holds the typed values a validator parsed from one record's text,
// by column, so that whoever writes the record takes them instead of
// parsing the text again. Int holds the day number (days since 1970-01-01)
// of a date or a month's first day, the microseconds since the epoch (UTC)
// of a timestamp read as Oslo time, or an integer; Float a decimal. Has[i]
// says column i holds the current record's value.
type Parsed struct {
	Int   []int64
	Float []float64
	Has   []bool
}

// NewParsed returns a Parsed for records of n columns, holding none.
func NewParsed(n int) *Parsed {
	return &Parsed{Int: make([]int64, n), Float: make([]float64, n), Has: make([]bool, n)}
}
