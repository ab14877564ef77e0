package research

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadProject(t *testing.T) {
	p, err := ReadProject("testdata/project.json")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "NIR-2026-07" || p.K != 5 || *p.MaxSuppression != 0.05 || len(p.Tables) != 4 || len(p.QuasiIdentifiers) != 7 ||
		p.QuasiIdentifiers[5].MaxLevel != "fylke" || *p.Population.Filters[1].Max != 2010 {
		t.Errorf("parsed %+v", p)
	}
	// The spec hash ignores layout but not content.
	b, _ := os.ReadFile("testdata/project.json")
	q, err := ParseProject([]byte(strings.Join(strings.Fields(string(b)), " ")))
	if err != nil {
		t.Fatal(err)
	}
	if q.SpecHash() != p.SpecHash() {
		t.Error("reformatting the project file changed its spec hash")
	}
	q.K = 6
	if q.SpecHash() == p.SpecHash() {
		t.Error("another k, the same spec hash")
	}
}

// TestProjectErrors checks that a bad project file is refused with every
// problem named by its line or field.
func TestProjectErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/project.json")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !strings.Contains(string(good), old) {
			t.Fatalf("testdata/project.json lacks %q", old)
		}
		return strings.Replace(string(good), old, new, 1)
	}
	tests := []struct {
		name string
		text string
		want []string // every one must be in the error
	}{
		{"empty", "", []string{"empty"}},
		{"syntax error", edit(`"k": 5,`, `"k": 5,,`), []string{"line 31", "not valid JSON"}},
		{"unknown field", edit(`"k": 5,`, `"k": 5, "kk": 3,`), []string{"line 31", `unknown field "kk"`}},
		{"unknown nested field", edit(`"years": [2016, 2017],`, `"year": [2016, 2017],`), []string{"line 9", `unknown field "year"`}},
		{"wrong type", edit(`"k": 5,`, `"k": "5",`), []string{"line 31", "field k", "string"}},
		{"truncated", string(good[:200]), []string{"ends inside"}},
		{"two objects", string(good) + "{}", []string{"more after the project object"}},
		{"no k, bad id, no approval", edit(`"k": 5,`, ``), []string{"k: 0"}},
		{"bad project id", edit(`"NIR-2026-07"`, `"../x"`), []string{"project:", `"../x"`}},
		{"missing approval", edit(`"REK 2026/4711"`, `" "`), []string{"approval: missing"}},
		{"unknown source", edit(`"sources": ["nir", "bosetting"]`, `"sources": ["nir", "skatt"]`),
			[]string{`population.sources[1]: "skatt"`, `tables[3].table: "bosetting_personer" is of source "bosetting"`}},
		{"unknown table", edit(`"nir_timer"`, `"nir_hours"`), []string{`tables[2].table: "nir_hours" is not a table`}},
		{"unknown variable", edit(`"tiltak", "timer"`, `"tiltak", "fnr"`), []string{`tables[2].variables[3]: "fnr" is not a variable of nir_timer`}},
		{"direct identifier asked", edit(`"kjonn", "landbakgrunn"`, `"kjonn", "fodselsdato"`), []string{`"fodselsdato" is not a variable of nir_personer`}},
		{"amount as quasi-identifier", edit(`{"variable": "fodselsaar"},`, `{"variable": "timer"},`), []string{`quasi_identifiers[0].variable: "timer" has no generalisation hierarchy`}},
		{"unwanted quasi-identifier", edit(`{"variable": "fodselsaar"},`, `{"variable": "spor"},`), []string{`quasi_identifiers[0].variable: "spor" is not a variable of any table`}},
		{"bad max level", edit(`"max_level": "fylke"`, `"max_level": "county"`), []string{`quasi_identifiers[5].max_level: "county" is not a level of bostedskommune (kommune, fylke, land)`}},
		{"k too small", edit(`"k": 5`, `"k": 1`), []string{"k: 1: k must be at least 2"}},
		{"suppression share", edit(`"max_suppression": 0.05`, `"max_suppression": 5`), []string{"max_suppression: 5 is not a share"}},
		{"no suppression share", edit(`"max_suppression": 0.05,`, ``), []string{"max_suppression: missing"}},
		{"format", edit(`["parquet", "csv"]`, `["parquet", "xlsx"]`), []string{`formats[1]: "xlsx"`}},
		{"filter on nothing", edit(`{"variable": "kjonn", "in": ["K", "M"]}`, `{"variable": "kjonn"}`), []string{"population.filters[0]: give in"}},
		{"range on a code", edit(`{"variable": "kjonn", "in": ["K", "M"]}`, `{"variable": "kjonn", "min": 1}`), []string{"population.filters[0]: min/max needs a number variable"}},
		{"year out of range", edit(`[2016, 2017]`, `[2016, 17]`), []string{"population.years[1]: 17"}},
		{"several problems at once", edit(`"k": 5,`, `"k": 0, "formats2": 1,`), []string{`unknown field "formats2"`}},
		{"several semantic problems", edit(`"approval": "REK 2026/4711"`, `"approval": ""`) + "", []string{"approval: missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProject([]byte(tt.text))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	// Every problem of a file is named, not just the first.
	text := edit(`"k": 5`, `"k": 1`)
	text = strings.Replace(text, `"nir_timer"`, `"nir_hours"`, 1)
	_, err = ParseProject([]byte(text))
	if err == nil || !strings.Contains(err.Error(), "k: 1") || !strings.Contains(err.Error(), "nir_hours") {
		t.Errorf("two problems, error %v", err)
	}
}

// TestParsePolicy checks that the owner's policy names variables of the
// catalogue, dates as the sources of durations and a sensible ℓ.
func TestParsePolicy(t *testing.T) {
	if _, err := ParsePolicy([]byte(`{"quasi_identifiers": ["kjonn"], "derived": {"ventetid_dager": ["vedtak_dato", "bosatt_dato"]}, "households": true, "composition": ["kjonn"], "l_diversity": 2, "sensitive": ["avslutning"]}`)); err != nil {
		t.Errorf("a good policy: %v", err)
	}
	for _, tc := range []struct{ text, want string }{
		{`{"quasi_identifiers": ["timer"]}`, `"timer" is not a variable of the catalogue with a hierarchy`},
		{`{"derived": {"ventetid_dager": ["kjonn", "bosatt_dato"]}}`, `"kjonn" is not a date`},
		{`{"l_diversity": 1}`, "l_diversity: 1"},
		{`{"households": true, "owner": "x"}`, `unknown field "owner"`},
		{`{"quasi_identifiers": ["kjonn"], "households": true, "composition": ["kjonn", "fodselsaar"]}`, `composition: "fodselsaar" is not one of quasi_identifiers`},
	} {
		if _, err := ParsePolicy([]byte(tc.text)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.text, err, tc.want)
		}
	}
	path := filepath.Join(t.TempDir(), "research-policy.json")
	if p, err := LoadPolicy(path); err != nil || len(p.QuasiIdentifiers) != len(DefaultPolicy().QuasiIdentifiers) {
		t.Errorf("no policy file: %+v, %v; want the default", p, err)
	}
	if err := os.WriteFile(path, []byte(`{"quasi_identifiers": ["kjonn"], "households": false}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := LoadPolicy(path); err != nil || len(p.QuasiIdentifiers) != 1 || p.Households {
		t.Errorf("the owner's file: %+v, %v", p, err)
	}
}
