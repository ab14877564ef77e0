// Package civil does calendar arithmetic on plain year, month and day
// numbers: the days since the Unix epoch of a date and the length of a
// month, in the proleptic Gregorian calendar. The ingest stage converts
// and checks dates on every row of large files, where time.Date's zone
// handling is the costly part and not needed.
package civil

// Days returns the days since 1970-01-01 of the date y-m-d (Howard
// Hinnant's days_from_civil); m is 1–12.
func Days(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// DaysIn returns the number of days in month m (1–12) of year y.
func DaysIn(y, m int) int {
	if m == 2 {
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	}
	return monthDays[m]
}

// monthDays is the length of each month of a common year.
var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
