// Package intruder attacks a publication the way a reader who holds only
// publisert.duckdb and the definitions of shared/spec/indicators.md would:
// every published number (verdi, teller and nevner of every row, in every
// data state) goes into one linear model whose equations are the
// identities that hold by definition (the regional hierarchy of additive
// indicators, categories summing to their total, a share's teller and
// nevner being counts published elsewhere, a mean's total being additive),
// solved exactly over math/big.Rat, and then narrowed with integer
// reasoning (counts are whole and non-negative; a share's teller is at
// most its nevner; where zeros are published, a suppressed count of
// persons below national level is at least 1).
//
// It is written from the definitions alone and shares no code with the
// suppression it attacks (package protect), so that a mistake in one is
// not repeated in the other.
package intruder

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
)

// Kind is an indicator's type as the catalogue publishes it.
type Kind string

const (
	Count Kind = "antall"
	Share Kind = "andel"
	Mean  Kind = "snitt"
)

// Def is what a reader knows about an indicator from the published
// catalogue.
type Def struct {
	Source   string
	Kind     Kind
	Persons  bool // about persons: protected persons count in the nation only
	Additive bool // kommuner sum to their fylke, fylker to the nation
}

// Row is one published row. A suppressed row has no numbers.
type Row struct {
	State      string // the data state (data_per) the row belongs to
	Indicator  string
	Year       int
	Level      string // land, fylke or kommune
	Region     string
	Suppressed bool
	Verdi      *big.Rat
	Teller     *big.Rat
	Nevner     *big.Rat
	// SumOf, for a row of indikator_dagens_inndeling (Level "dagens"),
	// are the kommune codes of the same state and year whose figures it
	// sums (its published koder).
	SumOf []string
}

// Part names one number of a row: the count (C), a share's teller (T) or
// nevner (N), or a mean's total (S, its nevner × mean × 30.4375 days).
type Part byte

const (
	C Part = 'C'
	T Part = 'T'
	N Part = 'N'
	S Part = 'S'
)

// Cell identifies one number of the model.
type Cell struct {
	State     string
	Indicator string
	Year      int
	Level     string
	Region    string
	Part      Part
}

func (c Cell) String() string {
	return fmt.Sprintf("%s %d %s %s %c (state %s)", c.Indicator, c.Year, c.Level, c.Region, c.Part, c.State)
}

// Range is what the attack learns about one suppressed number: it lies in
// [Lo, Hi] (Hi nil: unbounded). Exact when Lo = Hi.
type Range struct {
	Cell   Cell
	Lo, Hi *big.Rat
}

// Exact reports whether the attack recovers the number.
func (r Range) Exact() bool { return r.Hi != nil && r.Lo.Cmp(r.Hi) == 0 }

// Width is Hi − Lo, or nil when unbounded.
func (r Range) Width() *big.Rat {
	if r.Hi == nil {
		return nil
	}
	return new(big.Rat).Sub(r.Hi, r.Lo)
}

// daysPerMonth turns a mean in months into a total of days (indicators.md:
// months = days / 30.4375).
var daysPerMonth = big.NewRat(304375, 10000)

// identity is one equation by definition between numbers of the same
// state, year and region: Σ coef × cell = 0. Slack, when set, adds an
// unknown non-negative number (the protected persons, at national level).
type term struct {
	ind  string
	part Part
	coef int64
}

// sameRegion lists the identities of indicators.md between indicators at
// one region. "land" adds a slack: protected persons count in the nation
// only, so there a total may exceed the sum of its categories.
var sameRegion = []struct {
	terms      []term
	slackAtTop bool
}{
	// Settlement: a share's and a mean's nevner are the persons counted.
	{terms: []term{{"andel_bosatt_6mnd", N, 1}, {"bosatte", C, -1}}},
	{terms: []term{{"andel_bosatt_12mnd", N, 1}, {"bosatte", C, -1}}},
	{terms: []term{{"ventetid_mnd", N, 1}, {"bosatte", C, -1}}},
	{terms: []term{{"andel_em_bosatt_3mnd", N, 1}, {"bosatte_em", C, -1}}},
	{terms: []term{{"ventetid_mnd_em", N, 1}, {"bosatte_em", C, -1}}},
	{terms: []term{{"ventetid_mnd_barnefamilier", N, 1}, {"barnefamilier_personer", C, -1}}},
	// Settled within 12 months, or after: the complement.
	{terms: []term{{"andel_bosatt_12mnd", T, 1}, {"bosatt_etter_12mnd", C, 1}, {"bosatte", C, -1}}},
	// Categories.
	{terms: []term{{"bosatte_em_over15", C, 1}, {"bosatte_em_under15", C, 1}, {"bosatte_em", C, -1}}},
	{terms: []term{{"barnefamilier_personer", C, 1}, {"bosatte_em", C, 1}, {"bosatte_andre_voksne", C, 1}, {"bosatte", C, -1}}, slackAtTop: true},
	// NIR: the participants, the completed and the cohort.
	{terms: []term{{"andel_intro_utvidet", N, 1}, {"intro_deltakere", C, -1}}},
	{terms: []term{{"andel_intro_grunnskole", N, 1}, {"intro_deltakere", C, -1}}},
	{terms: []term{{"andel_intro_vgs", N, 1}, {"intro_deltakere", C, -1}}},
	{terms: []term{{"andel_intro_direkte_arbeid_utdanning", N, 1}, {"intro_avsluttet", C, -1}}},
	{terms: []term{{"andel_norsk_start_3mnd", N, 1}, {"norsk_rp_kohort", C, -1}}},
	{terms: []term{{"andel_norsk_start_6mnd", N, 1}, {"norsk_rp_kohort", C, -1}}},
	// Interpreters.
	{terms: []term{{"andel_tolker_kat1_3", T, 1}, {"tolker_kat1_3", C, -1}}},
	{terms: []term{{"andel_tolker_kat1_3", N, 1}, {"tolker", C, -1}}},
	{terms: []term{{"andel_tolker_kvinner", N, 1}, {"tolker", C, -1}}},
}

// parts lists the numbers of a row of an indicator of kind k.
func parts(k Kind) []Part {
	switch k {
	case Share:
		return []Part{T, N}
	case Mean:
		return []Part{N, S}
	}
	return []Part{C}
}

// Options tunes the attacker's knowledge.
type Options struct {
	// MinOneBelowLand: a suppressed count of persons below national level
	// is at least 1 (zeros are published, so one would not be hidden).
	MinOneBelowLand bool
}

// Attack runs the attack on the published rows and returns, for every
// suppressed number, what it learns, ordered by cell.
func Attack(rows []Row, cat map[string]Def, opt Options) ([]Range, error) {
	m := newModel()
	byKey := map[Cell]bool{}
	// A number published in one table and suppressed in another is known.
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b Row) int {
		if a.Suppressed == b.Suppressed {
			return 0
		}
		if a.Suppressed {
			return 1
		}
		return -1
	})
	for _, r := range rows {
		d, ok := cat[r.Indicator]
		if !ok {
			return nil, fmt.Errorf("intruder: indicator %s is not in the catalogue", r.Indicator)
		}
		for _, p := range parts(d.Kind) {
			c := Cell{r.State, r.Indicator, r.Year, r.Level, r.Region, p}
			if byKey[c] {
				continue
			}
			byKey[c] = true
			if r.Suppressed {
				lo := new(big.Rat)
				if opt.MinOneBelowLand && d.Persons && r.Level != "land" && (p == C || p == N) {
					lo.SetInt64(1)
				}
				m.unknown(c, lo)
				continue
			}
			v, err := value(r, d.Kind, p)
			if err != nil {
				return nil, err
			}
			m.known(c, v)
		}
	}
	// Shares: the teller is at most the nevner.
	for c := range byKey {
		if c.Part == T {
			n := c
			n.Part = N
			m.leq(c, n)
		}
	}
	m.hierarchy(byKey, cat)
	m.identities(byKey, cat)
	m.sums(rows, byKey)
	return m.solve()
}

// value is the number p of a published row.
func value(r Row, k Kind, p Part) (*big.Rat, error) {
	var v *big.Rat
	switch {
	case k == Count:
		v = r.Teller
		if v == nil {
			v = r.Verdi
		}
	case p == T:
		v = r.Teller
	case p == N:
		v = r.Nevner
	case p == S && r.Verdi != nil && r.Nevner != nil:
		// The total of whole days: round away the float of the mean.
		x := new(big.Rat).Mul(r.Verdi, r.Nevner)
		x.Mul(x, daysPerMonth)
		f, _ := x.Float64()
		v = new(big.Rat).SetInt64(int64(f + 0.5))
	}
	if v == nil {
		return nil, fmt.Errorf("intruder: %s %d %s %s: published without its %c", r.Indicator, r.Year, r.Level, r.Region, p)
	}
	return v, nil
}

// hierarchy adds, for additive indicators, kommuner summing to their fylke
// (the first two digits of a kommune's code) and fylker to the nation;
// for indicators about persons the nation may exceed the sum by the
// protected persons.
func (m *model) hierarchy(cells map[Cell]bool, cat map[string]Def) {
	children := map[Cell][]Cell{}
	for c := range cells {
		if !cat[c.Indicator].Additive {
			continue
		}
		var parent Cell
		switch c.Level {
		case "kommune":
			parent = Cell{c.State, c.Indicator, c.Year, "fylke", c.Region[:2], c.Part}
		case "fylke":
			parent = Cell{c.State, c.Indicator, c.Year, "land", "0", c.Part}
		default:
			continue
		}
		if cells[parent] {
			children[parent] = append(children[parent], c)
		}
	}
	for parent, kids := range children {
		slices.SortFunc(kids, compareCells)
		eq := map[int]*big.Rat{m.index(parent): big.NewRat(-1, 1)}
		for _, k := range kids {
			eq[m.index(k)] = big.NewRat(1, 1)
		}
		if parent.Level == "land" && cat[parent.Indicator].Persons && cat[parent.Indicator].Source == "bosetting" {
			eq[m.slack()] = big.NewRat(1, 1)
		}
		m.equation(eq)
	}
}

// identities adds the equations of sameRegion wherever all their rows are
// published (as numbers or as suppressed).
func (m *model) identities(cells map[Cell]bool, cat map[string]Def) {
	type place struct {
		state  string
		year   int
		level  string
		region string
	}
	places := map[place]bool{}
	for c := range cells {
		places[place{c.State, c.Year, c.Level, c.Region}] = true
	}
	for p := range places {
		for _, id := range sameRegion {
			eq := map[int]*big.Rat{}
			ok := true
			for _, t := range id.terms {
				c := Cell{p.state, t.ind, p.year, p.level, p.region, t.part}
				if !cells[c] {
					ok = false
					break
				}
				eq[m.index(c)] = big.NewRat(t.coef, 1)
			}
			if !ok {
				continue
			}
			if id.slackAtTop && p.level == "land" {
				eq[m.slack()] = big.NewRat(1, 1)
			}
			m.equation(eq)
		}
	}
}

func compareCells(a, b Cell) int {
	return cmp.Or(cmp.Compare(a.State, b.State), cmp.Compare(a.Indicator, b.Indicator), cmp.Compare(a.Year, b.Year),
		cmp.Compare(a.Level, b.Level), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Part, b.Part))
}

// sums adds, for every row of today's structure, that it is the sum of the
// kommune figures it names.
func (m *model) sums(rows []Row, cells map[Cell]bool) {
	for _, r := range rows {
		if len(r.SumOf) == 0 {
			continue
		}
		top := Cell{r.State, r.Indicator, r.Year, r.Level, r.Region, C}
		eq := map[int]*big.Rat{m.index(top): big.NewRat(-1, 1)}
		ok := true
		for _, k := range r.SumOf {
			c := Cell{r.State, r.Indicator, r.Year, "kommune", k, C}
			if !cells[c] {
				ok = false
				break
			}
			eq[m.index(c)] = big.NewRat(1, 1)
		}
		if ok {
			m.equation(eq)
		}
	}
}
