package reference

import (
	"slices"
	"testing"
	"time"
)

func TestKommunerOnCount(t *testing.T) {
	d := MustLoad()
	// Counts from Statistics Norway's lists; 2018-2020 also counted
	// independently with awk over kommuner.csv.
	tests := []struct {
		on   time.Time
		want int
	}{
		{date(2012, 12, 31), 0}, // before the lists begin
		{date(2013, 1, 1), 428},
		{date(2016, 12, 31), 428},
		{date(2017, 1, 1), 426}, // Sandefjord merger: 0706, 0719, 0720 → 0710
		{date(2017, 12, 31), 426},
		{date(2018, 1, 1), 422}, // Trøndelag; Holmestrand, Larvik, Færder
		{date(2019, 6, 1), 422},
		{date(2020, 1, 1), 356},
		{date(2023, 12, 31), 356},
		{date(2024, 1, 1), 357}, // county reform; Ålesund split into 1508 and 1580
		{date(2030, 1, 1), 357}, // past the newest list: those still valid in it
	}
	for _, tt := range tests {
		got := d.KommunerOn(tt.on)
		if len(got) != tt.want {
			t.Errorf("KommunerOn(%s) gives %d kommuner, want %d", tt.on.Format(time.DateOnly), len(got), tt.want)
		}
		if !slices.IsSortedFunc(got, func(a, b Kommune) int { return compareCodes(a.Code, b.Code) }) {
			t.Errorf("KommunerOn(%s) is not sorted by code without repeats", tt.on.Format(time.DateOnly))
		}
	}
}

// compareCodes orders codes, treating a repeated code as out of order.
func compareCodes(a, b string) int {
	if a == b {
		return 1
	}
	if a < b {
		return -1
	}
	return 1
}

func TestFylkeOn(t *testing.T) {
	d := MustLoad()
	count := func(on time.Time) int {
		n := 0
		for _, f := range d.Fylker {
			if got, ok := d.FylkeOn(f.Code, on); ok && got == f {
				n++
			}
		}
		return n
	}
	for _, tt := range []struct {
		on   time.Time
		want int
	}{
		{date(2017, 6, 1), 19},
		{date(2018, 1, 1), 18}, // 16 and 17 became 50 Trøndelag
		{date(2020, 1, 1), 11},
		{date(2023, 12, 31), 11},
		{date(2024, 1, 1), 15}, // Viken, Vestfold og Telemark, Troms og Finnmark split
		{date(2030, 1, 1), 15},
	} {
		if got := count(tt.on); got != tt.want {
			t.Errorf("%d fylker valid on %s, want %d", got, tt.on.Format(time.DateOnly), tt.want)
		}
	}
	if f, ok := d.FylkeOn("50", date(2018, 1, 1)); !ok || f.Name != "Trøndelag" {
		t.Errorf("FylkeOn(50, 2018-01-01) = %+v, %v; want Trøndelag", f, ok)
	}
	if _, ok := d.FylkeOn("16", date(2018, 1, 1)); ok {
		t.Error("fylke 16 valid on 2018-01-01, after it became part of Trøndelag")
	}
}

// TestFylkeOfKommune checks that every kommune's fylke is the first two
// digits of its code and is itself valid on each date it is.
func TestFylkeOfKommune(t *testing.T) {
	d := MustLoad()
	for year := 2013; year <= 2025; year++ {
		on := date(year, 1, 1)
		for _, k := range d.KommunerOn(on) {
			if k.Fylke != k.Code[:2] {
				t.Errorf("kommune %s has fylke %s", k.Code, k.Fylke)
			}
			if _, ok := d.FylkeOn(k.Fylke, on); !ok {
				t.Errorf("kommune %s valid on %s, its fylke %s is not", k.Code, on.Format(time.DateOnly), k.Fylke)
			}
		}
	}
}

func TestValidOn(t *testing.T) {
	d := MustLoad()
	cet := time.FixedZone("CET", 3600)
	est := time.FixedZone("EST", -5*3600)
	tests := []struct {
		code string
		on   time.Time
		want bool
	}{
		{"0706", date(2016, 12, 31), true},
		{"0706", date(2017, 1, 1), false}, // gyldig_til is exclusive
		{"0719", date(2017, 1, 1), false},
		{"0710", date(2016, 12, 31), false},
		{"0710", date(2017, 1, 1), true}, // gyldig_fra is inclusive
		{"0710", date(2019, 12, 31), true},
		{"0710", date(2020, 1, 1), false},
		{"0702", date(2017, 12, 31), true},
		{"0702", date(2018, 1, 1), false},
		{"0715", date(2018, 1, 1), true},
		{"3804", date(2023, 12, 31), true},
		{"3804", date(2024, 1, 1), false}, // Sandefjord renumbered 3907
		{"3907", date(2030, 6, 1), true},
		{"5401", date(2024, 1, 1), false},
		{"5501", date(2024, 1, 1), true},
		{"0301", date(2012, 12, 31), false},
		{"9999", date(2017, 1, 1), false},
		{"", date(2017, 1, 1), false},
		// Only the calendar date in t's own location counts.
		{"0710", time.Date(2017, 1, 1, 0, 30, 0, 0, cet), true},     // 2016-12-31 in UTC
		{"0710", time.Date(2016, 12, 31, 23, 30, 0, 0, est), false}, // 2017-01-01 in UTC
		{"0706", time.Date(2016, 12, 31, 23, 59, 59, 0, time.UTC), true},
	}
	for _, tt := range tests {
		if got := d.ValidOn(tt.code, tt.on); got != tt.want {
			t.Errorf("ValidOn(%q, %s) = %v, want %v", tt.code, tt.on, got, tt.want)
		}
	}
}

func TestOsloThroughout(t *testing.T) {
	d := MustLoad()
	for on := date(2013, 1, 1); on.Year() <= 2030; on = on.AddDate(0, 0, 1) {
		k, ok := d.KommuneOn("0301", on)
		if !ok || k.Name != "Oslo" || k.Fylke != "03" {
			t.Fatalf("KommuneOn(0301, %s) = %+v, %v", on.Format(time.DateOnly), k, ok)
		}
	}
}

func TestCodeAt(t *testing.T) {
	d := MustLoad()
	tests := []struct {
		code     string
		from, at time.Time
		want     []string
	}{
		{"0706", date(2016, 6, 1), date(2017, 1, 1), []string{"0710"}},
		{"0719", date(2016, 6, 1), date(2016, 12, 31), []string{"0719"}},
		{"0720", date(2016, 6, 1), date(2018, 6, 1), []string{"0710"}},
		{"0720", date(2016, 6, 1), date(2020, 1, 1), []string{"3804"}}, // transitive
		{"0702", date(2017, 6, 1), date(2018, 1, 1), []string{"0715"}},
		{"0702", date(2017, 6, 1), date(2023, 1, 1), []string{"3802"}},
		{"0702", date(2017, 6, 1), date(2030, 1, 1), []string{"3903"}},         // Holmestrand 2018, then 2024
		{"0720", date(2016, 6, 1), date(2030, 1, 1), []string{"3907"}},         // Sandefjord 2017, 2020, 2024
		{"0101", date(2013, 1, 1), date(2030, 1, 1), []string{"3101"}},         // Halden → 3001 → 3101
		{"1902", date(2013, 1, 1), date(2030, 1, 1), []string{"5501"}},         // Tromsø → 5401 → 5501
		{"1601", date(2017, 1, 1), date(2030, 1, 1), []string{"5001"}},         // Trondheim 2018
		{"1507", date(2023, 6, 1), date(2024, 1, 1), []string{"1508", "1580"}}, // Ålesund split
		{"1534", date(2013, 1, 1), date(2030, 1, 1), []string{"1508", "1580"}}, // Haram → 1507 → split
		{"0301", date(2013, 1, 1), date(2030, 1, 1), []string{"0301"}},
		{"1567", date(2018, 6, 1), date(2019, 1, 1), []string{"5061"}},                 // Rindal changed fylke
		{"1624", date(2017, 6, 1), date(2018, 1, 1), []string{"5054"}},                 // Rissa into Indre Fosen
		{"1850", date(2019, 6, 1), date(2020, 1, 1), []string{"1806", "1875"}},         // Tysfjord split
		{"1613", date(2017, 6, 1), date(2020, 1, 1), []string{"5055", "5056", "5059"}}, // Snillfjord: 5012, then split
		{"0121", date(2019, 6, 1), date(2020, 1, 1), []string{"3026"}},                 // Rømskog to another fylke
		{"0710", date(2018, 6, 1), date(2016, 6, 1), []string{"0710"}},                 // at before from
		{"0710", date(2016, 6, 1), date(2018, 1, 1), nil},                              // not valid on from
		{"9999", date(2016, 6, 1), date(2018, 1, 1), nil},
	}
	for _, tt := range tests {
		got := d.CodeAt(tt.code, tt.from, tt.at)
		if !slices.Equal(got, tt.want) {
			t.Errorf("CodeAt(%s, %s, %s) = %q, want %q", tt.code, tt.from.Format(time.DateOnly), tt.at.Format(time.DateOnly), got, tt.want)
		}
	}
}

// TestCodeAtSurvivingSplit covers a split in which the old code lives on for
// one part (as 1508 Ålesund did when Haram left it in 2024) and later changes
// again: the embedded lists have no such case, so the data is built here.
func TestCodeAtSurvivingSplit(t *testing.T) {
	d := &Data{
		Kommuner: []Kommune{
			{Code: "1508", Name: "Ålesund", Fylke: "15", From: date(2020, 1, 1), To: date(2026, 1, 1)},
			{Code: "1580", Name: "Haram", Fylke: "15", From: date(2024, 1, 1)},
			{Code: "1590", Name: "Ny", Fylke: "15", From: date(2026, 1, 1)},
		},
		Changes: []Change{
			{Old: "1508", OldName: "Ålesund", New: "1508", NewName: "Ålesund", From: date(2024, 1, 1)},
			{Old: "1508", OldName: "Ålesund", New: "1580", NewName: "Haram", From: date(2024, 1, 1)},
			{Old: "1508", OldName: "Ålesund", New: "1590", NewName: "Ny", From: date(2026, 1, 1)},
		},
	}
	tests := []struct {
		from, at time.Time
		want     []string
	}{
		{date(2023, 6, 1), date(2023, 12, 31), []string{"1508"}},
		{date(2023, 6, 1), date(2024, 1, 1), []string{"1508", "1580"}},
		{date(2023, 6, 1), date(2026, 1, 1), []string{"1580", "1590"}},
		{date(2024, 6, 1), date(2026, 1, 1), []string{"1590"}},
	}
	for _, tt := range tests {
		if got := d.CodeAt("1508", tt.from, tt.at); !slices.Equal(got, tt.want) {
			t.Errorf("CodeAt(1508, %s, %s) = %q, want %q", tt.from.Format(time.DateOnly), tt.at.Format(time.DateOnly), got, tt.want)
		}
	}
}

func BenchmarkValidOn(b *testing.B) {
	d := MustLoad()
	codes := d.KommunerOn(date(2017, 6, 1))
	on := date(2017, 6, 1)
	for i := 0; b.Loop(); i++ {
		if !d.ValidOn(codes[i%len(codes)].Code, on) {
			b.Fatal("not valid")
		}
	}
}

func BenchmarkCodeAt(b *testing.B) {
	d := MustLoad()
	codes := d.KommunerOn(date(2017, 6, 1))
	from, at := date(2017, 6, 1), date(2030, 1, 1)
	for i := 0; b.Loop(); i++ {
		if len(d.CodeAt(codes[i%len(codes)].Code, from, at)) == 0 {
			b.Fatal("no code")
		}
	}
}

// TestToday follows real codes to today's structure through every change in
// between, splits included.
func TestToday(t *testing.T) {
	d := MustLoad()
	if got := d.Newest(); !got.Equal(date(2024, 1, 1)) {
		t.Errorf("Newest() = %s, want 2024-01-01 (the reference data's newest list)", got.Format(time.DateOnly))
	}
	tests := []struct {
		code string
		year int // the code as it was on 31.12 of year
		want []string
	}{
		{"0101", 2015, []string{"3101"}},                 // Halden → 3001 (2020) → 3101 (2024)
		{"3001", 2021, []string{"3101"}},                 // Halden
		{"1902", 2019, []string{"5501"}},                 // Tromsø → 5401 → 5501
		{"5401", 2023, []string{"5501"}},                 // Tromsø
		{"5501", 2024, []string{"5501"}},                 // today's code itself
		{"1601", 2017, []string{"5001"}},                 // Trondheim 2018
		{"0706", 2016, []string{"3907"}},                 // Sandefjord 2017 → 0710 → 3804 → 3907
		{"0719", 2016, []string{"3907"}},                 // Andebu, into Sandefjord 2017
		{"0702", 2017, []string{"3903"}},                 // Holmestrand 2018 → 0715 → 3802 → 3903
		{"0714", 2017, []string{"3903"}},                 // Hof, into Holmestrand 2018
		{"1507", 2023, []string{"1508", "1580"}},         // Ålesund split 2024
		{"1534", 2013, []string{"1508", "1580"}},         // Haram → 1507 → split
		{"1504", 2019, []string{"1508", "1580"}},         // Ålesund → 1507 → split
		{"1850", 2019, []string{"1806", "1875"}},         // Tysfjord split 2020
		{"1613", 2017, []string{"5055", "5056", "5059"}}, // Snillfjord → 5012 → split
		{"0301", 2013, []string{"0301"}},
		{"1507", 2012, nil}, // not valid then
	}
	for _, tt := range tests {
		if got := d.Today(tt.code, date(tt.year, 12, 31)); !slices.Equal(got, tt.want) {
			t.Errorf("Today(%s, %d) = %q, want %q", tt.code, tt.year, got, tt.want)
		}
	}
	// Every code of every year reaches today's list.
	today := map[string]bool{}
	for _, k := range d.KommunerOn(d.Newest()) {
		today[k.Code] = true
	}
	for y := 2013; y <= 2024; y++ {
		for _, k := range d.KommunerOn(date(y, 12, 31)) {
			for _, c := range d.Today(k.Code, date(y, 12, 31)) {
				if !today[c] {
					t.Errorf("Today(%s, %d) gives %s, not in today's list", k.Code, y, c)
				}
			}
		}
	}
}

func TestChangesFromTo(t *testing.T) {
	d := MustLoad()
	codes := func(cs []Change, new bool) []string {
		var out []string
		for _, c := range cs {
			if new {
				out = append(out, c.New)
			} else {
				out = append(out, c.Old)
			}
		}
		return out
	}
	if got := codes(d.ChangesFrom("1507"), true); !slices.Equal(got, []string{"1508", "1580"}) {
		t.Errorf("ChangesFrom(1507) leads to %q", got)
	}
	if got := codes(d.ChangesTo("1507"), false); !slices.Equal(got, []string{"1504", "1523", "1529", "1534", "1546"}) {
		t.Errorf("ChangesTo(1507) comes from %q", got)
	}
	if got := codes(d.ChangesTo("5501"), false); !slices.Equal(got, []string{"5401"}) {
		t.Errorf("ChangesTo(5501) comes from %q", got)
	}
	for _, tt := range []struct {
		code string
		want time.Time
	}{{"1902", date(2019, 12, 31)}, {"1507", date(2023, 12, 31)}, {"5501", date(2024, 1, 1)}, {"0301", date(2024, 1, 1)}} {
		if got, ok := d.LastDay(tt.code); !ok || !got.Equal(tt.want) {
			t.Errorf("LastDay(%s) = %s, %v; want %s", tt.code, got.Format(time.DateOnly), ok, tt.want.Format(time.DateOnly))
		}
	}
	if _, ok := d.LastDay("9999"); ok {
		t.Error("LastDay(9999): a code the lists never had")
	}
}
