package warehouse

import (
	"testing"
	"time"
)

func TestParseCadence(t *testing.T) {
	for _, c := range []struct {
		in   string
		nir  time.Duration
		fail bool
	}{
		{"", 31 * 24 * time.Hour, false},
		{"nir=7d", 7 * 24 * time.Hour, false},
		{"nir=12h, tolk=1d", 12 * time.Hour, false},
		{"nix=1d", 0, true},
		{"nir=0d", 0, true},
		{"nir=soon", 0, true},
		{"nir", 0, true},
	} {
		got, err := ParseCadence(c.in)
		if (err != nil) != c.fail || (!c.fail && got["nir"] != c.nir) {
			t.Errorf("ParseCadence(%q) = %v, %v; want nir %v (fail %v)", c.in, got, err, c.nir, c.fail)
		}
	}
}

func TestFresh(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	ds := []DeliveryLoad{
		{Source: "nir", Extracted: now.Add(-40 * 24 * time.Hour)},
		{Source: "nir", Extracted: now.Add(-30 * 24 * time.Hour)},
		{Source: "bosetting", Extracted: now.Add(-25 * time.Hour)},
	}
	want := map[string]bool{"nir": false, "bosetting": true, "tolk": true} // overdue
	for _, f := range Fresh(ds, DefaultCadence, now) {
		if f.Overdue != want[f.Source] {
			t.Errorf("%s: overdue %v, want %v (newest %v)", f.Source, f.Overdue, want[f.Source], f.Newest)
		}
		if f.Source == "nir" && !f.Newest.Equal(now.Add(-30*24*time.Hour)) {
			t.Errorf("nir newest %v, want the later delivery", f.Newest)
		}
	}
}
