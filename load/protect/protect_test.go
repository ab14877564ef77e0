package protect

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestPrimary(t *testing.T) {
	count := func(level string, n int64) Cell {
		return Cell{Indicator: "bosatte", Level: level, Region: "0301", Teller: n, Person: true, Additive: true}
	}
	share := func(level string, teller, nevner int64) Cell {
		return Cell{Indicator: "andel_arbeid", Level: level, Region: "0301", Teller: teller, Nevner: nevner, HasNevner: true, Person: true}
	}
	admin := Cell{Indicator: "anmodet", Level: Kommune, Region: "0301", Teller: 2, Additive: true}
	tests := []struct {
		name string
		cell Cell
		opt  Options
		want bool
	}{
		{"zero count published", count(Kommune, 0), Options{}, false},
		{"count 1 suppressed", count(Kommune, 1), Options{}, true},
		{"count 4 suppressed at default threshold", count(Fylke, 4), Options{}, true},
		{"count 5 published at default threshold", count(Kommune, 5), Options{}, false},
		{"count 5 suppressed at threshold 6", count(Kommune, 5), Options{Threshold: 6}, true},
		{"count 3 published at threshold 2", count(Kommune, 3), Options{Threshold: 2}, false},
		{"national count never suppressed", count(Land, 1), Options{}, false},
		{"share over 9 suppressed", share(Kommune, 9, 9), Options{}, true},
		{"share over 10 published", share(Kommune, 1, 10), Options{}, false},
		{"share over 19 suppressed at minimum 20", share(Fylke, 10, 19), Options{MinDenominator: 20}, true},
		{"national share never suppressed", share(Land, 1, 2), Options{}, false},
		{"administrative count untouched", admin, Options{}, false},
		{"count of kommuner untouched", Cell{Indicator: "kommuner_bosatt", Level: Fylke, Region: "03", Teller: 1}, Options{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Primary(tt.cell, tt.opt); got != tt.want {
				t.Errorf("Primary = %v, want %v", got, tt.want)
			}
			// Suppress applies the primary rule to a cell in no relation.
			if got := Suppress([]Cell{tt.cell}, nil, tt.opt)[0]; got != tt.want {
				t.Errorf("Suppress = %v, want %v", got, tt.want)
			}
		})
	}
}

// table builds the additive cells of one indicator from kommune counts keyed
// by kommune code: the kommuner, their fylker and land.
func table(indicator string, kommuner map[string]int64) []Cell {
	var cells []Cell
	fylker := map[string]int64{}
	var land int64
	for _, k := range slices.Sorted(mapsKeys(kommuner)) {
		cells = append(cells, Cell{Indicator: indicator, Year: 2024, Level: Kommune, Region: k, Teller: kommuner[k], Person: true, Additive: true})
		fylker[k[:2]] += kommuner[k]
		land += kommuner[k]
	}
	for _, f := range slices.Sorted(mapsKeys(fylker)) {
		cells = append(cells, Cell{Indicator: indicator, Year: 2024, Level: Fylke, Region: f, Teller: fylker[f], Person: true, Additive: true})
	}
	return append(cells, Cell{Indicator: indicator, Year: 2024, Level: Land, Region: "0", Teller: land, Person: true, Additive: true})
}

func mapsKeys(m map[string]int64) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func suppressedRegions(cells []Cell, sup []bool) []string {
	var out []string
	for i, s := range sup {
		if s {
			out = append(out, cells[i].Indicator+"/"+cells[i].Region)
		}
	}
	slices.Sort(out)
	return out
}

func TestSuppressSecondary(t *testing.T) {
	tests := []struct {
		name   string
		cells  []Cell
		groups []Group
		want   []string
	}{
		{
			name: "smallest non-zero kommune, tie by region code, zero skipped",
			cells: table("bosatte", map[string]int64{
				"0301": 2, "0302": 0, "0303": 7, "0304": 5, "0305": 5,
				"1101": 30, "1102": 40,
			}),
			want: []string{"bosatte/0301", "bosatte/0304"},
		},
		{
			name: "suppressed fylke forces a second fylke and a kommune in it",
			cells: table("bosatte", map[string]int64{
				"0301": 3,
				"1101": 20, "1102": 30,
				"1501": 40, "1502": 50,
			}),
			want: []string{"bosatte/03", "bosatte/0301", "bosatte/11", "bosatte/1101"},
		},
		{
			name: "category group at one kommune",
			cells: []Cell{
				{Indicator: "bosatte_em", Year: 2024, Level: Kommune, Region: "0301", Teller: 10, Person: true},
				{Indicator: "bosatte_em_over15", Year: 2024, Level: Kommune, Region: "0301", Teller: 3, Person: true},
				{Indicator: "bosatte_em_under15", Year: 2024, Level: Kommune, Region: "0301", Teller: 7, Person: true},
			},
			groups: []Group{{Total: "bosatte_em", Parts: []string{"bosatte_em_over15", "bosatte_em_under15"}}},
			want:   []string{"bosatte_em_over15/0301", "bosatte_em_under15/0301"},
		},
		{
			name: "non-additive indicator gets no secondary suppression",
			cells: func() []Cell {
				cells := table("snitt_alder", map[string]int64{"0301": 2, "0302": 30, "1101": 40})
				for i := range cells {
					cells[i].Additive = false
				}
				return cells
			}(),
			want: []string{"snitt_alder/0301"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sup := Suppress(tt.cells, tt.groups, Options{})
			if got := suppressedRegions(tt.cells, sup); !slices.Equal(got, tt.want) {
				t.Errorf("suppressed %v, want %v", got, tt.want)
			}
			if d := Audit(tt.cells, sup, tt.groups); len(d) > 0 {
				t.Errorf("Audit recovers %d cells", len(d))
			}
		})
	}
}

func TestSuppressFallsBackToTotalWhenOnlyZerosRemain(t *testing.T) {
	// At kommune 0301, t_a (3) is primary and t_b (50) its complement in the
	// group t = t_a + t_b + t_c. In fylke 03 the other kommune has t_b = 0,
	// so the published zero cannot hide t_b/0301: the fylke t_b/03 (50, not
	// small itself) must be suppressed, and a second fylke with it.
	var cells []Cell
	for _, ind := range []struct {
		name   string
		values map[string]int64
	}{
		{"t", map[string]int64{"0301": 53, "0302": 60, "1101": 70, "1102": 80}},
		{"t_a", map[string]int64{"0301": 3, "0302": 30, "1101": 35, "1102": 40}},
		{"t_b", map[string]int64{"0301": 50, "0302": 0, "1101": 35, "1102": 40}},
		{"t_c", map[string]int64{"0301": 0, "0302": 30, "1101": 0, "1102": 0}},
	} {
		cells = append(cells, table(ind.name, ind.values)...)
	}
	groups := []Group{{Total: "t", Parts: []string{"t_a", "t_b", "t_c"}}}
	sup := Suppress(cells, groups, Options{})
	got := suppressedRegions(cells, sup)
	for _, want := range []string{"t_a/0301", "t_b/0301", "t_b/03", "t_b/11"} {
		if !slices.Contains(got, want) {
			t.Errorf("%s published; suppressed %v", want, got)
		}
	}
	// t_c is 0 everywhere but 0302: its national 30 gives away t_c/0302
	// and t_c/03, whatever is hidden, and Suppress does not try.
	if d := regions(Audit(cells, sup, groups)); !slices.Equal(d, []string{"t_c/03", "t_c/0302"}) {
		t.Errorf("Audit recovers %v, want only the national t_c/03 and t_c/0302; suppressed %v", d, got)
	}
}

func TestAuditFindsFylkeFromItsKommuner(t *testing.T) {
	cells := table("bosatte", map[string]int64{
		"0301": 10, "0302": 20,
		"1101": 30, "1102": 40,
	})
	sup := make([]bool, len(cells))
	for i, c := range cells {
		// Two fylker suppressed hide each other from land, but fylke 03 is
		// the sum of its published kommuner (and then 11 is land minus 03).
		sup[i] = c.Level == Fylke
	}
	got := regions(Audit(cells, sup, nil))
	if want := []string{"bosatte/03", "bosatte/11"}; !slices.Equal(got, want) {
		t.Errorf("Audit = %v, want %v", got, want)
	}
}

// regions names every cell of cells, sorted.
func regions(cells []Cell) []string {
	all := make([]bool, len(cells))
	for i := range all {
		all[i] = true
	}
	return suppressedRegions(cells, all)
}

// randomYear builds a random publication for one year: a family of
// additive indicators t = t_a + t_b + t_c over a hierarchy of fylker with 2–20
// kommuner each, with many counts from 1 to 4 and many zeros, and an additive
// share indicator over the same hierarchy.
func randomYear(r *rand.Rand, fylker int) ([]Cell, []Group) {
	count := func() int64 {
		switch r.IntN(10) {
		case 0, 1, 2:
			return 0
		case 3, 4, 5, 6:
			return 1 + r.Int64N(4)
		default:
			return 5 + r.Int64N(200)
		}
	}
	parts := []string{"t_a", "t_b", "t_c"}
	group := Group{Total: "t", Parts: parts}
	type sums struct{ teller, nevner int64 }
	totals := map[string]map[[2]string]sums{} // indicator -> (level, region) -> sums
	add := func(ind, level, region string, teller, nevner int64) {
		if totals[ind] == nil {
			totals[ind] = map[[2]string]sums{}
		}
		s := totals[ind][[2]string{level, region}]
		totals[ind][[2]string{level, region}] = sums{s.teller + teller, s.nevner + nevner}
	}
	var cells []Cell
	for f := range fylker {
		fylke := fmt.Sprintf("%02d", 10+f)
		for k := range 2 + r.IntN(19) {
			kommune := fmt.Sprintf("%s%02d", fylke, k+1)
			var total int64
			for _, p := range parts {
				v := count()
				total += v
				for _, at := range [][2]string{{Kommune, kommune}, {Fylke, fylke}, {Land, "0"}} {
					add(p, at[0], at[1], v, 0)
				}
			}
			for _, at := range [][2]string{{Kommune, kommune}, {Fylke, fylke}, {Land, "0"}} {
				add("t", at[0], at[1], total, 0)
			}
			nevner := count() + r.Int64N(20)
			teller := r.Int64N(nevner + 1)
			for _, at := range [][2]string{{Kommune, kommune}, {Fylke, fylke}, {Land, "0"}} {
				add("andel", at[0], at[1], teller, nevner)
			}
		}
	}
	for _, ind := range slices.Sorted(func(yield func(string) bool) {
		for k := range totals {
			if !yield(k) {
				return
			}
		}
	}) {
		for at, s := range totals[ind] {
			cells = append(cells, Cell{
				Indicator: ind, Year: 2024, Level: at[0], Region: at[1],
				Teller: s.teller, Nevner: s.nevner, HasNevner: ind == "andel",
				Person: true, Additive: true,
			})
		}
	}
	r.Shuffle(len(cells), func(i, j int) { cells[i], cells[j] = cells[j], cells[i] })
	return cells, []Group{group}
}

func TestSuppressRandomHierarchiesResistAttack(t *testing.T) {
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 2026))
		cells, groups := randomYear(r, 2+r.IntN(6))
		opt := Options{Threshold: 2 + r.IntN(4)}
		sup := Suppress(cells, groups, opt)
		for i, c := range cells {
			if Primary(c, opt) && !sup[i] {
				t.Fatalf("seed %d: primary cell %s/%s/%s published", seed, c.Indicator, c.Level, c.Region)
			}
			if c.Level == Land && sup[i] {
				t.Fatalf("seed %d: national cell %s suppressed", seed, c.Indicator)
			}
		}
		for _, rel := range relations(cells, Identities{Groups: groups}) {
			if rel.exposes(cells, sup) {
				t.Fatalf("seed %d: relation with total %s/%s has one suppressed member, not empty", seed, cells[rel.total].Indicator, cells[rel.total].Region)
			}
		}
		if d := Audit(cells, sup, groups); len(d) > 0 {
			t.Fatalf("seed %d: attack recovers %d of the suppressed cells, first %s/%s/%s",
				seed, len(d), d[0].Indicator, d[0].Level, d[0].Region)
		}
		// Suppress is deterministic whatever the order of the cells.
		perm := r.Perm(len(cells))
		shuffled := make([]Cell, len(cells))
		for i, p := range perm {
			shuffled[i] = cells[p]
		}
		sup2 := Suppress(shuffled, groups, opt)
		for i, p := range perm {
			if sup2[i] != sup[p] {
				t.Fatalf("seed %d: suppression depends on the order of the cells", seed)
			}
		}
	}
}

// TestAuditRecoversPrimaryOnly checks that the attack can fail a publication:
// with primary suppression alone it recovers suppressed cells, and what it
// recovers is their true value.
func TestAuditRecoversPrimaryOnly(t *testing.T) {
	recovered := 0
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		cells, groups := randomYear(r, 2+r.IntN(6))
		sup := make([]bool, len(cells))
		for i, c := range cells {
			sup[i] = Primary(c, Options{})
		}
		for _, d := range derivable(cells, sup, relations(cells, Identities{Groups: groups}), nil, Options{}) {
			c := cells[d.cell]
			if !sup[d.cell] {
				t.Fatalf("seed %d: published cell reported", seed)
			}
			if d.teller == nil {
				// Only narrowed: the range must hold the true value.
				if d.lo > c.Teller || d.hi < c.Teller {
					t.Fatalf("seed %d: %s/%s narrowed to [%d, %d], true %d", seed, c.Indicator, c.Region,
						d.lo, d.hi, c.Teller)
				}
				continue
			}
			if d.teller.Cmp(big.NewRat(c.Teller, 1)) != 0 || d.nevner.Cmp(big.NewRat(c.Nevner, 1)) != 0 {
				t.Fatalf("seed %d: %s/%s recovered as %s/%s, true %d/%d", seed, c.Indicator, c.Region,
					d.teller.RatString(), d.nevner.RatString(), c.Teller, c.Nevner)
			}
			recovered++
		}
	}
	if recovered == 0 {
		t.Fatal("attack recovered nothing from primary suppression alone")
	}
}

func BenchmarkSuppress(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	cells, groups := randomYear(r, 15)
	b.ReportMetric(float64(len(cells)), "cells")
	for b.Loop() {
		Suppress(cells, groups, Options{})
	}
}

// BenchmarkAttack measures AttackWith on the year of BenchmarkSuppress
// with primary suppression only, so that cells leak and the attack also
// decides which leaks are inherent (the attack with everything non-empty
// below land hidden).
func BenchmarkAttack(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	cells, groups := randomYear(r, 15)
	primary := make([]bool, len(cells))
	for i, c := range cells {
		primary[i] = Primary(c, Options{})
	}
	id := Identities{Groups: groups}
	var leaks []Leak
	for b.Loop() {
		leaks = AttackWith(cells, primary, id, Options{})
	}
	b.ReportMetric(float64(len(leaks)), "leaks")
}

// TestSuppressBeyondTheGroupRule covers a pattern where every relation
// already has zero or at least two suppressed members and yet one cell is
// derivable: in the table of kommuner by category, two closed blocks of
// small cells joined by one small cell (a bridge). The attack must find the
// bridge, and Suppress must go on until it cannot.
func TestSuppressBeyondTheGroupRule(t *testing.T) {
	parts := []string{"p1", "p2", "p3", "p4"}
	small := map[[2]string]int64{
		{"0301", "p1"}: 2, {"0301", "p2"}: 2, {"0302", "p1"}: 2, {"0302", "p2"}: 2,
		{"0303", "p3"}: 2, {"0303", "p4"}: 2, {"0304", "p3"}: 2, {"0304", "p4"}: 2,
		{"0301", "p3"}: 3, // the bridge
	}
	values := map[string]map[string]int64{"t": {}}
	for _, p := range parts {
		values[p] = map[string]int64{}
		for _, k := range []string{"0301", "0302", "0303", "0304", "1101"} {
			v, ok := small[[2]string{k, p}]
			if !ok {
				v = 10
			}
			values[p][k] = v
			values["t"][k] += v
		}
	}
	var cells []Cell
	for _, ind := range []string{"t", "p1", "p2", "p3", "p4"} {
		cells = append(cells, table(ind, values[ind])...)
	}
	groups := []Group{{Total: "t", Parts: parts}}
	primary := make([]bool, len(cells))
	for i, c := range cells {
		primary[i] = Primary(c, Options{})
	}
	for _, rel := range relations(cells, Identities{Groups: groups}) {
		if rel.suppressedCount(primary) == 1 {
			t.Fatalf("fixture: relation with total %s/%s has one suppressed member", cells[rel.total].Indicator, cells[rel.total].Region)
		}
	}
	// Exact recovery only (MinWidth 1): the blocks of 2s each range over
	// [1, 3], narrower than the default minimum but not a single value.
	var got []string
	for _, l := range AttackWith(cells, primary, Identities{Groups: groups}, Options{MinWidth: 1}) {
		got = append(got, l.Cell.Indicator+"/"+l.Cell.Region)
	}
	if want := []string{"p3/0301"}; !slices.Equal(got, want) {
		t.Fatalf("attack on primary suppression = %v, want %v", got, want)
	}
	sup := Suppress(cells, groups, Options{})
	if d := Audit(cells, sup, groups); len(d) > 0 {
		t.Errorf("Audit recovers %d cells after Suppress", len(d))
	}
	if n, m := len(suppressedRegions(cells, sup)), len(small); n <= m {
		t.Errorf("Suppress suppressed %d cells, want more than the %d primary ones", n, m)
	}
}
