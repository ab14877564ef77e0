package protect

import (
	"maps"
	"math/big"
	"slices"
	"testing"

	"integstat/internal/intruder"
)

// intruderRanges attacks a protected publication with the independent
// intruder (internal/intruder, which shares no code with this package) and
// returns the range it finds for the teller (count) of every suppressed
// cell, by indicator/region.
func intruderRanges(t *testing.T, cells []Cell, sup []bool) map[string]intruder.Range {
	t.Helper()
	cat := map[string]intruder.Def{}
	var rows []intruder.Row
	for i, c := range cells {
		cat[c.Indicator] = intruder.Def{Source: "test", Kind: intruder.Count, Persons: c.Person, Additive: c.Additive}
		r := intruder.Row{State: "s", Indicator: c.Indicator, Year: c.Year, Level: c.Level, Region: c.Region, Suppressed: sup[i]}
		if !sup[i] {
			r.Teller, r.Verdi = big.NewRat(c.Teller, 1), big.NewRat(c.Teller, 1)
		}
		rows = append(rows, r)
	}
	rs, err := intruder.Attack(rows, cat, intruder.Options{MinOneBelowLand: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]intruder.Range{}
	for _, r := range rs {
		out[r.Cell.Indicator+"/"+r.Cell.Region] = r
	}
	return out
}

// TestAttackReasonsWithIntegers: kommuner 0301 and 0302 hold 1 person
// each and their fylke 03 holds 2, all hidden by the primary rule; land
// and fylke 11 are published, so 03 = land − 11 exactly, and then 0301 +
// 0302 = 2 with each at least 1 (zeros are published): each is 1, which
// no exact linear derivation finds. The attack must report both, with the
// range [1, 1]; after SuppressWith neither the attack nor the independent
// intruder pins any.
func TestAttackReasonsWithIntegers(t *testing.T) {
	cells := table("bosatte", map[string]int64{"0301": 1, "0302": 1, "1101": 20, "1102": 30})
	primary := make([]bool, len(cells))
	for i, c := range cells {
		primary[i] = Primary(c, Options{})
	}
	opt := Options{MinWidth: 1}
	got := map[string]Leak{}
	for _, l := range AttackWith(cells, primary, Identities{}, opt) {
		got[l.Cell.Region] = l
	}
	for _, k := range []string{"0301", "0302"} {
		if l, ok := got[k]; !ok || l.Exact || l.Lo != 1 || l.Hi != 1 {
			t.Errorf("attack on %s = %+v (found %v), want pinned to [1, 1] by integers, not exactly", k, l, ok)
		}
	}
	if l, ok := got["03"]; !ok || !l.Exact || l.Lo != 2 {
		t.Errorf("attack on 03 = %+v (found %v), want exactly 2", l, ok)
	}
	sup := SuppressWith(cells, Identities{}, opt)
	if l := AttackWith(cells, sup, Identities{}, opt); len(l) > 0 {
		t.Fatalf("attack after SuppressWith finds %+v; suppressed %v", l, suppressedRegions(cells, sup))
	}
	for k, r := range intruderRanges(t, cells, sup) {
		if r.Exact() {
			t.Errorf("intruder pins %s to %v; suppressed %v", k, r.Lo, suppressedRegions(cells, sup))
		}
	}
}

// TestAttackBoundsShareTellerByNevner: a share's teller is at most its
// nevner. At 0301 and 0302 the share andel is 6 of 6 and hidden (nevner
// under 10); its nevner is the count b, published (6). The fylke's
// tellers sum to 32 with 0303's 20 published, so the two hidden tellers
// sum to 12: no exact linear derivation, but each is at most 6, so each
// is 6. After SuppressWith neither is pinned.
func TestAttackBoundsShareTellerByNevner(t *testing.T) {
	cells := shareTable("andel", map[string]int64{"0301": 6, "0302": 6, "0303": 20, "1101": 20}, map[string]int64{"0301": 6, "0302": 6, "0303": 40, "1101": 50})
	cells = append(cells, table("b", map[string]int64{"0301": 6, "0302": 6, "0303": 40, "1101": 50})...)
	id := Identities{Links: []Link{{Total: Term{"b", Teller}, Parts: []Term{{"andel", Nevner}}}}}
	opt := Options{MinWidth: 1}
	primary := make([]bool, len(cells))
	for i, c := range cells {
		primary[i] = Primary(c, opt)
	}
	var got []string
	for _, l := range AttackWith(cells, primary, id, opt) {
		if l.Exact || l.Lo != 6 || l.Hi != 6 {
			t.Errorf("attack on %s/%s = %+v, want pinned to [6, 6] by integers only", l.Cell.Indicator, l.Cell.Region, l)
		}
		got = append(got, l.Cell.Indicator+"/"+l.Cell.Region)
	}
	if want := []string{"andel/0301", "andel/0302"}; !slices.Equal(got, want) {
		t.Fatalf("attack = %v, want %v", got, want)
	}
	sup := SuppressWith(cells, id, opt)
	if l := AttackWith(cells, sup, id, opt); len(l) > 0 {
		t.Fatalf("attack after SuppressWith finds %+v; suppressed %v", l, suppressedRegions(cells, sup))
	}
}

// TestMinWidth: kommuner 0301 and 0302 hold 2 persons in each of two
// categories p1 and p2 of t (a 2 × 2 block of hidden 2s). No number is
// exactly derivable, but each lies in [1, 3] (the row and column sums are
// 4, each count at least 1): pinned to within ±1. With the default
// minimum width (3) the attack reports them and SuppressWith hides more
// until the independent intruder's range of every primary cell is at
// least 3 wide; with MinWidth 1 neither happens.
func TestMinWidth(t *testing.T) {
	values := map[string]map[string]int64{"t": {}, "p1": {}, "p2": {}}
	for _, p := range []string{"p1", "p2"} {
		for k, v := range map[string]int64{"0301": 2, "0302": 2, "0303": 10, "0304": 12, "1101": 20, "1102": 25} {
			values[p][k] = v
			values["t"][k] += v
		}
	}
	var cells []Cell
	for _, ind := range []string{"t", "p1", "p2"} {
		cells = append(cells, table(ind, values[ind])...)
	}
	id := Identities{Groups: []Group{{Total: "t", Parts: []string{"p1", "p2"}}}}
	narrow := SuppressWith(cells, id, Options{MinWidth: 1})
	if l := AttackWith(cells, narrow, id, Options{MinWidth: 1}); len(l) > 0 {
		t.Fatalf("exact attack finds %+v after SuppressWith", l)
	}
	leaks := AttackWith(cells, narrow, id, Options{})
	if len(leaks) == 0 {
		t.Fatalf("default attack finds nothing narrower than %d; suppressed %v", DefaultMinWidth, suppressedRegions(cells, narrow))
	}
	for _, l := range leaks {
		if l.Hi-l.Lo >= DefaultMinWidth || l.Lo > l.Cell.Teller || l.Hi < l.Cell.Teller {
			t.Errorf("leak %s/%s in [%d, %d] (true %d): not narrow, or not holding the truth", l.Cell.Indicator, l.Cell.Region, l.Lo, l.Hi, l.Cell.Teller)
		}
	}
	sup := SuppressWith(cells, id, Options{})
	if l := AttackWith(cells, sup, id, Options{}); len(l) > 0 {
		t.Fatalf("attack finds %+v after SuppressWith", l)
	}
	ranges := intruderRanges(t, cells, sup)
	for _, c := range cells {
		if !Primary(c, Options{}) {
			continue
		}
		r := ranges[c.Indicator+"/"+c.Region]
		if w := r.Width(); w != nil && w.Cmp(big.NewRat(DefaultMinWidth, 1)) < 0 {
			t.Errorf("intruder narrows primary %s/%s to [%v, %v]; suppressed %v", c.Indicator, c.Region, r.Lo, r.Hi, suppressedRegions(cells, sup))
		}
	}
	if n, m := len(suppressedRegions(cells, sup)), len(suppressedRegions(cells, narrow)); n <= m {
		t.Errorf("default suppresses %d cells, MinWidth 1 %d: want more", n, m)
	}
}

// TestInherentLeaksAreNotPursued: two persons in the nation, one in 0301
// and one in 1101, every other kommune 0. Zeros being published, each
// hidden 1 is pinned whatever else is hidden; hiding zeros would only
// break the promise that zeros are shown, so SuppressWith hides no zero,
// and the attack still reports the two (the caller's attack sets them
// apart as unavoidable).
func TestInherentLeaksAreNotPursued(t *testing.T) {
	cells := table("bosatte", map[string]int64{"0301": 1, "0302": 0, "0303": 0, "1101": 1, "1102": 0})
	sup := SuppressWith(cells, Identities{}, Options{})
	for i, c := range cells {
		if sup[i] && c.Teller == 0 {
			t.Errorf("zero %s suppressed", c.Region)
		}
	}
	got := regions(AuditWith(cells, sup, Identities{}))
	for _, k := range []string{"bosatte/0301", "bosatte/1101"} {
		if !slices.Contains(got, k) {
			t.Errorf("attack = %v, want %s pinned", got, k)
		}
	}
	for _, l := range AttackWith(cells, sup, Identities{}, Options{}) {
		if !l.Inherent {
			t.Errorf("%s/%s left open by SuppressWith but not marked inherent: %+v", l.Cell.Indicator, l.Cell.Region, l)
		}
	}
}

// TestLeakInherent: AttackWith marks a leak inherent by the rule
// SuppressWith leaves leaks open by: the cell holds every person of the
// nation, or its range is no narrower than when every non-empty cell below
// land is hidden. A cell that leaks then too, but leaks more under the
// suppression attacked, is not inherent: more hiding would widen it.
func TestLeakInherent(t *testing.T) {
	for _, tc := range []struct {
		name     string
		kommuner map[string]int64
		hidden   []string          // regions suppressed
		want     map[string]string // region: "inherent" or "open", every leak
	}{
		{"one person in the nation", map[string]int64{"0301": 1, "1101": 0},
			[]string{"0301", "03"}, map[string]string{"0301": "inherent", "03": "inherent"}},
		{"two persons in two kommuner, zeros shown", map[string]int64{"0301": 1, "0302": 0, "1101": 1, "1102": 0},
			[]string{"0301", "03", "1101", "11"}, map[string]string{"0301": "inherent", "03": "inherent", "1101": "inherent", "11": "inherent"}},
		// Three persons in two fylker: with everything hidden each cell
		// ranges over [1, 2], narrower than the minimum width, and no
		// hiding can widen it.
		{"three persons, everything hidden", map[string]int64{"0301": 1, "1101": 2},
			[]string{"0301", "03", "1101", "11"}, map[string]string{"0301": "inherent", "03": "inherent", "1101": "inherent", "11": "inherent"}},
		// The same with the fylker shown: each kommune is its fylke,
		// exact, narrower than [1, 2]; hiding the fylker would widen it.
		{"three persons, fylker shown", map[string]int64{"0301": 1, "1101": 2},
			[]string{"0301", "1101"}, map[string]string{"0301": "open", "1101": "open"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cells := table("bosatte", tc.kommuner)
			sup := make([]bool, len(cells))
			for i, c := range cells {
				sup[i] = slices.Contains(tc.hidden, c.Region)
			}
			got := map[string]string{}
			for _, l := range AttackWith(cells, sup, Identities{}, Options{}) {
				got[l.Cell.Region] = map[bool]string{true: "inherent", false: "open"}[l.Inherent]
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("leaks %v, want %v", got, tc.want)
			}
		})
	}
}
