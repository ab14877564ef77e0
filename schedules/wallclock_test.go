package schedules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"integstat/schedules"
)

// at makes a time in Oslo; zone picks the offset of an ambiguous one.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, schedules.Oslo)
}

// nexts returns the next n times of s after from.
func nexts(s cron.Schedule, from time.Time, n int) []time.Time {
	var out []time.Time
	for t := from; len(out) < n; {
		t = s.Next(t)
		out = append(out, t)
	}
	return out
}

func job(t *testing.T, spec string) *schedules.Job {
	t.Helper()
	s, err := schedules.Parse("t.conf", strings.NewReader("[j]\nkind = build\nat = "+spec+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return s.Jobs[0]
}

// TestRobfigOnSummerTimeNights records what robfig/cron itself does with
// a job at 02:30 in Europe/Oslo, the reason for the wrapper: on 29 March
// 2026 (02:00 → 03:00) it does not run at all, on 25 October 2026
// (03:00 → 02:00) it runs twice.
func TestRobfigOnSummerTimeNights(t *testing.T) {
	raw, err := cron.ParseStandard("30 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	spring := nexts(raw, at(2026, 3, 28, 12, 0), 2)
	if spring[0].Day() != 30 {
		t.Errorf("robfig after 28 March: %v; expected it to skip 29 March", spring)
	}
	fall := nexts(raw, at(2026, 10, 24, 12, 0), 2)
	if fall[0].Day() != 25 || fall[1].Day() != 25 || fall[1].Sub(fall[0]) != time.Hour {
		t.Errorf("robfig after 24 October: %v; expected 02:30 twice on 25 October", fall)
	}
}

func TestSummerTimeNights(t *testing.T) {
	cest := time.FixedZone("CEST", 2*3600)
	cet := time.FixedZone("CET", 3600)
	cases := []struct {
		name, spec string
		from       time.Time
		want       []time.Time
	}{
		{"spring forward: 02:30 does not exist, runs at 03:00", "30 2 * * *", at(2026, 3, 28, 12, 0), []time.Time{
			time.Date(2026, 3, 29, 3, 0, 0, 0, cest), time.Date(2026, 3, 30, 2, 30, 0, 0, cest), time.Date(2026, 3, 31, 2, 30, 0, 0, cest)}},
		{"spring forward with seconds", "0 30 2 * * *", at(2026, 3, 29, 0, 0), []time.Time{
			time.Date(2026, 3, 29, 3, 0, 0, 0, cest), time.Date(2026, 3, 30, 2, 30, 0, 0, cest)}},
		{"spring forward: several times in the gap run once", "*/20 2 * * *", at(2026, 3, 28, 12, 0), []time.Time{
			time.Date(2026, 3, 29, 3, 0, 0, 0, cest), time.Date(2026, 3, 30, 2, 0, 0, 0, cest)}},
		{"fall back: 02:30 happens twice, runs the first", "30 2 * * *", at(2026, 10, 24, 12, 0), []time.Time{
			time.Date(2026, 10, 25, 2, 30, 0, 0, cest), time.Date(2026, 10, 26, 2, 30, 0, 0, cet)}},
		{"fall back: asked between the two", "30 2 * * *", time.Date(2026, 10, 25, 2, 45, 0, 0, cest), []time.Time{
			time.Date(2026, 10, 26, 2, 30, 0, 0, cet)}},
		{"fall back: the repeated hour runs once", "*/20 2 * * *", at(2026, 10, 25, 0, 0), []time.Time{
			time.Date(2026, 10, 25, 2, 0, 0, 0, cest), time.Date(2026, 10, 25, 2, 20, 0, 0, cest),
			time.Date(2026, 10, 25, 2, 40, 0, 0, cest), time.Date(2026, 10, 26, 2, 0, 0, 0, cet)}},
		{"hourly keeps elapsed hours in spring", "30 * * * *", at(2026, 3, 29, 1, 0), []time.Time{
			time.Date(2026, 3, 29, 1, 30, 0, 0, cet), time.Date(2026, 3, 29, 3, 30, 0, 0, cest)}},
		{"hourly keeps elapsed hours in the fall", "30 * * * *", time.Date(2026, 10, 25, 2, 0, 0, 0, cest), []time.Time{
			time.Date(2026, 10, 25, 2, 30, 0, 0, cest), time.Date(2026, 10, 25, 2, 30, 0, 0, cet), time.Date(2026, 10, 25, 3, 30, 0, 0, cet)}},
		{"a time given in UTC is evaluated in Oslo", "30 2 * * *", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), []time.Time{
			time.Date(2026, 6, 1, 2, 30, 0, 0, cest)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := nexts(job(t, c.spec).Schedule(), c.from, len(c.want))
			for i := range c.want {
				if !got[i].Equal(c.want[i]) {
					t.Errorf("next %d after %v = %v, want %v", i+1, c.from, got[i], c.want[i].In(schedules.Oslo))
				}
			}
		})
	}
}

// TestDailyRunsOncePerDay walks a daily 02:30 job through 2026 and
// 2027: one run on every day, both summer-time nights included.
func TestDailyRunsOncePerDay(t *testing.T) {
	s := job(t, "30 2 * * *").Schedule()
	perDay := map[string]int{}
	from := at(2026, 1, 1, 0, 0)
	for n := from; n.Before(at(2028, 1, 1, 0, 0)); {
		n = s.Next(n)
		perDay[n.In(schedules.Oslo).Format(time.DateOnly)]++
	}
	for d := from; d.Year() < 2028; d = d.AddDate(0, 0, 1) {
		if k := d.Format(time.DateOnly); perDay[k] != 1 {
			t.Errorf("%s: %d runs", k, perDay[k])
		}
	}
}
