package pseudo

import (
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestAgeOn(t *testing.T) {
	tests := []struct {
		name       string
		birth, day time.Time
		want       int
	}{
		{"day of birth", date(2000, 6, 15), date(2000, 6, 15), 0},
		{"day before first birthday", date(2000, 6, 15), date(2001, 6, 14), 0},
		{"first birthday", date(2000, 6, 15), date(2001, 6, 15), 1},
		{"month before birthday month", date(1980, 12, 1), date(2017, 11, 30), 36},
		{"last day of the year", date(1980, 12, 31), date(2017, 12, 31), 37},
		{"29 February, 28 February of a common year", date(2000, 2, 29), date(2017, 2, 28), 16},
		{"29 February, 1 March of a common year", date(2000, 2, 29), date(2017, 3, 1), 17},
		{"29 February, 28 February of a leap year", date(2000, 2, 29), date(2016, 2, 28), 15},
		{"29 February, 29 February of a leap year", date(2000, 2, 29), date(2016, 2, 29), 16},
		{"28 February in a leap year", date(2001, 2, 28), date(2004, 2, 28), 3},
		{"1 March after a leap day", date(2001, 3, 1), date(2004, 2, 29), 2},
		{"1900 is not a leap year", date(1896, 2, 29), date(1900, 3, 1), 4},
		{"day before birth", date(2000, 6, 15), date(2000, 6, 14), -1},
		{"time of day is ignored", time.Date(2000, 6, 15, 23, 59, 0, 0, time.UTC), date(2001, 6, 15), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AgeOn(tt.birth, tt.day); got != tt.want {
				t.Errorf("AgeOn(%s, %s) = %d, want %d", tt.birth.Format(time.DateOnly), tt.day.Format(time.DateOnly), got, tt.want)
			}
		})
	}
}

func TestBirthYear(t *testing.T) {
	tests := []struct {
		birth time.Time
		want  int
	}{
		{date(1999, 12, 31), 1999},
		{date(2000, 1, 1), 2000},
		{date(2000, 2, 29), 2000},
	}
	for _, tt := range tests {
		if got := BirthYear(tt.birth); got != tt.want {
			t.Errorf("BirthYear(%s) = %d, want %d", tt.birth.Format(time.DateOnly), got, tt.want)
		}
	}
}
