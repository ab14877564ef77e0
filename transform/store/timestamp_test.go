package store

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"integstat/extract/contract"
	"integstat/extract/delivery"
)

// TestTimestampOffsetCache: the Builder's timestamps, which look up Oslo's
// offset once per local hour, equal time.ParseInLocation's for a time in every hour
// from 1900 to 2040 (every change of summer time in between, and the
// hours before and after each) and for every minute of the hours around
// the changes of 2017.
func TestTimestampOffsetCache(t *testing.T) {
	tb, _ := contract.Lookup("nir", "timer")
	b := NewBuilder(tb, 1)
	defer b.Release()
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(s string) {
		t.Helper()
		got, p := delivery.ParseTimestamp(s, b.clock)
		want, err := time.ParseInLocation(time.DateTime, s, delivery.Oslo)
		if p != "" || err != nil || got != want.UnixMicro() {
			t.Fatalf("%s: cached %d (%s), time.ParseInLocation %d (%v)", s, got, p, want.UnixMicro(), err)
		}
	}
	n := 0
	for h := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); h.Year() < 2040; h = h.Add(time.Hour) {
		// Local wall-clock hours, including those skipped or repeated.
		check(fmt.Sprintf("%s:%02d:%02d", h.Format("2006-01-02 15"), rng.IntN(60), rng.IntN(60)))
		n++
	}
	for _, day := range []string{"2017-03-26", "2017-10-29"} {
		for hh := 0; hh < 5; hh++ {
			for mm := 0; mm < 60; mm++ {
				check(fmt.Sprintf("%s %02d:%02d:59", day, hh, mm))
			}
		}
	}
	if n < 140*365*24 {
		t.Fatalf("checked %d hours", n)
	}
	// The changes of summer time really are in the range checked.
	if _, off1 := time.Date(2017, 3, 26, 1, 0, 0, 0, delivery.Oslo).Zone(); off1 != 3600 {
		t.Fatalf("Oslo's offset on 2017-03-26 01:00 is %d", off1)
	}
}
