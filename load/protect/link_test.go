package protect

import (
	"slices"
	"testing"
)

// shareTable is table for a share: teller and nevner per kommune, summed to
// fylke and land.
func shareTable(indicator string, teller, nevner map[string]int64) []Cell {
	t, n := table(indicator, teller), table(indicator, nevner)
	for i := range t {
		t[i].Nevner, t[i].HasNevner = n[i].Teller, true
	}
	return t
}

// complementIdentities are the settlement identities of the complement
// case: andel_bosatt_12mnd's nevner is bosatte, and bosatte = its teller +
// bosatt_etter_12mnd.
var complementIdentities = Identities{Links: []Link{
	{Total: Term{"bosatte", Teller}, Parts: []Term{{"andel_bosatt_12mnd", Nevner}}},
	{Total: Term{"bosatte", Teller}, Parts: []Term{{"andel_bosatt_12mnd", Teller}, {"bosatt_etter_12mnd", Teller}}},
}}

// complementCells is the simplest leak: at 0111, bosatte = 18 and
// andel_bosatt_12mnd = 16/18 are published while bosatt_etter_12mnd = 2 is
// hidden, but it is 18 − 16.
func complementCells() []Cell {
	bosatte := map[string]int64{"0111": 18, "0112": 40, "0113": 30, "0301": 50, "0302": 60}
	innen := map[string]int64{"0111": 16, "0112": 30, "0113": 20, "0301": 40, "0302": 45}
	etter := map[string]int64{}
	for k, v := range bosatte {
		etter[k] = v - innen[k]
	}
	cells := table("bosatte", bosatte)
	cells = append(cells, shareTable("andel_bosatt_12mnd", innen, bosatte)...)
	return append(cells, table("bosatt_etter_12mnd", etter)...)
}

func TestAuditWithFindsTheComplement(t *testing.T) {
	// Protected the old way, over the hierarchy only.
	cells := complementCells()
	sup := Suppress(cells, nil, Options{})
	if got := regions(Audit(cells, sup, nil)); len(got) != 0 {
		t.Fatalf("the hierarchy alone recovers %v", got)
	}
	got := regions(AuditWith(cells, sup, complementIdentities))
	if !slices.Contains(got, "bosatt_etter_12mnd/0111") {
		t.Fatalf("AuditWith = %v, want bosatt_etter_12mnd/0111 recovered through the complement", got)
	}
}

func TestSuppressWithHidesTheComplement(t *testing.T) {
	cells := complementCells()
	sup := SuppressWith(cells, complementIdentities, Options{})
	if d := AuditWith(cells, sup, complementIdentities); len(d) > 0 {
		t.Fatalf("AuditWith recovers %v after SuppressWith; suppressed %v", regions(d), suppressedRegions(cells, sup))
	}
	got := suppressedRegions(cells, sup)
	if !slices.Contains(got, "bosatt_etter_12mnd/0111") {
		t.Fatalf("primary cell published; suppressed %v", got)
	}
	// The share's nevner is bosatte, published: hiding the share does not
	// force bosatte to be hidden, and national figures never are.
	for _, c := range []string{"bosatte/0111", "bosatte/0"} {
		if slices.Contains(got, c) {
			t.Errorf("%s suppressed; suppressed %v", c, got)
		}
	}
}

func TestAuditWithTiesNevnerToItsCount(t *testing.T) {
	// bosatte at 0111 is 3 (primary); the share over it has nevner 3
	// (primary too). Publishing the share's fylke nevner and the other
	// kommuner's would give the share's nevner, and with it bosatte.
	bosatte := map[string]int64{"0111": 3, "0112": 40, "0113": 30}
	cells := table("bosatte", bosatte)
	cells = append(cells, shareTable("andel_bosatt_6mnd", map[string]int64{"0111": 1, "0112": 20, "0113": 10}, bosatte)...)
	id := Identities{Links: []Link{{Total: Term{"bosatte", Teller}, Parts: []Term{{"andel_bosatt_6mnd", Nevner}}}}}
	sup := make([]bool, len(cells))
	for i, c := range cells {
		sup[i] = Primary(c, Options{})
	}
	// Both hierarchies hide 0111 with one more kommune each, chosen
	// alike, so each on its own passes; the attack must still find
	// nothing, and the share's hidden teller is safe.
	sup = SuppressWith(cells, id, Options{})
	if d := AuditWith(cells, sup, id); len(d) > 0 {
		t.Fatalf("AuditWith recovers %v after SuppressWith", regions(d))
	}
	// An attack that knows the link but faces a publication protected
	// without it: hide bosatte 0111 and 0112 but publish the share's
	// nevner at 0112; then bosatte 0112 is known, and 0111 with it.
	naive := make([]bool, len(cells))
	for i, c := range cells {
		naive[i] = Primary(c, Options{}) || (c.Indicator == "bosatte" && c.Region == "0112")
	}
	if got := regions(AuditWith(cells, naive, id)); !slices.Contains(got, "bosatte/0111") {
		t.Fatalf("AuditWith = %v, want bosatte/0111 recovered through the share's nevner", got)
	}
}

func TestEmptyCellsNeedNoComplement(t *testing.T) {
	// A share over nobody is suppressed (nevner 0 < 10) but discloses no
	// one: it forces no complement.
	cells := shareTable("andel", map[string]int64{"0301": 0, "0302": 20, "0303": 30}, map[string]int64{"0301": 0, "0302": 40, "0303": 50})
	sup := Suppress(cells, nil, Options{})
	if got, want := suppressedRegions(cells, sup), []string{"andel/0301"}; !slices.Equal(got, want) {
		t.Fatalf("suppressed %v, want %v", got, want)
	}
}

func TestSuppressLoosensTightRelations(t *testing.T) {
	// 0301 and 0302 hold 1 person each; the fylke (12) and 0303 (10) are
	// published, so the two hidden kommuner sum to 2 and, each being at
	// least 1 (zeros are published), each is 1. A third kommune of at
	// least 2 must be hidden with them.
	cells := table("bosatte", map[string]int64{"0301": 1, "0302": 1, "0303": 10, "0304": 7, "1101": 40, "1102": 50})
	sup := Suppress(cells, nil, Options{})
	got := suppressedRegions(cells, sup)
	if !slices.Contains(got, "bosatte/0304") {
		t.Fatalf("suppressed %v, want 0304 (the smallest of at least 2) with 0301 and 0302", got)
	}
	var sum, n int64
	for i, c := range cells {
		if sup[i] && c.Level == Kommune && c.Region[:2] == "03" {
			sum += c.Teller
			n++
		}
	}
	if sum == n {
		t.Fatalf("hidden kommuner of 03 sum to their number %d; suppressed %v", n, got)
	}
}
