package contract

import (
	"os"
	"strings"
	"testing"

	"integstat/internal/testkit"
)

// TestMatchesSpec checks every table and column against the contract text
// in ../shared/spec/sources.md, so the data here cannot drift from it.
func TestMatchesSpec(t *testing.T) {
	b, err := os.ReadFile(testkit.Shared("spec", "sources.md"))
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("spec not found: %v", err)
		}
		t.Fatal(err)
	}
	spec := string(b)
	for _, tb := range Tables {
		if !strings.Contains(spec, tb.Name) {
			t.Errorf("table %s not in sources.md", tb.Name)
		}
		if tb.Format == "csv" && !strings.Contains(spec, tb.File) && tb.Source != "tolk" {
			t.Errorf("file %s not in sources.md", tb.File)
		}
		for _, c := range tb.Cols {
			if !strings.Contains(spec, "| "+c.Name+" |") && !strings.Contains(spec, c.Name+",") && !strings.Contains(spec, ", "+c.Name+" |") {
				t.Errorf("%s.%s not in sources.md", tb.Name, c.Name)
			}
			if c.Type == Code {
				for _, code := range c.Codes {
					if !strings.Contains(spec, "`"+code+"`") && !strings.Contains(spec, code) {
						t.Errorf("%s.%s: code %s not in sources.md", tb.Name, c.Name, code)
					}
				}
			}
		}
		for _, k := range tb.Key {
			if tb.Index(k) < 0 {
				t.Errorf("%s: key column %s missing", tb.Name, k)
			}
		}
		if tb.KommuneDate != "" && tb.Index(tb.KommuneDate) < 0 {
			t.Errorf("%s: kommune date column %s missing", tb.Name, tb.KommuneDate)
		}
		if got, ok := ByFile(tb.Source, tb.File); !ok || got != tb {
			t.Errorf("ByFile(%s, %s) did not find the table", tb.Source, tb.File)
		}
	}
}

// TestRoles checks the roles the pipeline relies on: every table about
// persons has one column naming the person, every source one list of
// persons, and a table's PersonsIn names that list; relations are unique;
// key columns exist, and FirstKey finds the first.
func TestRoles(t *testing.T) {
	lists := map[string]string{}
	relations := map[string]bool{}
	for _, tb := range Tables {
		if tb.Persons {
			if lists[tb.Source] != "" {
				t.Errorf("%s: two lists of persons, %s and %s", tb.Source, lists[tb.Source], tb.Name)
			}
			lists[tb.Source] = tb.Name
		}
		if relations[tb.Relation()] {
			t.Errorf("%s/%s: relation %s taken", tb.Source, tb.Name, tb.Relation())
		}
		relations[tb.Relation()] = true
	}
	for _, tb := range Tables {
		ids, persons := 0, 0
		for _, c := range tb.Cols {
			if c.Type == IDNumber || c.Type == DUF {
				ids++
			}
			if c.Role == PersonID {
				persons++
			}
		}
		if want := min(ids, 1); persons != want {
			t.Errorf("%s/%s: %d PersonID columns among %d identity numbers, want %d", tb.Source, tb.Name, persons, ids, want)
		}
		if tb.PersonsIn != "" && tb.PersonsIn != lists[tb.Source] {
			t.Errorf("%s/%s: PersonsIn %q is not the source's list of persons %q", tb.Source, tb.Name, tb.PersonsIn, lists[tb.Source])
		}
		for _, k := range tb.Key {
			if tb.Index(k) < 0 {
				t.Errorf("%s/%s: key column %s is no column", tb.Source, tb.Name, k)
			}
		}
		if k := tb.FirstKey(); len(tb.Key) > 0 && (k < 0 || tb.Cols[k].Name != tb.Key[0]) {
			t.Errorf("%s/%s: FirstKey %d, key %v", tb.Source, tb.Name, k, tb.Key)
		}
		if tb.Persons && tb.ColumnOf(PersonID) < 0 {
			t.Errorf("%s/%s: a list of persons without a PersonID column", tb.Source, tb.Name)
		}
	}
	for _, s := range Sources {
		if lists[s] == "" {
			t.Errorf("%s: no list of persons", s)
		}
		if tb, ok := PersonsOf(s); !ok || tb.Name != lists[s] {
			t.Errorf("PersonsOf(%s) = %v, %v; want %s", s, tb, ok, lists[s])
		}
	}
}

// TestProtectionRoles checks the roles the marts protect persons by: every
// kommune of a table about persons places the person (so a protected
// person's is emptied; a new kommune column must say so or fail here), the
// protected-identity flag is a bool of settlement's persons only, and
// every table read from the interpreter database has its change time.
func TestProtectionRoles(t *testing.T) {
	for _, tb := range Tables {
		aboutPersons := tb.ColumnOf(PersonID) >= 0
		changed := 0
		for _, c := range tb.Cols {
			switch {
			case c.Type == Kommune && aboutPersons && c.Role != PersonKommune:
				t.Errorf("%s/%s.%s: a kommune of a table about persons without the role PersonKommune", tb.Source, tb.Name, c.Name)
			case c.Role == PersonKommune && (c.Type != Kommune || !aboutPersons):
				t.Errorf("%s/%s.%s: PersonKommune on a %s column of a table about persons %v", tb.Source, tb.Name, c.Name, c.Type, aboutPersons)
			case c.Role == Protected && (c.Type != Bool || !aboutPersons):
				t.Errorf("%s/%s.%s: Protected on a %s column of a table about persons %v", tb.Source, tb.Name, c.Name, c.Type, aboutPersons)
			case c.Role == ChangedAt && c.Type != Timestamp:
				t.Errorf("%s/%s.%s: ChangedAt on a %s column", tb.Source, tb.Name, c.Name, c.Type)
			}
			if c.Role == ChangedAt {
				changed++
			}
		}
		if changed > 1 {
			t.Errorf("%s/%s: %d ChangedAt columns", tb.Source, tb.Name, changed)
		}
		if tb.Source == "tolk" && changed != 1 {
			t.Errorf("%s/%s: read from the database by its change time, but has %d ChangedAt columns", tb.Source, tb.Name, changed)
		}
	}
	var protected []string
	for _, tb := range TablesWith(Protected) {
		protected = append(protected, tb.Source+"/"+tb.Name+"."+tb.Cols[tb.ColumnOf(Protected)].Name)
	}
	if got, want := strings.Join(protected, " "), "bosetting/personer.skjult_identitet"; got != want {
		t.Errorf("TablesWith(Protected) = %s, want %s", got, want)
	}
	if k := (&Table{Cols: []Column{{Name: "a"}}}).FirstKey(); k != -1 {
		t.Errorf("FirstKey of a table without a key: %d, want -1", k)
	}
	for k, want := range map[string]string{"nir/timer": "src_nir_timer", "tolk/tolk": "src_tolk_tolk", "tolk/tolk_sprak": "src_tolk_sprak"} {
		s, n, _ := strings.Cut(k, "/")
		if tb, _ := Lookup(s, n); tb.Relation() != want {
			t.Errorf("%s: relation %s, want %s", k, tb.Relation(), want)
		}
	}
}
