package research_test

import (
	"fmt"
	"testing"

	"integstat/internal/testkit/fixture"
	"integstat/transform/pseudo"
)

// TestProtectedNeverExtracted checks that a settled person with protected
// identity who is also in NIR (linked through their identity number) has
// no row in an extract of every NIR table, although kjonn alone, the only
// quasi-identifier, would let them through.
func TestProtectedNeverExtracted(t *testing.T) {
	wh, key := ingest(t, fixture.ProtectedInNIR(t, smallInbox))
	out, m := extract(t, wh, key, project(t, `{
  "project": "P-PROT", "approval": "REK 2026/13",
  "population": {"sources": ["nir"]},
  "tables": [
    {"table": "nir_personer", "variables": ["kjonn", "bostedskommune"]},
    {"table": "nir_introprogram", "variables": ["kommunenummer"]},
    {"table": "nir_norskopplaering", "variables": ["kommunenummer"]},
    {"table": "nir_timer", "variables": ["kommunenummer"]}
  ],
  "quasi_identifiers": [{"variable": "kjonn"}],
  "k": 2, "max_suppression": 0.5, "formats": ["csv"]
}`))
	// The protected person's warehouse keys: their NIR rows are the only
	// ones in fixture.ProtectedKommune.
	stored := column(t, fmt.Sprintf(`SELECT DISTINCT person FROM read_parquet(%q, union_by_name = true)
		WHERE kommunenummer = '%s' OR bostedskommune = '%s'`,
		wh.PartitionGlob("nir", "*", "*"), fixture.ProtectedKommune, fixture.ProtectedKommune))
	if len(stored) == 0 {
		t.Fatal("the protected person has no NIR rows in the warehouse")
	}
	pk := key.Derive("project/" + m.Project + "/" + m.Registration)
	got := persons(t, out)
	// The control: the other NIR persons are found under the project's
	// key, so a protected person in the extract would be too.
	others := column(t, fmt.Sprintf(`SELECT DISTINCT person FROM read_parquet(%q) WHERE person NOT IN (SELECT person FROM read_parquet(%q, union_by_name = true)
		WHERE kommunenummer = '%s' OR bostedskommune = '%s')`,
		wh.PartitionGlob("nir", "personer", "*"), wh.PartitionGlob("nir", "*", "*"),
		fixture.ProtectedKommune, fixture.ProtectedKommune))
	found := 0
	for p := range others {
		if got[pk.Pseudonym(pseudo.KindPerson, p)] {
			found++
		}
	}
	if found == 0 {
		t.Fatalf("none of %d other NIR persons found in the extract (%d persons) under the project's key: the check tests nothing", len(others), len(got))
	}
	for p := range stored {
		if got[pk.Pseudonym(pseudo.KindPerson, p)] {
			t.Errorf("the protected person is in the extract")
		}
	}
}
