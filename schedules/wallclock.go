package schedules

import (
	"time"

	"github.com/robfig/cron/v3"
)

// wallClock makes a cron schedule of wall-clock times (a job at 02:30)
// run once on the nights the clocks change, which robfig/cron does not:
// evaluated in Europe/Oslo it skips the day when 02:30 does not exist
// (spring forward, last Sunday of March) and runs twice when 02:30
// happens twice (fall back, last Sunday of October). The wrapped schedule
// runs a time that falls into the spring gap at the end of the gap
// (03:00), once however many times fell into it, and skips the second
// occurrence of a repeated time. Schedules that run every hour keep
// robfig's behaviour (their runs stay an hour apart in elapsed time), as
// do @every schedules.
func wallClock(s cron.Schedule, loc *time.Location) cron.Schedule {
	spec, ok := s.(*cron.SpecSchedule)
	const allHours = 1<<24 - 1
	if !ok || spec.Hour&allHours == allHours {
		return inLocation{s, loc}
	}
	return wallSchedule{spec, loc}
}

// inLocation evaluates a schedule in loc whatever the location of the
// time it is given.
type inLocation struct {
	cron.Schedule
	loc *time.Location
}

func (s inLocation) Next(t time.Time) time.Time { return s.Schedule.Next(t.In(s.loc)) }

type wallSchedule struct {
	inner cron.Schedule
	loc   *time.Location
}

// Next returns the next time after t.
func (s wallSchedule) Next(t time.Time) time.Time {
	t = t.In(s.loc)
	for {
		n := s.inner.Next(t)
		if g, ok := s.gapRun(t, n); ok {
			return g
		}
		if n.IsZero() || !repeated(n) {
			return n
		}
		t = n // the wall time already happened an hour ago: skip it
	}
}

// gapRun finds a clock change moving forward after t and before n (or
// at any later time when n is zero, within a year) during whose skipped
// wall times the schedule would have run; it returns the moment the gap
// ends.
func (s wallSchedule) gapRun(t, n time.Time) (time.Time, bool) {
	limit := n
	if limit.IsZero() {
		limit = t.AddDate(1, 0, 0)
	}
	for at := t; ; {
		_, end := at.ZoneBounds()
		if end.IsZero() || !end.Before(limit) {
			return time.Time{}, false
		}
		_, before := end.Add(-time.Nanosecond).Zone()
		_, after := end.Zone()
		if after > before && end.After(t) {
			// The wall times from the end in the old offset up to the
			// same instant shown in the new one never appear on clocks.
			old := time.FixedZone("", before)
			g := s.inner.Next(end.Add(-time.Second).In(old))
			if !g.IsZero() && g.Before(end.Add(time.Duration(after-before)*time.Second)) {
				return end, true
			}
		}
		at = end
	}
}

// repeated reports whether t is the second occurrence of its wall time:
// after the clocks went back, within the hour that is shown twice.
func repeated(t time.Time) bool {
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return false
	}
	_, before := start.Add(-time.Nanosecond).Zone()
	_, now := t.Zone()
	return before > now && t.Before(start.Add(time.Duration(before-now)*time.Second))
}
