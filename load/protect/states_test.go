package protect

import (
	"slices"
	"testing"
)

// carry marks the cells of a later state whose numbers equal those of the
// same cell in an earlier state with the earlier decision, as the mart
// builder does.
func carry(earlier []Cell, supEarlier []bool, later []Cell) []Cell {
	out := slices.Clone(later)
	for i, c := range out {
		for j, e := range earlier {
			if e.Indicator == c.Indicator && e.Year == c.Year && e.Level == c.Level && e.Region == c.Region &&
				e.Teller == c.Teller && e.Nevner == c.Nevner {
				out[i].Hidden, out[i].Shown = supEarlier[j], !supEarlier[j]
			}
		}
	}
	return out
}

// acrossStates attacks state a with what state b shows: a cell hidden in
// a whose numbers b shows unchanged is known to the reader of both.
func acrossStates(a []Cell, supA []bool, b []Cell, supB []bool) []bool {
	known := slices.Clone(supA)
	for i, c := range a {
		for j, o := range b {
			if supA[i] && !supB[j] && o.Indicator == c.Indicator && o.Year == c.Year && o.Level == c.Level &&
				o.Region == c.Region && o.Teller == c.Teller && o.Nevner == c.Nevner {
				known[i] = false
			}
		}
	}
	return known
}

// TestStatesAgree: in state 1, kommune 0301 holds 2 persons (hidden) and
// 0302, the smallest other kommune of fylke 03, is hidden with it. In
// state 2, 0303 falls to 3 and is hidden; 0301 and 0302 are unchanged.
// Protected state by state, state 2 needs no second complement and shows
// 0302, which gives 0301 of state 1 away (fylke 03 minus the others).
// With the decisions of state 1 carried, every unchanged cell is hidden in
// both states or shown in both, and neither state leaks with what the
// other shows.
func TestStatesAgree(t *testing.T) {
	state1 := table("bosatte", map[string]int64{"0301": 2, "0302": 6, "0303": 7, "0304": 30, "1101": 20, "1102": 25})
	state2 := table("bosatte", map[string]int64{"0301": 2, "0302": 6, "0303": 3, "0304": 30, "1101": 20, "1102": 25})
	opt := Options{}
	sup1 := SuppressWith(state1, Identities{}, opt)
	if got := suppressedRegions(state1, sup1); !slices.Contains(got, "bosatte/0302") {
		t.Fatalf("fixture: state 1 suppresses %v, want 0302 as the complement", got)
	}

	// State by state: the leak the carried decisions close.
	alone := SuppressWith(state2, Identities{}, opt)
	if l := AttackWith(state1, acrossStates(state1, sup1, state2, alone), Identities{}, opt); len(l) == 0 {
		t.Fatalf("fixture: state 2 protected alone (%v) gives nothing of state 1 away", suppressedRegions(state2, alone))
	}

	carried := carry(state1, sup1, state2)
	sup2 := SuppressWith(carried, Identities{}, opt)
	for i, c := range state2 {
		for j, e := range state1 {
			if e == c && sup1[j] != sup2[i] {
				t.Errorf("%s/%s unchanged, suppressed %v in state 1 and %v in state 2", c.Indicator, c.Region, sup1[j], sup2[i])
			}
		}
	}
	if l := AttackWith(state1, acrossStates(state1, sup1, state2, sup2), Identities{}, opt); len(l) > 0 {
		t.Errorf("state 1 leaks %+v with what state 2 shows", l)
	}
	if l := AttackWith(state2, acrossStates(state2, sup2, state1, sup1), Identities{}, opt); len(l) > 0 {
		t.Errorf("state 2 leaks %+v with what state 1 shows", l)
	}
}

// TestShownIsLastResort: a cell an earlier state showed unchanged (Shown)
// is a complement only when no other cell can protect, and a Shown zero
// never is; whatever is chosen, nothing leaks in the state itself.
func TestShownIsLastResort(t *testing.T) {
	for _, c := range []struct {
		name     string
		kommuner map[string]int64
		shown    []string // regions marked Shown
		want     []string // regions that must be suppressed
		never    []string // regions that must stay shown
	}{
		{"a larger cell that changed is chosen over a smaller Shown one",
			map[string]int64{"0301": 2, "0302": 6, "0303": 7, "0304": 30, "1101": 20, "1102": 25},
			[]string{"0302"}, []string{"0301", "0303"}, []string{"0302"}},
		{"every other part Shown: one of them, not the primary alone",
			map[string]int64{"0301": 2, "0302": 6, "0303": 7, "1101": 20, "1102": 25},
			[]string{"0302", "0303", "1101", "1102", "11"}, []string{"0301"}, nil},
		{"Shown zeros are never hidden",
			map[string]int64{"0301": 2, "0302": 0, "0303": 0, "1101": 20, "1102": 25},
			[]string{"0302", "0303"}, []string{"0301"}, []string{"0302", "0303"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cells := table("bosatte", c.kommuner)
			for i := range cells {
				cells[i].Shown = slices.Contains(c.shown, cells[i].Region)
			}
			sup := SuppressWith(cells, Identities{}, Options{})
			got := suppressedRegions(cells, sup)
			for _, r := range c.want {
				if !slices.Contains(got, "bosatte/"+r) {
					t.Errorf("%s shown; suppressed %v", r, got)
				}
			}
			for _, r := range c.never {
				if slices.Contains(got, "bosatte/"+r) {
					t.Errorf("%s suppressed; suppressed %v", r, got)
				}
			}
			if l := AttackWith(cells, sup, Identities{}, Options{}); len(l) > 0 {
				t.Errorf("leaks %+v; suppressed %v", l, got)
			}
			if len(got) < 2 {
				t.Errorf("suppressed %v: a primary cell needs a complement", got)
			}
		})
	}
}
