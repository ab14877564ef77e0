package validate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"integstat/demo"
	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/extract/files"
	"integstat/extract/reference"
	"integstat/transform/ident"
)

var ref = reference.MustLoad()

// extractedAt is the extraction date the unit tests use.
var extractedAt = time.Date(2017, 12, 31, 23, 0, 0, 0, time.UTC)

// numbers returns n distinct synthetic identity numbers.
func numbers(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		s := ident.Synthetic(r, time.Date(1980+len(out)%20, 3, 1+len(out)%28, 0, 0, 0, 0, time.UTC), len(out)%2 == 0, false)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

var fnr = numbers(3)

// table returns the contract table source/name.
func table(t *testing.T, source, name string) *contract.Table {
	t.Helper()
	tb, ok := contract.Lookup(source, name)
	if !ok {
		t.Fatalf("no table %s/%s", source, name)
	}
	return tb
}

// row returns a valid row of tb, by column name, with the changes applied.
func row(t *testing.T, tb *contract.Table, good map[string]string, change map[string]string) []string {
	t.Helper()
	values := make([]string, len(tb.Cols))
	for i, c := range tb.Cols {
		values[i] = good[c.Name]
	}
	for name, v := range change {
		i := tb.Index(name)
		if i < 0 {
			t.Fatalf("%s has no column %s", tb.File, name)
		}
		values[i] = v
	}
	return values
}

// goodRows holds a valid row of every table, by column name.
var goodRows = map[string]map[string]string{
	"nir/personer": {"fnr": fnr[0], "fornavn": "Ola", "etternavn": "Nordmann", "fodselsdato": "1980-03-01",
		"kjonn": "M", "statsborgerskap": "SYR", "landbakgrunn": "SYR", "innvandringsgrunn": "FLU", "adresse": "Storgata 1",
		"postnummer": "0150", "bostedskommune": "0301", "tidligere_fnr": fnr[1], "endret_tidspunkt": "2017-05-01 12:00:00"},
	"nir/introprogram": {"vedtak_id": "V1", "fnr": fnr[0], "kommunenummer": "0706", "rettighet": "RP",
		"rett_plikt_dato": "2016-05-01", "vedtak_dato": "2016-06-01", "startdato": "2016-07-01", "utvidet": "N",
		"spor": "2", "registrert_tidspunkt": "2016-06-02 09:30:00"},
	"nir/norskopplaering": {"fnr": fnr[0], "kommunenummer": "0301", "rettighet": "RP", "rett_plikt_dato": "2016-05-01",
		"timer_norsk": "120,5", "timer_samfunnskunnskap": "50", "registrert_tidspunkt": "2016-05-02 10:00:00"},
	"nir/timer": {"fnr": fnr[0], "kommunenummer": "1601", "maaned": "2017-12", "tiltak": "NORSK", "program": "INTRO",
		"timer": "40", "fravaer_timer": "2,5", "registrert_tidspunkt": "2018-01-05 08:00:00"},
	"bosetting/personer": {"duf": "201600000001", "fnr": fnr[0], "fodselsdato": "1990-01-01", "kjonn": "K",
		"nasjonalitet": "ERI", "kategori": "OVF", "enslig_mindreaarig": "false", "vedtak_dato": "2016-09-01",
		"bosatt_dato": "2016-12-01", "kommunenummer": "0720", "fra": "UTLANDET", "avtalt_selvbosetting": "false",
		"skjult_identitet": "true", "sist_endret": "2016-12-01 10:00:00"},
	"bosetting/anmodninger": {"aar": "2016", "kommunenummer": "0720", "anmodet": "20", "anmodet_em": "2"},
	"tolk/tolk": {"tolk_id": "7", "fnr": fnr[2], "kjonn": "K", "fodselsaar": "1975", "bostedskommune": "1601",
		"statsautorisert": "J", "tolkeutdanning": "N", "registrert_dato": "2010-01-01", "endret_tidspunkt": "2017-01-01 00:00:00"},
	"tolk/tolk_sprak": {"tolk_id": "7", "sprak": "tir", "kategori": "1", "gyldig_fra": "2010-01-01", "endret_tidspunkt": "2010-01-01 00:00:00"},
}

// TestReasonsMatchDemo ties the reasons to the texts of the demo answer key.
func TestReasonsMatchDemo(t *testing.T) {
	for _, c := range []struct{ ours, demo string }{
		{ReasonIDNumber, demo.FaultIDNumber},
		{ReasonCode, demo.FaultCode},
		{ReasonDate, demo.FaultDate},
		{ReasonKommune, demo.FaultKommune},
		{ReasonRequired, demo.FaultRequired},
		{ReasonDuplicate, demo.FaultDuplicate},
	} {
		if c.ours != c.demo {
			t.Errorf("reason %q, demo says %q", c.ours, c.demo)
		}
	}
}

// TestGoodRows checks that the valid row of every table passes, so the
// cases below fail for their one change.
func TestGoodRows(t *testing.T) {
	for _, tb := range contract.Tables {
		good, ok := goodRows[tb.Source+"/"+tb.Name]
		if !ok {
			t.Errorf("no good row for %s/%s", tb.Source, tb.Name)
			continue
		}
		v := New(tb, ref, extractedAt, Options{AllowSynthetic: true})
		if p := checkRows(t, v, row(t, tb, good, nil))[0]; p != nil {
			t.Errorf("%s/%s: %v", tb.Source, tb.Name, p)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		table  string // source/name
		change map[string]string
		want   *Problem // Detail is checked for being non-empty only
	}{
		// Required.
		{"required id", "nir/personer", map[string]string{"fnr": ""}, &Problem{Column: "fnr", Reason: ReasonRequired}},
		{"required code", "nir/timer", map[string]string{"tiltak": ""}, &Problem{Column: "tiltak", Reason: ReasonRequired}},
		{"required kommune", "nir/timer", map[string]string{"kommunenummer": ""}, &Problem{Column: "kommunenummer", Reason: ReasonRequired}},
		{"optional empty", "nir/personer", map[string]string{"innvandringsgrunn": "", "bostedskommune": "", "tidligere_fnr": ""}, nil},
		// Identity numbers.
		{"control digit", "nir/timer", map[string]string{"fnr": ident.BreakControlDigit(fnr[0])}, &Problem{Column: "fnr", Reason: ReasonIDNumber}},
		{"short id", "nir/timer", map[string]string{"fnr": fnr[0][:10]}, &Problem{Column: "fnr", Reason: ReasonIDNumber}},
		{"previous id", "nir/personer", map[string]string{"tidligere_fnr": "1234567890a"}, &Problem{Column: "tidligere_fnr", Reason: ReasonIDNumber}},
		{"duf", "bosetting/personer", map[string]string{"duf": "20160000001"}, &Problem{Column: "duf", Reason: ReasonDUF}},
		// Codes.
		{"unknown code", "nir/timer", map[string]string{"program": "X9"}, &Problem{Column: "program", Reason: ReasonCode}},
		{"code case", "nir/personer", map[string]string{"kjonn": "k"}, &Problem{Column: "kjonn", Reason: ReasonCode}},
		{"code of another column", "nir/introprogram", map[string]string{"rettighet": "ASYL"}, &Problem{Column: "rettighet", Reason: ReasonCode}},
		// Dates, timestamps, months.
		{"month 13", "nir/introprogram", map[string]string{"startdato": "2017-13-01"}, &Problem{Column: "startdato", Reason: ReasonDate}},
		{"norwegian date", "nir/introprogram", map[string]string{"startdato": "31.12.2016"}, &Problem{Column: "startdato", Reason: ReasonDate}},
		{"30 February", "nir/introprogram", map[string]string{"startdato": "2016-02-30"}, &Problem{Column: "startdato", Reason: ReasonDate}},
		{"29 February 2015", "nir/introprogram", map[string]string{"startdato": "2015-02-29"}, &Problem{Column: "startdato", Reason: ReasonDate}},
		{"29 February 2016", "nir/introprogram", map[string]string{"startdato": "2016-02-29"}, nil},
		{"no dashes", "nir/introprogram", map[string]string{"startdato": "20170115"}, &Problem{Column: "startdato", Reason: ReasonDate}},
		{"unpadded", "nir/introprogram", map[string]string{"startdato": "2015-1-5"}, &Problem{Column: "startdato", Reason: ReasonDate}},
		{"timestamp T", "nir/timer", map[string]string{"registrert_tidspunkt": "2018-01-05T08:00:00"}, &Problem{Column: "registrert_tidspunkt", Reason: ReasonTimestamp}},
		{"timestamp hour 24", "nir/timer", map[string]string{"registrert_tidspunkt": "2018-01-05 24:00:00"}, &Problem{Column: "registrert_tidspunkt", Reason: ReasonTimestamp}},
		{"timestamp bad day", "nir/timer", map[string]string{"registrert_tidspunkt": "2018-04-31 08:00:00"}, &Problem{Column: "registrert_tidspunkt", Reason: ReasonTimestamp}},
		{"timestamp date only", "nir/timer", map[string]string{"registrert_tidspunkt": "2018-01-05"}, &Problem{Column: "registrert_tidspunkt", Reason: ReasonTimestamp}},
		{"month 00", "nir/timer", map[string]string{"maaned": "2017-00"}, &Problem{Column: "maaned", Reason: ReasonMonth}},
		{"month with day", "nir/timer", map[string]string{"maaned": "2017-12-01"}, &Problem{Column: "maaned", Reason: ReasonMonth}},
		// Booleans, decimals, integers.
		{"bool csv true", "nir/introprogram", map[string]string{"utvidet": "true"}, &Problem{Column: "utvidet", Reason: ReasonBool}},
		{"bool csv lower", "nir/introprogram", map[string]string{"utvidet": "j"}, &Problem{Column: "utvidet", Reason: ReasonBool}},
		{"bool json J", "bosetting/personer", map[string]string{"enslig_mindreaarig": "J"}, nil},
		{"bool json 1", "bosetting/personer", map[string]string{"enslig_mindreaarig": "1"}, &Problem{Column: "enslig_mindreaarig", Reason: ReasonBool}},
		{"decimal point", "nir/timer", map[string]string{"timer": "7.5"}, &Problem{Column: "timer", Reason: ReasonDecimal}},
		{"decimal comma only", "nir/timer", map[string]string{"fravaer_timer": "7,"}, &Problem{Column: "fravaer_timer", Reason: ReasonDecimal}},
		{"negative decimal", "nir/timer", map[string]string{"fravaer_timer": "-0,5"}, nil},
		{"integer letters", "bosetting/anmodninger", map[string]string{"anmodet": "2O"}, &Problem{Column: "anmodet", Reason: ReasonInteger}},
		{"integer fraction", "bosetting/anmodninger", map[string]string{"anmodet": "2.0"}, &Problem{Column: "anmodet", Reason: ReasonInteger}},
		{"integer negative", "bosetting/anmodninger", map[string]string{"vedtatt": "-1"}, &Problem{Column: "vedtatt", Reason: ReasonRange}},
		{"year below range", "bosetting/anmodninger", map[string]string{"aar": "1989"}, &Problem{Column: "aar", Reason: ReasonRange}},
		{"year above range", "tolk/tolk", map[string]string{"fodselsaar": "2101"}, &Problem{Column: "fodselsaar", Reason: ReasonRange}},
		{"id zero", "tolk/tolk_sprak", map[string]string{"tolk_id": "0"}, &Problem{Column: "tolk_id", Reason: ReasonRange}},
		// Country and language codes.
		{"country lower", "nir/personer", map[string]string{"statsborgerskap": "syr"}, &Problem{Column: "statsborgerskap", Reason: ReasonCountry}},
		{"country alpha-2", "nir/personer", map[string]string{"landbakgrunn": "SY"}, &Problem{Column: "landbakgrunn", Reason: ReasonCountry}},
		{"stateless", "nir/personer", map[string]string{"statsborgerskap": "XXX"}, nil},
		{"language upper", "tolk/tolk_sprak", map[string]string{"sprak": "TIR"}, &Problem{Column: "sprak", Reason: ReasonLanguage}},
		// Kommune on the row's date.
		{"intro code before merger", "nir/introprogram", map[string]string{"kommunenummer": "0710"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"intro code after merger", "nir/introprogram", map[string]string{"kommunenummer": "0710", "vedtak_dato": "2017-01-01", "rett_plikt_dato": "2016-12-01"}, nil},
		{"intro old code after merger", "nir/introprogram", map[string]string{"vedtak_dato": "2017-01-01"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"norsk on rett_plikt_dato", "nir/norskopplaering", map[string]string{"kommunenummer": "0710"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"timer last month of 1601", "nir/timer", nil, nil},
		{"timer 1601 in 2018", "nir/timer", map[string]string{"maaned": "2018-01"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"timer 5001 in 2018", "nir/timer", map[string]string{"maaned": "2018-01", "kommunenummer": "5001"}, nil},
		{"settlement on bosatt_dato", "bosetting/personer", map[string]string{"bosatt_dato": "2017-01-01"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"settlement waiting: extraction date", "bosetting/personer", map[string]string{"bosatt_dato": ""}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"anmodninger on 1 January", "bosetting/anmodninger", map[string]string{"aar": "2017"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"personer on extraction date", "nir/personer", map[string]string{"bostedskommune": "0720"}, &Problem{Column: "bostedskommune", Reason: ReasonKommune}},
		{"residence not updated after a merger", "nir/personer", map[string]string{"bostedskommune": "0720", "endret_tidspunkt": "2016-05-01 12:00:00"}, nil},
		{"residence valid on neither day", "nir/personer", map[string]string{"bostedskommune": "5001", "endret_tidspunkt": "2016-05-01 12:00:00"}, &Problem{Column: "bostedskommune", Reason: ReasonKommune}},
		{"interpreter residence from before a merger", "tolk/tolk", map[string]string{"bostedskommune": "0719", "endret_tidspunkt": "2016-12-31 23:59:59"}, nil},
		{"tolk on extraction date", "tolk/tolk", map[string]string{"bostedskommune": "5001"}, &Problem{Column: "bostedskommune", Reason: ReasonKommune}},
		{"kommune not 4 digits", "nir/timer", map[string]string{"kommunenummer": "301"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"kommune letters", "nir/timer", map[string]string{"kommunenummer": "03O1"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"unknown kommune", "nir/timer", map[string]string{"kommunenummer": "9999"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		// Before 2013 the 2013 list decides.
		{"2011 code of 2013 list", "nir/introprogram", map[string]string{"vedtak_dato": "2011-05-01", "rett_plikt_dato": "2011-04-01"}, nil},
		{"2011 code from 2017", "nir/introprogram", map[string]string{"kommunenummer": "0710", "vedtak_dato": "2011-05-01"}, &Problem{Column: "kommunenummer", Reason: ReasonKommune}},
		{"2012 anmodninger", "bosetting/anmodninger", map[string]string{"aar": "2012"}, nil},
		// Order: every column's form before any kommune, in column order.
		{"first column wins", "nir/timer", map[string]string{"tiltak": "X9", "timer": "7.5"}, &Problem{Column: "tiltak", Reason: ReasonCode}},
		{"form before kommune", "nir/timer", map[string]string{"kommunenummer": "9999", "registrert_tidspunkt": ""}, &Problem{Column: "registrert_tidspunkt", Reason: ReasonRequired}},
		{"bad kommune date is a date problem", "nir/introprogram", map[string]string{"kommunenummer": "9999", "vedtak_dato": "2016-02-30"}, &Problem{Column: "vedtak_dato", Reason: ReasonDate}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			source, name, _ := strings.Cut(tc.table, "/")
			tb := table(t, source, name)
			v := New(tb, ref, extractedAt, Options{AllowSynthetic: true})
			values := row(t, tb, goodRows[tc.table], tc.change)
			got := checkRows(t, v, values)[0]
			switch {
			case tc.want == nil && got != nil:
				t.Fatalf("got %v, want no problem", got)
			case tc.want == nil:
				return
			case got == nil:
				t.Fatalf("no problem, want %s: %s", tc.want.Column, tc.want.Reason)
			case got.Column != tc.want.Column || got.Reason != tc.want.Reason:
				t.Fatalf("got %s: %s, want %s: %s", got.Column, got.Reason, tc.want.Column, tc.want.Reason)
			}
			if got.Reason != ReasonRequired && got.Detail == "" {
				t.Errorf("%v: no detail", got)
			}
			for col, bad := range tc.change {
				if len(bad) >= 3 && strings.Contains(got.Error(), bad) {
					t.Errorf("problem %q repeats the value of %s", got.Error(), col)
				}
			}
		})
	}
}

// TestSynthetic checks that synthetic identity numbers pass only when the
// options allow them.
func TestSynthetic(t *testing.T) {
	tb := table(t, "nir", "timer")
	values := row(t, tb, goodRows["nir/timer"], nil)
	p := checkRows(t, New(tb, ref, extractedAt, Options{}), values)[0]
	if p == nil || p.Reason != ReasonIDNumber || p.Column != "fnr" || p.Detail != ident.ErrSynthetic.Error() {
		t.Errorf("synthetic number without AllowSynthetic: got %v", p)
	}
	if p := checkRows(t, New(tb, ref, extractedAt, Options{AllowSynthetic: true}), values)[0]; p != nil {
		t.Errorf("synthetic number with AllowSynthetic: %v", p)
	}
}

// TestDuplicateKey checks that the first row with a key is kept and later
// ones are duplicates, next to it or after rows of other first-key values,
// that a row quarantined for its form does not claim its key, and that key
// columns are kept apart.
func TestDuplicateKey(t *testing.T) {
	tb := table(t, "nir", "timer")
	good := goodRows["nir/timer"]
	v := New(tb, ref, extractedAt, Options{AllowSynthetic: true})
	steps := []struct {
		change map[string]string
		want   string // reason, "" for none
	}{
		{map[string]string{"timer": "7.5"}, ReasonDecimal}, // claims no key
		{nil, ""},
		{map[string]string{"timer": "12"}, ReasonDuplicate}, // same key, other hours
		{map[string]string{"program": "NORSK"}, ""},
		{map[string]string{"program": "NORSK"}, ReasonDuplicate},
		{map[string]string{"fnr": fnr[1]}, ""},
		{map[string]string{"maaned": "2017-11"}, ""},
		{nil, ReasonDuplicate},
	}
	rows := make([][]string, len(steps))
	for i, s := range steps {
		rows[i] = row(t, tb, good, s.change)
	}
	problems := checkRows(t, v, rows...)
	for i, s := range steps {
		p := problems[i]
		got := ""
		if p != nil {
			got = p.Reason
			if p.Reason == ReasonDuplicate && (p.Column != "" || !strings.Contains(p.Detail, "fnr, kommunenummer, maaned, tiltak, program")) {
				t.Errorf("step %d: duplicate problem %+v", i, p)
			}
		}
		if got != s.want {
			t.Errorf("step %d: got %q, want %q", i, got, s.want)
		}
	}
	// Table.Duplicates, which the ingest asks of a list of persons before
	// it links their numbers, finds the same lines in one reading.
	var wantDups []int64
	for i, s := range steps {
		if s.want == ReasonDuplicate {
			wantDups = append(wantDups, int64(i+2))
		}
	}
	dups, err := v.Duplicates(t.TempDir(), 0, func(fn files.RowFunc) error {
		if err := fn(1, nil, "x", &delivery.RowError{Line: 1}); err != nil { // a malformed record claims nothing
			return err
		}
		for i, r := range rows {
			if err := fn(int64(i+2), r, "", nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || !slices.Equal(dups, wantDups) {
		t.Errorf("Duplicates = %v, %v; want %v", dups, err, wantDups)
	}

	// Another delivery has a key set of its own.
	if p := checkRows(t, New(tb, ref, extractedAt, Options{AllowSynthetic: true}), row(t, tb, good, nil))[0]; p != nil {
		t.Errorf("new Table: %v", p)
	}

	// ("ab", "c") and ("a", "bc") are different keys.
	two := &contract.Table{File: "x.csv", Cols: []contract.Column{{Name: "a"}, {Name: "b"}}, Key: []string{"a", "b"}}
	v = New(two, ref, extractedAt, Options{})
	rows = [][]string{{"ab", "c"}, {"a", "bc"}, {"abc", ""}, {"", "abc"}, {"a", "bc"}}
	problems = checkRows(t, v, rows...)
	for i, p := range problems[:4] {
		if p != nil {
			t.Errorf("%q: %v", rows[i], p)
		}
	}
	if p := problems[4]; p == nil || p.Reason != ReasonDuplicate {
		t.Errorf("repeated key: got %v", p)
	}
}

// TestCheckRefs checks the NIR tables' identity numbers against personer,
// current and previous numbers alike.
func TestCheckRefs(t *testing.T) {
	per := table(t, "nir", "personer")
	persons := &PersonSet{}
	pv := New(per, ref, extractedAt, Options{AllowSynthetic: true})
	prow := row(t, per, goodRows["nir/personer"], nil) // fnr[0], tidligere_fnr fnr[1]
	// personer refers to nothing, and its accepted rows give the persons.
	if p := checkWith(t, pv, persons, prow)[0]; p != nil {
		t.Fatal(p)
	}
	if persons.Len() != 2 {
		t.Fatalf("%d persons from personer's row, want fnr and tidligere_fnr", persons.Len())
	}
	for _, name := range []string{"introprogram", "norskopplaering", "timer"} {
		tb := table(t, "nir", name)
		v := New(tb, ref, extractedAt, Options{AllowSynthetic: true})
		for i, n := range fnr {
			p := checkWith(t, v, persons, row(t, tb, goodRows["nir/"+name], map[string]string{"fnr": n}))[0]
			switch {
			case i < 2 && p != nil:
				t.Errorf("%s: number %d of personer: %v", name, i, p)
			case i == 2 && (p == nil || p.Reason != ReasonPerson || p.Column != "fnr"):
				t.Errorf("%s: unknown person: got %v", name, p)
			case p != nil && strings.Contains(p.Error(), n):
				t.Errorf("%s: problem repeats the number", name)
			}
		}
	}
	// Other sources do not refer to NIR's personer, nor to their own list
	// of persons: a number in no set passes.
	for _, name := range []string{"bosetting/personer", "tolk/tolk"} {
		source, tname, _ := strings.Cut(name, "/")
		tb := table(t, source, tname)
		if p := checkWith(t, New(tb, ref, extractedAt, Options{AllowSynthetic: true}), &PersonSet{}, row(t, tb, goodRows[name], map[string]string{"fnr": fnr[2]}))[0]; p != nil {
			t.Errorf("%s: %v", name, p)
		}
	}
}

// TestCheckAllocs checks that a row that passes the whole row check of the
// pipeline (RowCheck.Check: form, kommune, key, references) costs no
// allocation.
func TestCheckAllocs(t *testing.T) {
	tb := table(t, "nir", "timer")
	v := New(tb, ref, extractedAt, Options{AllowSynthetic: true})
	rows := timerRows(t, 2000)
	persons := &PersonSet{}
	for _, r := range rows {
		persons.Add(r[tb.Index("fnr")])
	}
	persons.Freeze()
	rd, err := v.Reading(ReadingOptions{Persons: persons, SpillDir: t.TempDir(), Rows: int64(len(rows))})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	rc, err := rd.NewRowCheck()
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		if p, err := rc.Check(int64(i+1), rows[i]); p != nil || err != nil {
			t.Fatal(p, err)
		}
		i++
	})
	if allocs >= 1 {
		t.Errorf("%.2f allocations a row", allocs)
	}
}

// TestPersonSet adds numbers in random order, in two rounds (the second
// after the set was searched), and checks that every one is found and
// numbers never added, below, between and above them, are not.
func TestPersonSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	ps := &PersonSet{}
	added := map[uint64]bool{}
	add := func(n int) {
		for range n {
			k := rng.Uint64N(5e10) * 2 // even: odd numbers stay out
			added[k] = true
			ps.Add(fmt.Sprintf("%011d", k))
		}
	}
	check := func() {
		t.Helper()
		for k := range added {
			if !ps.Has(fmt.Sprintf("%011d", k)) {
				t.Fatalf("%011d added, not found", k)
			}
			if ps.Has(fmt.Sprintf("%011d", k+1)) {
				t.Fatalf("%011d found, never added", k+1)
			}
		}
		for _, s := range []string{"00000000001", "99999999999", "1234"} {
			if ps.Has(s) {
				t.Fatalf("%s found, never added", s)
			}
		}
		if ps.Len() != len(added) {
			t.Fatalf("Len %d, %d added", ps.Len(), len(added))
		}
	}
	add(50_000)
	check()
	add(20_000)
	check()
	ps.Reset()
	clear(added)
	if ps.Has("00000000002") || ps.Len() != 0 {
		t.Fatal("Reset left numbers")
	}
	add(100)
	check()
}
