package delivery

import "integstat/internal/civil"

// The parsers of the dialect's values: the one set the validator checks rows
// with and the store writes them with. They check the fixed-width forms byte
// by byte, are strict (zero-padded fields, exact length), never allocate,
// and return a short fixed description of what is wrong, or "" when the text
// is valid, so a caller can report it without the value itself (dates can
// be personal data).

// Digits returns the value of s, 1 to 18 ASCII digits, and false for any
// other text.
func Digits(s string) (int, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	return digitsAt(s, 0, len(s))
}

// digitsAt returns the value of the n ASCII digits of s starting at i, and
// false if any of them is not a digit. The caller checks that s is long
// enough.
func digitsAt(s string, i, n int) (int, bool) {
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// ParseDate parses YYYY-MM-DD and checks that the day exists.
func ParseDate(s string) (y, m, d int, problem string) {
	const want = "want YYYY-MM-DD"
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, want
	}
	y, m, problem = ParseMonth(s[:7])
	if problem != "" {
		return 0, 0, 0, problem
	}
	d, ok := digitsAt(s, 8, 2)
	if !ok {
		return 0, 0, 0, want
	}
	if d < 1 || d > civil.DaysIn(y, m) {
		return 0, 0, 0, "day does not exist in the month"
	}
	return y, m, d, ""
}

// ParseMonth parses YYYY-MM.
func ParseMonth(s string) (y, m int, problem string) {
	const want = "want YYYY-MM"
	if len(s) != 7 || s[4] != '-' {
		return 0, 0, want
	}
	y, ok1 := digitsAt(s, 0, 4)
	m, ok2 := digitsAt(s, 5, 2)
	if !ok1 || !ok2 {
		return 0, 0, want
	}
	if m < 1 || m > 12 {
		return 0, 0, "month out of range"
	}
	return y, m, ""
}

// ParseTimestamp checks YYYY-MM-DD HH:MM:SS and returns, when clock is not
// nil, the time's microseconds since the epoch (UTC) with the time read in
// the clock's location. It checks the form and the ranges of the fields,
// not whether the local time exists in Europe/Oslo: the hour skipped when
// summer time begins is resolved as time.Date does (civil.Clock).
func ParseTimestamp(s string, clock *civil.Clock) (int64, string) {
	const want = "want YYYY-MM-DD HH:MM:SS"
	if len(s) != 19 || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return 0, want
	}
	y, m, d, p := ParseDate(s[:10])
	if p != "" {
		return 0, p
	}
	hh, ok1 := digitsAt(s, 11, 2)
	mm, ok2 := digitsAt(s, 14, 2)
	ss, ok3 := digitsAt(s, 17, 2)
	if !ok1 || !ok2 || !ok3 {
		return 0, want
	}
	if hh > 23 || mm > 59 || ss > 59 {
		return 0, "time of day out of range"
	}
	if clock == nil {
		return 0, ""
	}
	return clock.Micros(y, m, d, hh, mm, ss), ""
}

// ParseInteger parses an optional minus followed by 1 to 18 ASCII digits,
// the form of an integer in CSV and of a whole JSON number.
func ParseInteger(s string) (int64, string) {
	const want = "want a whole number"
	neg := len(s) > 0 && s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	if len(digits) == 0 {
		return 0, want
	}
	if len(digits) > 18 {
		return 0, "too many digits"
	}
	v, ok := digitsAt(digits, 0, len(digits))
	if !ok {
		return 0, want
	}
	if neg {
		v = -v
	}
	return int64(v), ""
}
