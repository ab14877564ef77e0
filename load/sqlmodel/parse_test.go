package sqlmodel

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func parseFixture(t *testing.T, dir string) *Project {
	t.Helper()
	p, err := Parse(os.DirFS("testdata"), dir)
	if err != nil {
		t.Fatalf("Parse(%s): %v", dir, err)
	}
	return p
}

func modelNames(ms []*Model) []string {
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	return names
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		dir     string
		want    []string // substrings of the error; none means Parse must succeed
		exclude []string // substrings the error must not have
	}{
		{dir: "valid"},
		{dir: "mentions"},
		{dir: "missingdep",
			want: []string{"missingdep/m.sql:2: depends on nosuch, which is neither a model nor an external relation"}},
		{dir: "undeclared",
			want: []string{"undeclared/b.sql:4: uses model a without declaring it", "undeclared/c.sql:5: uses model a without declaring it",
				"undeclared/c.sql:6: uses model d without", "undeclared/c.sql:7: uses model e without",
				"undeclared/f.sql:5: uses kilde without declaring it"}},
		{dir: "sourcebody",
			want:    []string{"sourcebody/marts/bosatte.sql:6: reads the source src_bosetting past staging: read it through a model under staging/"},
			exclude: []string{"navn.sql", "stg_bosetting.sql"}},
		{dir: "cycle",
			want: []string{"dependency cycle: a -> b -> c -> a", "cycle/a.sql, cycle/b.sql, cycle/c.sql"}},
		{dir: "duplicate",
			want: []string{"two models named same: duplicate/x/same.sql and duplicate/y/same.sql"}},
		{dir: "badmaterialized",
			want: []string{"badmaterialized/m.sql:2: materialized must be view, table or macro, not \"tabel\""}},
		{dir: "twostatements",
			want: []string{"twostatements/m.sql:3: more than one statement"}},
		{dir: "notquery",
			want: []string{"notquery/m.sql:2: the body must be one query", `"CREATE"`}},
		{dir: "straydirective",
			want: []string{"straydirective/m.sql:3: a \"depends\" directive after the header, which ends at line 1"}},
		{dir: "nodescription",
			want: []string{"nodescription/m.sql:1: the header has no description"}},
		{dir: "modelseverity",
			want: []string{"modelseverity/m.sql:2: severity applies to data tests"}},
		{dir: "externalclash",
			want: []string{"externalclash/kilde.sql: model kilde has the name of an external relation"}},
		{dir: "nosuchdir", want: []string{"reading model files under nosuchdir"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			p, err := Parse(os.DirFS("testdata"), tt.dir)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if len(p.Models) == 0 {
					t.Fatal("Parse found no models")
				}
				return
			}
			checkParseError(t, err, tt.want)
			for _, x := range tt.exclude {
				if err != nil && strings.Contains(err.Error(), x) {
					t.Errorf("error %q\nreports %s, which it must not", err, x)
				}
			}
		})
	}
}

// checkParseError checks that Parse failed with an error containing each of want.
func checkParseError(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Parse succeeded, want an error containing %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
}

func TestParseValid(t *testing.T) {
	p := parseFixture(t, "valid")

	// Build order: dependencies first, ties by name, not by file order (marts/ sorts before staging/).
	wantOrder := []string{"bosatte", "kommune_navn", "indikator", "land", "andel"}
	if got := modelNames(p.Models); !slices.Equal(got, wantOrder) {
		t.Errorf("build order %v, want %v", got, wantOrder)
	}

	ind := p.Model("INDIKATOR")
	if ind == nil {
		t.Fatal(`Model("INDIKATOR") = nil`)
	}
	if ind.Path != "valid/marts/indikator.sql" || ind.Materialized != Table {
		t.Errorf("indikator: path %q materialized %q", ind.Path, ind.Materialized)
	}
	if !slices.Equal(ind.Depends, []string{"bosatte", "kommune_navn"}) {
		t.Errorf("indikator depends on %q, want the declared models once each", ind.Depends)
	}
	wantDesc := "Settled per kommune and year, with the kommune's name.\n\nA kommune missing from the name list keeps a NULL name (a data test finds it)."
	if ind.Description != wantDesc {
		t.Errorf("indikator description %q, want %q", ind.Description, wantDesc)
	}
	if !strings.HasPrefix(ind.SQL, "SELECT b.kommune") || !strings.HasSuffix(ind.SQL, "-- names valid in the year") {
		t.Errorf("indikator SQL is not the body after the header:\n%s", ind.SQL)
	}
	if m := p.Model("land"); m.Materialized != View {
		t.Errorf("land materialized %q, want the default view", m.Materialized)
	}
	if sql := p.Model("bosatte").SQL; strings.HasSuffix(sql, ";") {
		t.Errorf("bosatte SQL keeps its semicolon: %q", sql)
	}
	if sql := p.Model("andel").SQL; !strings.HasSuffix(sql, "USING (aar)") {
		t.Errorf("andel SQL does not end at the semicolon: %q", sql)
	}
	if p.Model("nosuch") != nil {
		t.Error(`Model("nosuch") != nil`)
	}

	var tests []string
	for _, tt := range p.Tests {
		tests = append(tests, tt.Name+":"+tt.Severity)
	}
	wantTests := []string{"kommune_kjent:error", "smaa_tall:warn", "unique_indikator:error"}
	if !slices.Equal(tests, wantTests) {
		t.Errorf("tests %v, want %v", tests, wantTests)
	}
	if d := p.Tests[0].Description; d != "Every kommune settled in has a name in its year." {
		t.Errorf("kommune_kjent description %q", d)
	}
}

func TestUpstream(t *testing.T) {
	p := parseFixture(t, "valid")
	tests := []struct {
		names   []string
		want    []string
		wantErr string
	}{
		{names: []string{"andel"}, want: []string{"bosatte", "kommune_navn", "indikator", "land", "andel"}},
		{names: []string{"land"}, want: []string{"bosatte", "kommune_navn", "indikator", "land"}},
		{names: []string{"kommune_navn"}, want: []string{"kommune_navn"}},
		{names: []string{"kommune_navn", "BOSATTE"}, want: []string{"bosatte", "kommune_navn"}},
		{names: []string{"Land", "indikator"}, want: []string{"bosatte", "kommune_navn", "indikator", "land"}},
		{names: []string{"bosetting"}, want: nil}, // an external relation: the caller provides it
		{names: []string{"kommune", "kommune_navn"}, want: []string{"kommune_navn"}},
		{names: nil, want: nil},
		{names: []string{"land", "nosuch"}, wantErr: `no model or external relation "nosuch"`},
	}
	for _, tt := range tests {
		got, err := p.Upstream(tt.names...)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Upstream(%q) error %v, want %q", tt.names, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Upstream(%q): %v", tt.names, err)
		} else if !slices.Equal(modelNames(got), tt.want) {
			t.Errorf("Upstream(%q) = %v, want %v", tt.names, modelNames(got), tt.want)
		}
	}
}

func TestWriteGraph(t *testing.T) {
	p := parseFixture(t, "valid")
	var b strings.Builder
	if err := p.WriteGraph(&b); err != nil {
		t.Fatal(err)
	}
	want := `bosatte (view) <- bosetting  -- Settled refugees per kommune and year.
kommune_navn (table) <- kommune  -- Kommune names per year, once each.
indikator (table) <- bosatte, kommune_navn  -- Settled per kommune and year, with the kommune's name.
land (view) <- indikator  -- Settled in the whole country per year.
andel (table) <- indikator, land  -- Each kommune's share of the country's settled in the year.
`
	if b.String() != want {
		t.Errorf("WriteGraph:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteDOT(t *testing.T) {
	p := parseFixture(t, "valid")
	var b strings.Builder
	if err := p.WriteDOT(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"digraph models {",
		`"bosetting" [shape=ellipse, style=dashed];`,
		`"kommune" [shape=ellipse, style=dashed];`,
		`"land" [shape=box, tooltip="Settled in the whole country per year."];`,
		`"andel" [shape=cylinder,`,
		`tooltip="Settled per kommune and year, with the kommune's name.\n\nA kommune`,
		`"bosetting" -> "bosatte";`,
		`"land" -> "andel";`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("DOT output lacks %s:\n%s", want, out)
		}
	}
	if n := strings.Count(out, " -> "); n != 7 {
		t.Errorf("DOT output has %d edges, want 7 (one per declared dependency)", n)
	}
	if !strings.HasSuffix(out, "}\n") {
		t.Errorf("DOT output not closed:\n%s", out)
	}
}
