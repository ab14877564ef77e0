package pseudo

import "time"

// BirthYear returns the year of the birth date d, the only part of a date of
// birth that leaves the restricted area.
func BirthYear(d time.Time) int { return d.Year() }

// AgeOn returns the age in whole years on day of a person born on birth,
// comparing calendar dates (year, month, day) as given, so both should be
// dates in the same location. A person born on 29 February turns one year
// older on 1 March in years without that day. A day before the birth gives a
// negative age.
func AgeOn(birth, day time.Time) int {
	by, bm, bd := birth.Date()
	y, mo, d := day.Date()
	age := y - by
	if mo < bm || (mo == bm && d < bd) {
		age--
	}
	return age
}
