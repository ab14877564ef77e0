package research_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"integstat/demo"
	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
	"integstat/load/warehouse"
	"integstat/readers/research"
	"integstat/transform/pseudo"
)

// ingest loads inbox into a new warehouse with a key of its own and returns
// the warehouse (closed when the test ends) and the key.
func ingest(t testing.TB, inbox string) (*warehouse.Warehouse, *pseudo.Key) {
	t.Helper()
	return fixture.IngestWithKey(t, inbox)
}

// project parses a project file written as JSON text, failing the test on error.
func project(t testing.TB, text string) *research.Project {
	t.Helper()
	p, err := research.ParseProject([]byte(text))
	if err != nil {
		t.Fatalf("project file: %v", err)
	}
	return p
}

// register registers p in wh as approved today, unless its id is
// registered already.
func register(t testing.TB, wh *warehouse.Warehouse, p *research.Project) {
	t.Helper()
	if _, ok, err := wh.ProjectRegistration(context.Background(), p.ID); err != nil || ok {
		return
	}
	q := *p
	q.ApprovedBy, q.ValidFrom, q.ValidTo = "REK sør-øst", time.Now().AddDate(0, 0, -1).Format(time.DateOnly), time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	if _, err := research.Register(context.Background(), wh, &q, false); err != nil {
		t.Fatal(err)
	}
}

// extract registers the project if needed, runs an extract into a new
// directory and returns the directory.
func extract(t testing.TB, wh *warehouse.Warehouse, key *pseudo.Key, p *research.Project) (string, *research.Manifest) {
	t.Helper()
	register(t, wh, p)
	out := filepath.Join(t.TempDir(), "out")
	m, err := research.Extract(context.Background(), research.Options{Project: p, Warehouse: wh, Key: key, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	return out, m
}

// smallProject asks for persons and programme spells of the small cases,
// with k small enough for a handful of persons.
const smallProject = `{
  "project": %q,
  "approval": "REK 2026/123",
  "population": {"sources": ["nir", "bosetting"]},
  "tables": [
    {"table": "nir_personer", "variables": ["fodselsaar", "kjonn", "landbakgrunn", "bostedskommune", "innvandringsgrunn"]},
    {"table": "nir_introprogram", "variables": ["kommunenummer", "vedtak_dato", "avslutning", "utvidet"]},
    {"table": "bosetting_personer", "variables": ["familie", "fodselsaar", "kjonn", "nasjonalitet", "kommunenummer", "bosatt_dato", "ventetid_dager"]}
  ],
  "quasi_identifiers": [
    {"variable": "fodselsaar"}, {"variable": "kjonn"}, {"variable": "landbakgrunn"},
    {"variable": "nasjonalitet"}, {"variable": "kommunenummer"}, {"variable": "bostedskommune"}
  ],
  "k": 2,
  "max_suppression": 0.5,
  "formats": ["parquet", "csv"]
}`

var smallInbox = testkit.SmallInbox()

// TestExtractSmallCases checks an extract of the small cases end to end:
// unlinkable across projects, byte-identical when run again, k met as
// plain SQL counts it, and logged in the warehouse.
func TestExtractSmallCases(t *testing.T) {
	wh, key := ingest(t, smallInbox)
	pa := project(t, fmt.Sprintf(smallProject, "P-A"))
	outA, mA := extract(t, wh, key, pa)
	outA2, _ := extract(t, wh, key, pa)
	outB, _ := extract(t, wh, key, project(t, fmt.Sprintf(smallProject, "P-B")))

	// The re-run is the registration's second extract: its manifest says so,
	// and nothing else differs.
	t.Run("byte-identical re-run", func(t *testing.T) { sameFiles(t, outA, outA2) })

	t.Run("unlinkable across projects", func(t *testing.T) {
		a, b := persons(t, outA), persons(t, outB)
		if len(a) == 0 || len(b) == 0 {
			t.Fatalf("no persons: %d in A, %d in B", len(a), len(b))
		}
		for p := range a {
			if b[p] {
				t.Errorf("pseudonym %s in both projects", p)
			}
		}
		// Within a project, the pseudonyms link the tables.
		db := duck(t)
		var linked int
		q := fmt.Sprintf(`SELECT count(*) FROM read_csv(%q) i JOIN read_csv(%q) p USING (person)`,
			filepath.Join(outA, "nir_introprogram.csv"), filepath.Join(outA, "nir_personer.csv"))
		if err := db.QueryRow(q).Scan(&linked); err != nil || linked == 0 {
			t.Errorf("programme spells linked to persons within a project: %d, %v", linked, err)
		}
	})

	t.Run("pseudonyms are the project key's", func(t *testing.T) {
		pk := key.Derive("project/P-A/" + mA.Registration)
		if mA.KeyID != pk.ID() || mA.KeyID == key.ID() {
			t.Errorf("manifest key id %s, want the project key's %s", mA.KeyID, pk.ID())
		}
		stored := storedPersons(t, wh)
		want := map[string]bool{}
		for p := range stored {
			want[pk.Pseudonym(pseudo.KindPerson, p)] = true
		}
		for p := range persons(t, outA) {
			if stored[p] {
				t.Errorf("the warehouse's own person key %s is in the extract", p)
			}
			if !want[p] {
				t.Errorf("pseudonym %s is not the project key's pseudonym of a stored person", p)
			}
		}
	})

	t.Run("k-anonymity by plain SQL", func(t *testing.T) { checkK(t, outA, mA, 2) })
	t.Run("person-level k-anonymity over the joined tables", func(t *testing.T) { checkPersonK(t, outA, mA, 2) })

	t.Run("manifest", func(t *testing.T) {
		var m research.Manifest
		b, err := os.ReadFile(filepath.Join(outA, research.ManifestFile))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m.Project != "P-A" || m.Approval != "REK 2026/123" || m.SpecHash != pa.SpecHash() || len(m.DataState) != 2 {
			t.Errorf("manifest %+v", m)
		}
		// The NIR state is the newest good delivery; the corrupt one was rejected.
		if m.DataState[1].Source != "nir" || strings.Join(m.DataState[1].Deliveries, ",") != "20180228T020000" {
			t.Errorf("data state %+v", m.DataState)
		}
		names := map[string]bool{}
		for _, f := range m.Files {
			names[f.Name] = true
			if got := sha(t, filepath.Join(outA, f.Name)); got != f.SHA256 {
				t.Errorf("%s: sha256 %s in the manifest, %s on disk", f.Name, f.SHA256, got)
			}
		}
		for _, want := range []string{"nir_personer.parquet", "nir_personer.csv", "bosetting_personer.csv", "codebook.md", "codebook.json"} {
			if !names[want] {
				t.Errorf("manifest lacks %s", want)
			}
		}
		ents, _ := os.ReadDir(outA)
		if len(ents) != len(m.Files)+1 {
			t.Errorf("%d files in the directory, %d in the manifest (+ itself)", len(ents), len(m.Files))
		}
	})

	t.Run("audit log", func(t *testing.T) {
		es, err := wh.Extracts(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 3 {
			t.Fatalf("%d extracts logged, want 3", len(es))
		}
		last := es[len(es)-1] // the first extract, P-A
		if last.Project != "P-A" || last.Outcome != "delivered" || last.SpecHash != pa.SpecHash() || last.KeyID != mA.KeyID ||
			last.Checksums["nir_personer.csv"] != sha(t, filepath.Join(outA, "nir_personer.csv")) || last.Rows == 0 {
			t.Errorf("logged %+v", last)
		}
	})

	t.Run("protected identities never extracted", func(t *testing.T) {
		var all, open int64
		q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE NOT skjult_identitet) FROM read_parquet(%q)`,
			wh.PartitionGlob("bosetting", "personer", "20180305T020000"))
		if err := duck(t).QueryRow(q).Scan(&all, &open); err != nil {
			t.Fatal(err)
		}
		for _, tl := range mA.Tables {
			if tl.Table == "bosetting_personer" && (tl.RowsIn != open || open == all) {
				t.Errorf("%d settlement rows read, want the %d of %d without protected identity", tl.RowsIn, open, all)
			}
		}
	})
}

// TestExtractRefused checks that an extract that cannot meet k within what
// the project allows (here: more persons than there are) is refused with a
// clear message and logged.
func TestExtractRefused(t *testing.T) {
	wh, key := ingest(t, smallInbox)
	p := project(t, `{"project": "P-R", "approval": "REK 1", "population": {"sources": ["nir"]},
		"tables": [{"table": "nir_personer", "variables": ["fodselsaar", "bostedskommune"]}],
		"quasi_identifiers": [{"variable": "fodselsaar", "max_level": "5-year band"}, {"variable": "bostedskommune", "max_level": "kommune"}],
		"k": 100, "max_suppression": 0, "formats": ["csv"]}`)
	register(t, wh, p)
	out := filepath.Join(t.TempDir(), "out")
	_, err := research.Extract(context.Background(), research.Options{Project: p, Warehouse: wh, Key: key, Out: out})
	if !errors.Is(err, research.ErrRefused) {
		t.Fatalf("extract: %v, want refused", err)
	}
	for _, want := range []string{"k = 100", "max_suppression 0", "fodselsaar: 5-year band", "nir_personer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q lacks %q", err, want)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("a refused extract left %d files", len(ents))
	}
	es, err := wh.Extracts(context.Background(), 0)
	if err != nil || len(es) != 1 || es[0].Outcome != "refused" || !strings.Contains(es[0].Detail, "k = 100") {
		t.Errorf("audit log %+v, %v", es, err)
	}
	// A k the persons can meet makes the same project possible.
	p.K = 3
	dir, m := extract(t, wh, key, p)
	checkK(t, dir, m, p.K)
	checkPersonK(t, dir, m, p.K)
	if m.Generalisation[0].Values[0].Share+m.Generalisation[1].Values[0].Share == 2 {
		t.Errorf("k met without generalising: %+v", m.Generalisation)
	}
}

// checkK counts, in plain SQL over every output CSV and Parquet file, the
// persons and rows of each combination of the quasi-identifiers in it, and
// fails for one under k.
func checkK(t *testing.T, dir string, m *research.Manifest, k int) {
	t.Helper()
	qis := map[string]bool{}
	for _, g := range m.Generalisation {
		qis[g.Variable] = !g.Checked && g.Levels[0] != "household"
	}
	db := duck(t)
	checked := 0
	for _, f := range m.Files {
		if f.Table == "" {
			continue
		}
		read := fmt.Sprintf("read_csv(%q, all_varchar = true)", filepath.Join(dir, f.Name))
		if strings.HasSuffix(f.Name, ".parquet") {
			read = fmt.Sprintf("read_parquet(%q)", filepath.Join(dir, f.Name))
		}
		rows, err := db.Query("SELECT column_name FROM (DESCRIBE SELECT * FROM " + read + ")")
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			if qis[c] {
				cols = append(cols, `"`+c+`"`)
			}
		}
		rows.Close()
		if len(cols) == 0 {
			continue
		}
		var classes, small int
		q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE n < %d OR p < %d) FROM (
			SELECT count(*) AS n, count(DISTINCT person) AS p FROM %s GROUP BY %s)`, k, k, read, strings.Join(cols, ", "))
		if err := db.QueryRow(q).Scan(&classes, &small); err != nil {
			t.Fatal(err)
		}
		if small > 0 {
			t.Errorf("%s: %d of %d combinations of %v have fewer than k = %d persons", f.Name, small, classes, cols, k)
		}
		checked++
	}
	if checked == 0 {
		t.Error("no file with quasi-identifiers to check")
	}
}

// qiTable is one output file of a table with its quasi-identifier columns.
type qiTable struct {
	name, read string
	cols       []string
}

// qiTables returns the output files of format ext ("csv" or "parquet"),
// each with the quasi-identifiers among its columns, cast to text.
func qiTables(t *testing.T, dir string, m *research.Manifest, ext string) []qiTable {
	t.Helper()
	qis := map[string]bool{}
	for _, g := range m.Generalisation {
		qis[g.Variable] = !g.Checked && g.Levels[0] != "household"
	}
	var out []qiTable
	for _, f := range m.Files {
		if f.Table == "" || !strings.HasSuffix(f.Name, "."+ext) {
			continue
		}
		qt := qiTable{name: f.Table, read: fmt.Sprintf("read_csv(%q, all_varchar = true)", filepath.Join(dir, f.Name))}
		if ext == "parquet" {
			qt.read = fmt.Sprintf("read_parquet(%q)", filepath.Join(dir, f.Name))
		}
		for c := range column(t, "SELECT column_name FROM (DESCRIBE SELECT * FROM "+qt.read+")") {
			if qis[c] {
				qt.cols = append(qt.cols, fmt.Sprintf(`CAST(%q AS VARCHAR)`, c))
			}
		}
		slices.Sort(qt.cols)
		out = append(out, qt)
	}
	return out
}

// checkPersonK checks, in plain SQL over the output files of each format,
// that k holds for persons across the whole extract: every person's
// signature (the set of table and quasi-identifier combination of every
// row of theirs, in every table) is shared by at least k persons, and so
// joining any two tables on the person never yields a combination of their
// quasi-identifiers held by fewer than k persons.
func checkPersonK(t *testing.T, dir string, m *research.Manifest, k int) {
	t.Helper()
	db := duck(t)
	checked := 0
	for _, ext := range []string{"csv", "parquet"} {
		ts := qiTables(t, dir, m, ext)
		if len(ts) == 0 {
			continue
		}
		checked++
		var parts []string
		for _, qt := range ts {
			e := "'[]'"
			if len(qt.cols) > 0 {
				e = "to_json(list_value(" + strings.Join(qt.cols, ", ") + "))"
			}
			parts = append(parts, fmt.Sprintf("SELECT person, '%s ' || %s AS e FROM %s", qt.name, e, qt.read))
		}
		var persons, signatures, small, nulls int
		q := fmt.Sprintf(`WITH e AS (%s), s AS (SELECT person, list_sort(list_distinct(list(e))) AS sig FROM e GROUP BY person)
			SELECT count(*), count(DISTINCT sig), count(*) FILTER (WHERE n < %d), count(*) FILTER (WHERE person IS NULL)
			FROM (SELECT person, sig, count(*) OVER (PARTITION BY sig) AS n FROM s)`, strings.Join(parts, " UNION ALL "), k)
		if err := db.QueryRow(q).Scan(&persons, &signatures, &small, &nulls); err != nil {
			t.Fatal(err)
		}
		if persons == 0 || small > 0 || nulls > 0 {
			t.Errorf("%s: %d of %d persons (%d signatures, %d without a pseudonym) share their quasi-identifiers across the tables with fewer than k = %d persons",
				ext, small, persons, signatures, nulls, k)
		}
		if int64(persons) != m.Persons.PersonsOut {
			t.Errorf("%s: %d persons in the files, the manifest says %d", ext, persons, m.Persons.PersonsOut)
		}
		// The attack itself: join two tables on the person and combine
		// their quasi-identifiers.
		for a, ta := range ts {
			for _, tb := range ts[a+1:] {
				if len(ta.cols) == 0 || len(tb.cols) == 0 {
					continue
				}
				var combos, few int
				q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE p < %d) FROM (
					SELECT count(DISTINCT person) AS p FROM (SELECT person, %s FROM %s) a JOIN (SELECT person, %s FROM %s) b USING (person) GROUP BY %s)`,
					k, aliased(ta.cols, "a"), ta.read, aliased(tb.cols, "b"), tb.read, groupCols(len(ta.cols), len(tb.cols)))
				if err := db.QueryRow(q).Scan(&combos, &few); err != nil {
					t.Fatal(err)
				}
				if few > 0 {
					t.Errorf("%s: joining %s and %s on the person gives %d of %d combinations held by fewer than k = %d persons", ext, ta.name, tb.name, few, combos, k)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no output file to check")
	}
}

// aliased names the expressions cols p0, p1, … with prefix p.
func aliased(cols []string, p string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = fmt.Sprintf("%s AS %s%d", c, p, i)
	}
	return strings.Join(out, ", ")
}

// groupCols lists the columns a0…, b0… that aliased names.
func groupCols(na, nb int) string {
	var out []string
	for i := range na {
		out = append(out, fmt.Sprintf("a%d", i))
	}
	for i := range nb {
		out = append(out, fmt.Sprintf("b%d", i))
	}
	return strings.Join(out, ", ")
}

// sameFiles fails unless directories a and b hold the same files, byte for byte.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	ea, _ := os.ReadDir(a)
	eb, _ := os.ReadDir(b)
	if len(ea) != len(eb) || len(ea) == 0 {
		t.Fatalf("%d files, then %d", len(ea), len(eb))
	}
	for _, e := range ea {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if e.Name() == research.ManifestFile {
			x, y = extractNo.ReplaceAll(x, nil), extractNo.ReplaceAll(y, nil)
		}
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between runs (%v):\n%s\n%s", e.Name(), err, x, y)
		}
	}
}

// extractNo is the line of a manifest that counts the registration's extracts.
var extractNo = regexp.MustCompile(`(?m)^  "extract": \d+,$`)

// persons returns the person pseudonyms of every CSV file in dir.
func persons(t *testing.T, dir string) map[string]bool {
	t.Helper()
	return column(t, fmt.Sprintf("SELECT DISTINCT person FROM read_csv(%q, union_by_name = true, all_varchar = true)", filepath.Join(dir, "*.csv")))
}

// storedPersons returns the warehouse's own person keys.
func storedPersons(t *testing.T, wh *warehouse.Warehouse) map[string]bool {
	t.Helper()
	return column(t, fmt.Sprintf("SELECT DISTINCT person FROM read_parquet(%q, union_by_name = true)", wh.PartitionGlob("*", "*", "*")))
}

func column(t *testing.T, q string) map[string]bool {
	t.Helper()
	rows, err := duck(t).Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s.Valid {
			out[s.String] = true
		}
	}
	return out
}

func duck(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sha(t *testing.T, path string) string {
	t.Helper()
	var s string
	if err := duck(t).QueryRow("SELECT sha256(content) FROM read_blob(?)", path).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExtractDemo extracts from a generated demo set of real proportions
// (scale 0.02): k = 5 met as plain SQL counts it, and no identity number,
// DUF number, name or address of the inbox, nor the warehouse's own person
// keys, anywhere in the outputs.
func TestExtractDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo set")
	}
	set := t.TempDir()
	if _, err := demo.Generate(context.Background(), demo.Options{Out: set, Seed: 7, Scale: 0.02, BadRate: 0.001}); err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(set, "inbox")
	wh, key := ingest(t, inbox)
	p, err := research.ReadProject(filepath.Join("testdata", "project.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, m := extract(t, wh, key, p)
	checkK(t, out, m, p.K)
	checkPersonK(t, out, m, p.K)
	checkHouseholds(t, filepath.Join(out, "bosetting_personer.csv"), p.K)
	t.Logf("%d persons with protected identity in NIR checked", checkProtected(t, wh, key, out, m))
	// Under 1 % of the persons removed, and the variables the project
	// weighs most (landbakgrunn, bostedskommune, kommunenummer) keep most
	// values above their top level. (On a set this small, 13
	// quasi-identifiers at k = 5 take the others mostly to the top; the
	// full-scale figures are in docs/research.md.)
	if m.Persons.Share >= 0.01 || m.Persons.Suppressed+m.Persons.PersonsOut != m.Persons.PersonsIn {
		t.Errorf("persons %+v: 1 %% or more removed, or not adding up", m.Persons)
	}
	for _, g := range m.Generalisation {
		all := g.Values[len(g.Values)-1].Share
		var lv []string
		for _, l := range g.Values {
			lv = append(lv, fmt.Sprintf("%s %.1f%%", l.Level, 100*l.Share))
		}
		t.Logf("%-16s %s; suppressed %.2f%%", g.Variable, strings.Join(lv, ", "), 100*g.SuppressedShare)
		if p.Weights[g.Variable] > 1 && all >= 0.5 {
			t.Errorf("%s, weighted %v, has %.1f%% of its values at the top level", g.Variable, p.Weights[g.Variable], 100*all)
		}
	}
	var rows int64
	for _, tl := range m.Tables {
		rows += tl.RowsOut
	}
	if rows < 1000 {
		t.Errorf("only %d rows extracted from the demo set", rows)
	}
	t.Logf("persons %+v, tables %+v", m.Persons, m.Tables)

	// Canaries: direct identifiers from every delivery's person files.
	canaries := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(inbox, "nir", "*", "personer.csv"))
	for _, f := range files {
		for c := range column(t, fmt.Sprintf(`SELECT unnest([fnr, fornavn || ' ' || etternavn, etternavn, adresse, tidligere_fnr])
			FROM read_csv(%q, all_varchar = true, delim = ';', strict_mode = false, ignore_errors = true) USING SAMPLE 20%% (bernoulli, 1)`, f)) {
			canaries[c] = true
		}
	}
	files, _ = filepath.Glob(filepath.Join(inbox, "bosetting", "*", "personer.jsonl.gz"))
	for _, f := range files {
		for c := range column(t, fmt.Sprintf(`SELECT unnest([duf, fnr, fornavn || ' ' || etternavn, etternavn])
			FROM read_json(%q, format = 'newline_delimited', columns = {duf: 'VARCHAR', fnr: 'VARCHAR', fornavn: 'VARCHAR', etternavn: 'VARCHAR'}, ignore_errors = true) USING SAMPLE 20%% (bernoulli, 1)`, f)) {
			canaries[c] = true
		}
	}
	for p := range storedPersons(t, wh) {
		canaries[p] = true
	}
	var patterns [][]byte
	for c := range canaries {
		if len(c) >= 6 {
			patterns = append(patterns, []byte(c))
		}
	}
	if len(patterns) < 200 {
		t.Fatalf("only %d canaries", len(patterns))
	}
	scan := func(path string) bool {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range patterns {
			if bytes.Contains(b, p) {
				return true
			}
		}
		return false
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if scan(filepath.Join(out, e.Name())) {
			t.Errorf("%s contains an identifier of the inbox or a warehouse person key", e.Name())
		}
	}
	// The scan finds what it looks for where it is.
	nirFiles, _ := filepath.Glob(filepath.Join(inbox, "nir", "*", "personer.csv"))
	parquet, _ := filepath.Glob(wh.PartitionGlob("nir", "personer", "*"))
	for _, p := range []string{nirFiles[0], parquet[0]} {
		if !scan(p) {
			t.Errorf("the canary scan finds nothing in %s", p)
		}
	}
}
