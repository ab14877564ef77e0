package research_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit/fixture"
	"integstat/load/warehouse"
	"integstat/readers/research"
	"integstat/transform/pseudo"
)

// The tests here are the attacks of a researcher with a project's extracts,
// written in plain SQL over the files delivered, independent of how the
// extract protects them.

// projectText is a project file approved for persons' sex, birth year,
// country background and residence kommune.
const projectText = `{"project": %q, "approval": "REK 2026/77", "approved_by": "REK nord", "valid_from": "2020-01-01", "valid_to": "2030-12-31",
  "population": {"sources": ["nir", "bosetting"]},
  "tables": [%s],
  "k": %d, "max_suppression": 0.6, "formats": ["csv"]}`

func projectWith(t *testing.T, id string, k int, tables string) *research.Project {
	return project(t, fmt.Sprintf(projectText, id, tables, k))
}

// TestJoinedExtracts: two extracts of one project, one with sex and birth
// year, the other with country background and kommune, joined on the
// pseudonym, give no group of fewer than k persons.
func TestJoinedExtracts(t *testing.T) {
	wh, key := ingest(t, smallInbox)
	const k = 3
	all := projectWith(t, "JOIN-1", k, `{"table": "nir_personer", "variables": ["kjonn", "fodselsaar", "landbakgrunn", "bostedskommune"]}`)
	if _, err := research.Register(context.Background(), wh, all, false); err != nil {
		t.Fatal(err)
	}
	a, _ := extract(t, wh, key, projectWith(t, "JOIN-1", k, `{"table": "nir_personer", "variables": ["kjonn", "fodselsaar"]}`))
	b, mb := extract(t, wh, key, projectWith(t, "JOIN-1", k, `{"table": "nir_personer", "variables": ["landbakgrunn", "bostedskommune"]}`))
	if mb.Extract != 2 || !strings.Contains(strings.Join(mb.QIUnion, " "), "nir_personer.kjonn") {
		t.Errorf("second extract: number %d, checked against %v", mb.Extract, mb.QIUnion)
	}
	var joined, groups, small int
	q := fmt.Sprintf(`SELECT count(*), count(DISTINCT (kjonn, fodselsaar, landbakgrunn, bostedskommune)),
		(SELECT count(*) FROM (SELECT count(DISTINCT person) AS n FROM read_csv(%[1]q, all_varchar = true) a JOIN read_csv(%[2]q, all_varchar = true) b USING (person)
			GROUP BY kjonn, fodselsaar, landbakgrunn, bostedskommune) WHERE n < %[3]d)
		FROM read_csv(%[1]q, all_varchar = true) a JOIN read_csv(%[2]q, all_varchar = true) b USING (person)`,
		filepath.Join(a, "nir_personer.csv"), filepath.Join(b, "nir_personer.csv"), k)
	if err := duck(t).QueryRow(q).Scan(&joined, &groups, &small); err != nil {
		t.Fatal(err)
	}
	if joined == 0 {
		t.Fatal("the two extracts share no person: the attack tests nothing")
	}
	if small > 0 {
		t.Errorf("joined on the pseudonym, %d of %d groups of %d persons have fewer than k = %d persons", small, groups, joined, k)
	}
}

// TestRegistration: an unregistered project, an expired one and one
// asking for more than was approved are refused and logged; registering
// again gives new pseudonyms.
func TestRegistration(t *testing.T) {
	wh, key := ingest(t, smallInbox)
	ctx := context.Background()
	p := projectWith(t, "REG-1", 2, `{"table": "nir_personer", "variables": ["kjonn", "fodselsaar"]}`)
	try := func(p *research.Project, day time.Time) error {
		_, err := research.Extract(ctx, research.Options{Project: p, Warehouse: wh, Key: key, Out: filepath.Join(t.TempDir(), "out"), Now: day})
		return err
	}
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if err := try(p, day); !errors.Is(err, research.ErrNotApproved) || !strings.Contains(err.Error(), "not registered") {
		t.Errorf("unregistered: %v", err)
	}
	r1, err := research.Register(ctx, wh, p, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := research.Register(ctx, wh, p, false); !errors.Is(err, warehouse.ErrRegistered) {
		t.Errorf("registered twice: %v", err)
	}
	if err := try(p, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, research.ErrNotApproved) || !strings.Contains(err.Error(), "valid from 2020-01-01 to 2030-12-31") {
		t.Errorf("expired: %v", err)
	}
	more := projectWith(t, "REG-1", 2, `{"table": "nir_personer", "variables": ["kjonn", "fodselsaar", "landbakgrunn"]}`)
	if err := try(more, day); !errors.Is(err, research.ErrNotApproved) || !strings.Contains(err.Error(), "nir_personer.landbakgrunn was not approved") {
		t.Errorf("more than approved: %v", err)
	}
	other := projectWith(t, "REG-1", 2, `{"table": "nir_introprogram", "variables": ["avslutning"]}`)
	if err := try(other, day); !errors.Is(err, research.ErrNotApproved) || !strings.Contains(err.Error(), "table nir_introprogram was not approved") {
		t.Errorf("a table not approved: %v", err)
	}
	es, err := wh.Extracts(ctx, 0)
	if err != nil || len(es) != 4 {
		t.Fatalf("%d extracts logged, want the 4 refusals: %v", len(es), err)
	}
	for _, e := range es {
		if e.Outcome != "refused" || e.Detail == "" {
			t.Errorf("logged %+v", e)
		}
	}
	out1, m1 := extract(t, wh, key, p)
	r2, err := research.Register(ctx, wh, p, true)
	if err != nil {
		t.Fatal(err)
	}
	out2, m2 := extract(t, wh, key, p)
	if r1.ID == r2.ID || m1.Registration != r1.ID || m2.Registration != r2.ID || m1.KeyID == m2.KeyID || m2.Extract != 1 {
		t.Errorf("registrations %s, %s; manifests %s/%s, %s/%s, extract %d", r1.ID, r2.ID, m1.Registration, m1.KeyID, m2.Registration, m2.KeyID, m2.Extract)
	}
	p1, p2 := persons(t, out1), persons(t, out2)
	for p := range p1 {
		if p2[p] {
			t.Fatalf("pseudonym %s in the extracts of both registrations", p)
		}
	}
	// Neither the project key nor the master key is in the ledger, read
	// again now that it holds the delivered extracts.
	if es, err = wh.Extracts(ctx, 0); err != nil || len(es) != 6 {
		t.Fatalf("%d extracts logged, want 6: %v", len(es), err)
	}
	for _, k := range []*pseudo.Key{key, key.Derive("project/REG-1/" + r2.ID)} {
		secret, _ := k.MarshalText()
		if strings.Contains(fmt.Sprint(es), string(secret)) {
			t.Errorf("key %s in the audit log", k.ID())
		}
	}
}

// TestDurationWithDate: a researcher with an exact decision date and the
// waiting time in days gets the settlement date. Every settlement date so
// reconstructed, with the other quasi-identifiers, must be shared by k
// persons, and no waiting time in days may go with a generalised date.
func TestDurationWithDate(t *testing.T) {
	wh, key := ingest(t, smallInbox)
	const k = 2
	p := projectWith(t, "DUR-1", k, `{"table": "bosetting_personer", "variables": ["kjonn", "vedtak_dato", "bosatt_dato", "ventetid_dager"]}`)
	out, _ := extract(t, wh, key, p)
	read := fmt.Sprintf("read_csv(%q, all_varchar = true)", filepath.Join(out, "bosetting_personer.csv"))
	var rows, exact, generalised, mixed, small int
	q := fmt.Sprintf(`SELECT count(*),
		count(*) FILTER (WHERE regexp_full_match(ventetid_dager, '-?\d+')),
		count(*) FILTER (WHERE ventetid_dager IS NOT NULL AND (length(vedtak_dato) < 10 OR length(bosatt_dato) < 10)),
		count(*) FILTER (WHERE regexp_full_match(ventetid_dager, '-?\d+') AND (length(vedtak_dato) < 10 OR length(bosatt_dato) < 10)),
		(SELECT count(*) FROM (SELECT count(DISTINCT person) AS n FROM %[1]s
			WHERE length(vedtak_dato) = 10 AND regexp_full_match(ventetid_dager, '-?\d+')
			GROUP BY kjonn, vedtak_dato, CAST(vedtak_dato AS DATE) + CAST(ventetid_dager AS INTEGER)) WHERE n < %[2]d)
		FROM %[1]s`, read, k)
	if err := duck(t).QueryRow(q).Scan(&rows, &exact, &generalised, &mixed, &small); err != nil {
		t.Fatal(err)
	}
	if exact == 0 || generalised == 0 {
		t.Fatalf("%d rows, %d waiting times in days, %d with a generalised date: the attack tests nothing", rows, exact, generalised)
	}
	if mixed > 0 {
		t.Errorf("%d waiting times in days go with a generalised date", mixed)
	}
	if small > 0 {
		t.Errorf("%d settlement dates reconstructed from the decision date and the waiting time single out fewer than k = %d persons", small, k)
	}
	t.Logf("%d rows, %d waiting times in days, %d with a generalised date", rows, exact, generalised)

	// Without the settlement date in the extract, the waiting time still
	// gives it back: it is checked as if delivered.
	p = projectWith(t, "DUR-2", k, `{"table": "bosetting_personer", "variables": ["kjonn", "vedtak_dato", "ventetid_dager"]}`)
	out, m := extract(t, wh, key, p)
	read = fmt.Sprintf("read_csv(%q, all_varchar = true)", filepath.Join(out, "bosetting_personer.csv"))
	q = fmt.Sprintf(`SELECT count(*) FROM (SELECT count(DISTINCT person) AS n FROM %s
		WHERE length(vedtak_dato) = 10 AND regexp_full_match(ventetid_dager, '-?\d+')
		GROUP BY kjonn, vedtak_dato, CAST(vedtak_dato AS DATE) + CAST(ventetid_dager AS INTEGER)) WHERE n < %d`, read, k)
	if err := duck(t).QueryRow(q).Scan(&small); err != nil {
		t.Fatal(err)
	}
	if small > 0 {
		t.Errorf("without bosatt_dato: %d reconstructed settlement dates single out fewer than k = %d persons", small, k)
	}
	checked := false
	for _, g := range m.Generalisation {
		checked = checked || g.Variable == "bosatt_dato" && g.Checked
	}
	if !checked {
		t.Errorf("bosatt_dato not checked: %+v", m.Generalisation)
	}
}

// TestRequesterCannotRemoveQIs: a project file that declares no
// quasi-identifier still has the owner's checked.
func TestRequesterCannotRemoveQIs(t *testing.T) {
	wh, key := ingest(t, smallInbox)
	const k = 3
	out, m := extract(t, wh, key, projectWith(t, "OWN-1", k, `{"table": "nir_personer", "variables": ["fodselsaar", "landbakgrunn", "bostedskommune", "innvandringsgrunn"]}`))
	var small int
	q := fmt.Sprintf(`SELECT count(*) FROM (SELECT count(DISTINCT person) AS n FROM read_csv(%q, all_varchar = true) GROUP BY fodselsaar, landbakgrunn, bostedskommune) WHERE n < %d`,
		filepath.Join(out, "nir_personer.csv"), k)
	if err := duck(t).QueryRow(q).Scan(&small); err != nil {
		t.Fatal(err)
	}
	if small > 0 || len(m.Generalisation) != 3 {
		t.Errorf("%d groups under k; quasi-identifiers %+v", small, m.Generalisation)
	}
}

// TestProtectedPersonInNIR: the small cases' person with protected
// identity in the settlement register (known there by DUF number only) is
// given the identity number of a person in NIR; an extract of every table
// holds them in none.
func TestProtectedPersonInNIR(t *testing.T) {
	inbox := fixture.CopyInbox(t, smallInbox, nil)
	const old = `"duf":"201700000009","fnr":null,"fornavn":"Bos","etternavn":"Ni","fodselsdato":"1988-02-02"`
	fixture.Edit(t, filepath.Join(inbox, "bosetting", "20180305T020000"), "personer.jsonl.gz", func(b []byte) []byte {
		if !bytes.Contains(b, []byte(old)) {
			t.Fatal("the small cases' protected person is not as this test knows them")
		}
		return bytes.Replace(b, []byte(old), []byte(`"duf":"201700000009","fnr":"31818626188","fornavn":"Bos","etternavn":"Ni","fodselsdato":"1986-01-31"`), 1)
	})
	wh, key := ingest(t, inbox)
	p := projectWith(t, "PROT-1", 2, `{"table": "nir_personer", "variables": ["kjonn"]},
		{"table": "nir_introprogram", "variables": ["avslutning"]}, {"table": "nir_norskopplaering", "variables": ["rettighet"]},
		{"table": "nir_timer", "variables": ["tiltak"]}, {"table": "bosetting_personer", "variables": ["kategori"]}`)
	out, m := extract(t, wh, key, p)
	if checkProtected(t, wh, key, out, m) == 0 {
		t.Error("checkProtected finds no person with protected identity in NIR")
	}
	// The person's keys: of the DUF number, and of the identity number
	// NIR knows them by (NIR may have been loaded before settlement linked
	// the two).
	inNIR := column(t, fmt.Sprintf(`SELECT DISTINCT person FROM read_parquet(%q, union_by_name = true)`,
		wh.PartitionGlob("nir", "*", "*")))
	pk := key.Derive("project/" + m.Project + "/" + m.Registration)
	got, found := persons(t, out), 0
	for _, number := range []string{"201700000009", "31818626188"} {
		k := key.Pseudonym(pseudo.KindPerson, number)
		if inNIR[k] {
			found++
		}
		if got[pk.Pseudonym(pseudo.KindPerson, k)] {
			t.Errorf("the person with protected identity is in the extract (as the key of %s)", map[bool]string{true: "the DUF number", false: "the NIR identity number"}[number[0] == '2'])
		}
	}
	if found == 0 {
		t.Fatal("the person with protected identity is not in NIR: the test tests nothing")
	}
}

// checkProtected fails if a person with protected identity in the
// settlement register who is also in NIR is in any table of the extract in
// out (linked through the warehouse's person merges). It returns how many
// such persons there are: with none it tests nothing.
func checkProtected(t *testing.T, wh *warehouse.Warehouse, key *pseudo.Key, out string, m *research.Manifest) int {
	t.Helper()
	protected := column(t, fmt.Sprintf(`SELECT DISTINCT person FROM read_parquet(%q) WHERE skjult_identitet`,
		wh.PartitionGlob("bosetting", "personer", "*")))
	inNIR := column(t, fmt.Sprintf(`SELECT DISTINCT person FROM read_parquet(%q, union_by_name = true)`,
		wh.PartitionGlob("nir", "*", "*")))
	// A person's rows written before a later link carry their old key:
	// the merges file names each old key with the new one. Two keys are
	// one person's if following old to new from each ends at the same key.
	ms, err := wh.ReadMerges()
	if err != nil {
		t.Fatal(err)
	}
	next := make(map[string]string, len(ms))
	for _, mg := range ms {
		next[mg.Old] = mg.New
	}
	last := func(k string) string {
		for range len(next) + 1 {
			newer, ok := next[k]
			if !ok {
				return k
			}
			k = newer
		}
		t.Fatalf("the person merges have a cycle")
		return ""
	}
	protectedLast := make(map[string]bool)
	for p := range protected {
		protectedLast[last(p)] = true
	}
	got := persons(t, out)
	pk := key.Derive("project/" + m.Project + "/" + m.Registration)
	n := 0
	for p := range inNIR {
		if !protectedLast[last(p)] {
			continue
		}
		n++
		if got[pk.Pseudonym(pseudo.KindPerson, p)] {
			t.Errorf("a person with protected identity who is in NIR is in the extract")
		}
	}
	return n
}

// TestHouseholds: a household of unusual size is not unique in an extract
// with households: every household size a researcher can count from the
// household pseudonym is shared by at least k households.
func TestHouseholds(t *testing.T) {
	wh, key := ingest(t, smallInbox)
	const k = 2
	out, _ := extract(t, wh, key, projectWith(t, "HH-1", k, `{"table": "bosetting_personer", "variables": ["familie", "kjonn", "kategori"]}`))
	if checkHouseholds(t, filepath.Join(out, "bosetting_personer.csv"), k) == 0 {
		t.Fatal("no household linked: the attack tests nothing")
	}
}

// checkHouseholds counts, per household pseudonym, its persons in file,
// and fails for a size held by fewer than k households. It returns the
// households linked.
func checkHouseholds(t *testing.T, file string, k int) int {
	t.Helper()
	var households, small int
	q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE n < %d) FROM (
		SELECT size, count(*) OVER (PARTITION BY size) AS n FROM (SELECT familie, count(DISTINCT person) AS size FROM read_csv(%q, all_varchar = true) WHERE familie IS NOT NULL GROUP BY familie))`,
		k, file)
	if err := duck(t).QueryRow(q).Scan(&households, &small); err != nil {
		t.Fatal(err)
	}
	if small > 0 {
		t.Errorf("%d of %d households have a size fewer than k = %d households have", small, households, k)
	}
	t.Logf("%d households linked in %s", households, filepath.Base(file))
	return households
}

// TestLDiversity: with the owner's ℓ-diversity on the outcome, every group
// of persons alike in the programme spells' quasi-identifiers holds at
// least ℓ outcomes, so knowing someone's group does not tell their outcome.
func TestLDiversity(t *testing.T) {
	wh, key := ingest(t, smallInbox)
	pol := research.DefaultPolicy()
	pol.LDiversity = 2
	p := projectWith(t, "LDIV-1", 2, `{"table": "nir_introprogram", "variables": ["kommunenummer", "avslutning"]}`)
	register(t, wh, p)
	out := filepath.Join(t.TempDir(), "out")
	if _, err := research.Extract(context.Background(), research.Options{Project: p, Warehouse: wh, Key: key, Policy: pol, Out: out}); err != nil {
		t.Fatal(err)
	}
	var groups, outcomes, uniform int
	q := fmt.Sprintf(`WITH r AS (SELECT * FROM read_csv(%q, all_varchar = true)),
		s AS (SELECT person, list_sort(list_distinct(list(coalesce(kommunenummer, '-')))) AS sig FROM r GROUP BY person)
		SELECT count(*), sum(n), count(*) FILTER (WHERE n = 1) FROM (
			SELECT sig, count(DISTINCT avslutning) AS n FROM s JOIN r USING (person) GROUP BY sig HAVING count(avslutning) > 0)`,
		filepath.Join(out, "nir_introprogram.csv"))
	if err := duck(t).QueryRow(q).Scan(&groups, &outcomes, &uniform); err != nil {
		t.Fatal(err)
	}
	if groups == 0 {
		t.Fatal("no group with an outcome: the test tests nothing")
	}
	if uniform > 0 {
		t.Errorf("%d of %d groups share one outcome", uniform, groups)
	}
}

// unusualHouseholds are settled households the small cases lack, as rows
// of the settlement register: F8, one adult with six children, and F9, two
// adults with five, both of seven; F10, five adults over 60, and F11, two
// adults with three children, both of five. So a household's size does not
// single out F8 or F10, but its composition would.
func unusualHouseholds() string {
	var b strings.Builder
	n := 0
	add := func(fam, born, sex string) {
		n++
		fmt.Fprintf(&b, `{"duf":"2017%08d","fnr":null,"fornavn":"Hus","etternavn":"Holdning","fodselsdato":%q,"kjonn":%q,"nasjonalitet":"SYR","kategori":"OVF","enslig_mindreaarig":false,"familie_id":%q,"vedtak_dato":"2017-04-03","bosatt_dato":"2017-09-01","kommunenummer":"0301","fra":"UTLANDET","avtalt_selvbosetting":false,"skjult_identitet":false,"sist_endret":"2017-09-01 10:00:00"}`+"\n",
			500+n, born, sex, fam)
	}
	for _, m := range []struct{ fam, born, sex string }{
		{"F8", "1983-05-05", "K"}, {"F8", "2003-01-10", "M"}, {"F8", "2005-02-11", "K"}, {"F8", "2007-03-12", "M"}, {"F8", "2009-04-13", "K"}, {"F8", "2011-05-14", "M"}, {"F8", "2014-06-15", "M"},
		{"F9", "1980-07-07", "K"}, {"F9", "1978-08-08", "M"}, {"F9", "2004-09-09", "K"}, {"F9", "2006-10-10", "M"}, {"F9", "2008-11-11", "K"}, {"F9", "2010-12-12", "M"}, {"F9", "2013-01-13", "M"},
		{"F10", "1945-02-02", "K"}, {"F10", "1948-03-03", "M"}, {"F10", "1950-04-04", "K"}, {"F10", "1952-05-05", "M"}, {"F10", "1955-06-06", "K"},
		{"F11", "1975-07-07", "K"}, {"F11", "1972-08-08", "M"}, {"F11", "2001-09-09", "K"}, {"F11", "2005-10-10", "M"}, {"F11", "2009-11-11", "K"},
	} {
		add(m.fam, m.born, m.sex)
	}
	return b.String()
}

// TestHouseholdComposition: a household of unusual composition (one adult
// with six children, five adults over 60) is not unique in an extract with
// households, though its size is shared. The intruder links each
// household's members through the household pseudonym and the person
// pseudonym (across the tables) and reads its composition from the sexes,
// birth years and ages written: every composition is shared by k
// households, and one adult with six children, or five over 60, is found
// in no household or in k.
func TestHouseholdComposition(t *testing.T) {
	inbox := fixture.CopyInbox(t, smallInbox, nil)
	households := unusualHouseholds()
	fixture.Edit(t, filepath.Join(inbox, "bosetting", "20180305T020000"), "personer.jsonl.gz",
		func(b []byte) []byte { return append(b, households...) })
	wh, key := ingest(t, inbox)
	const k = 2
	// The project weighs the household link most, so that households keep
	// it where they can.
	out, m := extract(t, wh, key, project(t, fmt.Sprintf(`{"project": "HH-2", "approval": "REK 2026/78", "population": {"sources": ["nir", "bosetting"]},
		"tables": [{"table": "bosetting_personer", "variables": ["familie", "kjonn", "alder_vedtak"]}, {"table": "nir_personer", "variables": ["kjonn", "fodselsaar"]}],
		"weights": {"familie": 10}, "k": %d, "max_suppression": 0.6, "formats": ["csv"]}`, k)))
	if m.Persons.PersonsIn < 24 {
		t.Fatalf("%d persons read: the unusual households are not in the warehouse", m.Persons.PersonsIn)
	}
	bos, nir := filepath.Join(out, "bosetting_personer.csv"), filepath.Join(out, "nir_personer.csv")
	checkHouseholds(t, bos, k)
	// A member is what the files say of their sex and age in every table;
	// a household, its members; adult and child are what the written age
	// (a number or a band "30-39") tells for sure.
	q := fmt.Sprintf(`WITH b AS (SELECT * FROM read_csv(%[1]q, all_varchar = true)),
		n AS (SELECT * FROM read_csv(%[2]q, all_varchar = true)),
		e AS (SELECT person, 'b ' || coalesce(kjonn, '-') || ' ' || coalesce(alder_vedtak, '-') AS e FROM b
			UNION ALL SELECT person, 'n ' || coalesce(kjonn, '-') || ' ' || coalesce(fodselsaar, '-') FROM n),
		member AS (SELECT person, list_sort(list_distinct(list(e))) AS m FROM e GROUP BY person),
		age AS (SELECT person, familie, TRY_CAST(split_part(alder_vedtak, '-', 1) AS INTEGER) AS lo,
			TRY_CAST(coalesce(nullif(split_part(alder_vedtak, '-', 2), ''), alder_vedtak) AS INTEGER) AS hi FROM b WHERE familie IS NOT NULL),
		hh AS (SELECT familie, list_sort(list(m)) AS comp, count(*) AS size,
			count(*) FILTER (WHERE lo >= 18) AS adults, count(*) FILTER (WHERE hi < 18) AS children, count(*) FILTER (WHERE lo >= 60) AS over60
			FROM (SELECT DISTINCT familie, person FROM b WHERE familie IS NOT NULL) JOIN member USING (person) JOIN age USING (familie, person) GROUP BY familie),
		c AS (SELECT *, count(*) OVER (PARTITION BY comp) AS n FROM hh)
		SELECT count(*), count(*) FILTER (WHERE n < %[3]d),
			count(*) FILTER (WHERE adults = 1 AND children = 6), count(*) FILTER (WHERE over60 = 5) FROM c`, bos, nir, k)
	var linked, unique, oneWithSix, fiveOver60 int
	if err := duck(t).QueryRow(q).Scan(&linked, &unique, &oneWithSix, &fiveOver60); err != nil {
		t.Fatal(err)
	}
	if linked == 0 {
		t.Fatal("no household linked: the attack tests nothing")
	}
	if unique > 0 {
		t.Errorf("%d of %d linked households have a composition fewer than k = %d households have", unique, linked, k)
	}
	if oneWithSix > 0 && oneWithSix < k || fiveOver60 > 0 && fiveOver60 < k {
		t.Errorf("one adult with six children in %d households, five adults over 60 in %d: fewer than k = %d", oneWithSix, fiveOver60, k)
	}
	t.Logf("%d households linked; one adult with six children seen in %d, five over 60 in %d", linked, oneWithSix, fiveOver60)
}
