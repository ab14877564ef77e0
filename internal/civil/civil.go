// Package civil does calendar arithmetic on plain year, month and day
// numbers: the days since the Unix epoch of a date and the length of a
// month, in the proleptic Gregorian calendar, and a Clock that turns local
// times into UTC. The ingest stage converts and checks dates and times on
// every row of large files, where time.Date's zone handling is the costly
// part.
package civil

import "time"

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

// Clock turns local times of one location into UTC as time.Date does, at
// the cost of a slice index for most times: it keeps the UTC offset of
// each local day from 1900 to 2100 it has seen, and of each hour of the
// days whose offset changes. That is exact for zones whose offset changes
// on whole hours of UTC, by whole hours (Europe/Oslo, whose times the
// registers give): within one local hour every time then has the offset
// of the hour's start. Use a Clock from one goroutine.
type Clock struct {
	loc   *time.Location
	days  []int32         // offset+offsetBias by day-firstDay, or offsetUnknown/offsetChanges
	hours map[int64]int64 // offset by days·24 + hour, for the days that change
}

// The days a Clock keeps in its slice.
var (
	firstDay = Days(1900, 1, 1)
	lastDay  = Days(2100, 12, 31)
)

// Values of Clock.days besides an offset plus offsetBias.
const (
	offsetUnknown = 0         // not looked up yet
	offsetChanges = 1         // the offset changes during the day
	offsetBias    = 1_000_000 // far above any real offset
)

// NewClock returns a Clock of loc.
func NewClock(loc *time.Location) *Clock {
	return &Clock{loc: loc, hours: make(map[int64]int64)}
}

// Micros returns the microseconds since the epoch (UTC) of local time
// y-m-d hh:mm:ss, which must be a valid date and time of day, resolving a
// time skipped or repeated by a change of summer time as time.Date does.
func (c *Clock) Micros(y, m, d, hh, mm, ss int) int64 {
	day := Days(y, m, d)
	hour := day*24 + int64(hh)
	off, ok := c.dayOffset(day, y, m, d)
	if !ok {
		if off, ok = c.hours[hour]; !ok {
			off = time.Date(y, time.Month(m), d, hh, 0, 0, 0, c.loc).Unix() - hour*3600
			if len(c.hours) >= 1<<16 {
				clear(c.hours) // a bound on memory; an hour costs one time.Date
			}
			c.hours[hour] = off
		}
	}
	return (hour*3600 + int64(mm)*60 + int64(ss) + off) * 1e6
}

// dayOffset returns what to add to the seconds of a local time of day y-m-d
// (day days since the epoch) to get UTC, and false when the day is outside
// the slice's range or its offset changes during it.
func (c *Clock) dayOffset(day int64, y, m, d int) (int64, bool) {
	if day < firstDay || day > lastDay {
		return 0, false
	}
	if c.days == nil {
		c.days = make([]int32, lastDay-firstDay+1)
	}
	v := c.days[day-firstDay]
	if v == offsetUnknown {
		start := time.Date(y, time.Month(m), d, 0, 0, 0, 0, c.loc).Unix() - day*86400
		end := time.Date(y, time.Month(m), d, 23, 0, 0, 0, c.loc).Unix() - day*86400 - 23*3600
		v = offsetChanges
		if start == end {
			v = int32(start + offsetBias)
		}
		c.days[day-firstDay] = v
	}
	if v == offsetChanges {
		return 0, false
	}
	return int64(v) - offsetBias, true
}
