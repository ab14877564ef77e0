package delivery

import (
	"strings"
	"testing"
	"time"

	"integstat/internal/civil"
)

// TestValues: the dialect's value parsers accept exactly the zero-padded
// forms and say what is wrong without repeating the text.
func TestValues(t *testing.T) {
	clock := civil.NewClock(Oslo)
	for _, c := range []struct {
		kind, s string
		want    int64 // civil days, microseconds or the integer; checked when ok
		ok      bool
	}{
		{"date", "2017-06-15", civil.Days(2017, 6, 15), true},
		{"date", "2016-02-29", civil.Days(2016, 2, 29), true},
		{"date", "2017-02-29", 0, false},
		{"date", "2017-6-15", 0, false},
		{"date", "2017-13-01", 0, false},
		{"date", "2017-06-15 ", 0, false},
		{"month", "2017-06", civil.Days(2017, 6, 1), true},
		{"month", "2017-00", 0, false},
		{"month", "2017/06", 0, false},
		{"timestamp", "2017-03-26 01:59:59", time.Date(2017, 3, 26, 1, 59, 59, 0, Oslo).UnixMicro(), true},
		{"timestamp", "2017-10-29 02:30:00", time.Date(2017, 10, 29, 2, 30, 0, 0, Oslo).UnixMicro(), true},
		{"timestamp", "2017-03-26T01:59:59", 0, false},
		{"timestamp", "2017-03-26 24:00:00", 0, false},
		{"integer", "-42", -42, true},
		{"integer", "123456789012345678", 123456789012345678, true},
		{"integer", "1234567890123456789", 0, false},
		{"integer", "4,5", 0, false},
		{"integer", "", 0, false},
	} {
		var got int64
		var p string
		switch c.kind {
		case "date":
			var y, m, d int
			y, m, d, p = ParseDate(c.s)
			got = civil.Days(y, m, d)
		case "month":
			var y, m int
			y, m, p = ParseMonth(c.s)
			got = civil.Days(y, m, 1)
		case "timestamp":
			got, p = ParseTimestamp(c.s, clock)
		case "integer":
			got, p = ParseInteger(c.s)
		}
		if (p == "") != c.ok || c.ok && got != c.want {
			t.Errorf("%s %q: %d, problem %q; want %d, ok %t", c.kind, c.s, got, p, c.want, c.ok)
		}
		if p != "" && c.s != "" && len(c.s) > 3 && strings.Contains(p, c.s) {
			t.Errorf("%s %q: the problem %q repeats the value", c.kind, c.s, p)
		}
	}
}
