package sqlmodel

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestGenericTests builds the generic fixture on good data, where every
// generic test passes, then breaks the data one way per test kind and checks
// that exactly the test written for that kind fails, with the rows that break it.
func TestGenericTests(t *testing.T) {
	ctx := context.Background()
	p := parseFixture(t, "generic")
	var generic []*Test
	for _, tt := range p.Tests {
		if strings.HasPrefix(tt.Path, "generic/staging/schema.txt:") || strings.HasPrefix(tt.Path, "generic/marts/schema.txt:") {
			generic = append(generic, tt)
		}
	}
	wantNames := []string{
		"accepted_values_stg_kommune_niva",
		"not_null_fylke_kommuner_fylke_kommuner",
		"not_null_stg_kommune_kode_fylke",
		"relationships_stg_kommune_fylke__stg_fylke",
		"relationships_stg_kommune_fylke_land__stg_fylke",
		"unique_fylke_kommuner_fylke",
		"unique_stg_fylke_kode",
		"unique_stg_kommune_kode",
	}
	var names []string
	for _, tt := range generic {
		names = append(names, tt.Name)
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("generic tests %q, want %q", names, wantNames)
	}
	if tt := generic[3]; tt.Path != "generic/staging/schema.txt:7" || !slices.Equal(tt.Depends, []string{"stg_kommune", "stg_fylke"}) {
		t.Errorf("%s: path %s, depends %q; want its schema line and both relations", tt.Name, tt.Path, tt.Depends)
	}

	good := []string{
		`CREATE OR REPLACE TEMP TABLE raw_fylke AS SELECT * FROM (VALUES ('50', 'NO'), ('46', 'NO')) v(kode, land)`,
		`CREATE OR REPLACE TEMP TABLE raw_kommune AS SELECT * FROM (VALUES
			('5001', '50', 'NO', 'kommune'), ('4601', '46', 'NO', 'kommune'), ('460101', '46', 'NO', 'bydel'), ('4602', '46', 'NO', NULL)
		) v(kode, fylke, land, niva)`,
	}
	tests := []struct {
		name   string
		break_ string // a statement that breaks the good data, run after it
		fails  string // the one test that must fail
		rows   int64  // its failing rows
		first  []string
	}{
		{name: "good"},
		{name: "unique", break_: `INSERT INTO raw_kommune VALUES ('5001', '50', 'NO', 'kommune'), ('5001', '50', 'NO', 'kommune')`,
			fails: "unique_stg_kommune_kode", rows: 1, first: []string{"5001", "3"}},
		{name: "not_null", break_: `INSERT INTO raw_kommune VALUES ('5099', NULL, 'NO', 'kommune')`,
			fails: "not_null_stg_kommune_kode_fylke", rows: 1, first: []string{"5099", "NULL"}},
		{name: "accepted_values", break_: `UPDATE raw_kommune SET niva = 'fylke' WHERE kode = '4601'`,
			fails: "accepted_values_stg_kommune_niva", rows: 1, first: []string{"fylke", "1"}},
		{name: "relationships", break_: `INSERT INTO raw_kommune VALUES ('3001', '30', NULL, 'kommune')`,
			fails: "relationships_stg_kommune_fylke__stg_fylke", rows: 1, first: []string{"30"}},
		{name: "relationships of two columns", break_: `UPDATE raw_kommune SET land = 'SE' WHERE kode = '5001'`,
			fails: "relationships_stg_kommune_fylke_land__stg_fylke", rows: 1, first: []string{"50", "SE"}},
		{name: "unique of another model", break_: `INSERT INTO raw_fylke VALUES ('50', 'NO')`,
			fails: "unique_stg_fylke_kode", rows: 1, first: []string{"50", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := openConn(t)
			for _, s := range good {
				exec(t, conn, s)
			}
			if tt.break_ != "" {
				exec(t, conn, tt.break_)
			}
			if _, err := Build(ctx, conn, p.Models); err != nil {
				t.Fatal(err)
			}
			results, err := RunTests(ctx, conn, generic)
			var failed []string
			for _, r := range results {
				if r.Err != nil {
					t.Errorf("%s could not run: %v", r.Test.Name, r.Err)
				}
				if r.Failing > 0 {
					failed = append(failed, r.Test.Name)
				}
				if r.Test.Name == tt.fails {
					if first := firstRow(t, conn, r.Test.SQL); r.Failing != tt.rows || !slices.Equal(first, tt.first) {
						t.Errorf("%s: %d failing, first %q; want %d, first %q", r.Test.Name, r.Failing, first, tt.rows, tt.first)
					}
				}
			}
			var want []string
			if tt.fails != "" {
				want = []string{tt.fails}
			}
			if !slices.Equal(failed, want) {
				t.Errorf("failing tests %q, want %q", failed, want)
			}
			var failure *TestFailure
			if (want == nil) != (err == nil) || want != nil && !errors.As(err, &failure) {
				t.Errorf("RunTests error %v, want a *TestFailure exactly when a test fails", err)
			}
		})
	}
}

// TestTestsFor checks which tests run after building some models: a data
// state builds staging only, a publication everything.
func TestTestsFor(t *testing.T) {
	p := parseFixture(t, "generic")
	names := func(ts []*Test) []string {
		var out []string
		for _, tt := range ts {
			out = append(out, tt.Name)
		}
		return out
	}
	staging := []*Model{p.Model("stg_kommune"), p.Model("stg_fylke")}
	want := []string{"accepted_values_stg_kommune_niva", "not_null_stg_kommune_kode_fylke",
		"relationships_stg_kommune_fylke__stg_fylke", "relationships_stg_kommune_fylke_land__stg_fylke",
		"unique_stg_fylke_kode", "unique_stg_kommune_kode"}
	if got := names(p.TestsFor(staging, true)); !slices.Equal(got, want) {
		t.Errorf("TestsFor(staging) = %q, want %q", got, want)
	}
	// Without stg_fylke, the relationships to it cannot run.
	want = []string{"accepted_values_stg_kommune_niva", "not_null_stg_kommune_kode_fylke", "unique_stg_kommune_kode"}
	if got := names(p.TestsFor(staging[:1], true)); !slices.Equal(got, want) {
		t.Errorf("TestsFor(stg_kommune) = %q, want %q", got, want)
	}
	if got := p.TestsFor(nil, true); len(got) != 0 {
		t.Errorf("TestsFor(nothing, reading them) = %q, want none", names(got))
	}
	if got, all := names(p.TestsFor(p.Models, false)), names(p.Tests); !slices.Equal(got, all) {
		t.Errorf("TestsFor(every model) = %q, want every test %q", got, all)
	}
}
