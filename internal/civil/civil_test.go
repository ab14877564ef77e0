package civil

import (
	"testing"
	"time"
)

// TestAgainstTime holds Days and DaysIn to the time package's calendar on
// every day from 1600 to 2400, leap years and negative days included.
func TestAgainstTime(t *testing.T) {
	n := 0
	for d := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2400; d = d.AddDate(0, 0, 1) {
		y, m, dd := d.Date()
		if got, want := Days(y, int(m), dd), d.Unix()/86400; got != want {
			t.Fatalf("Days(%d, %d, %d) = %d, want %d", y, m, dd, got, want)
		}
		if dd == 1 {
			if got, want := DaysIn(y, int(m)), time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day(); got != want {
				t.Fatalf("DaysIn(%d, %d) = %d, want %d", y, m, got, want)
			}
		}
		n++
	}
	if n < 290000 {
		t.Fatalf("checked %d days", n)
	}
}
