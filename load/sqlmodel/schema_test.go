package sqlmodel

import (
	"testing"
	"testing/fstest"
)

// TestDeclarationErrors parses small trees whose sources file or schema
// files are wrong and checks that each mistake is reported at its file and line.
func TestDeclarationErrors(t *testing.T) {
	const sources = "source raw: a register's table\nreference ref: reference data\noutput meta: written last\n"
	stg := "-- Raw, renamed.\n-- depends: raw\nSELECT a FROM raw\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{name: "fine", files: map[string]string{"sources.txt": sources, "staging/stg_raw.sql": stg,
			"marts/m.sql": "-- M.\n-- depends: stg_raw, ref\nSELECT a FROM stg_raw, ref\n"}},
		{name: "source past staging", files: map[string]string{"sources.txt": sources,
			"marts/m.sql": "-- M.\n-- depends: ref\n-- depends: raw\nSELECT a FROM raw\n"},
			want: []string{"marts/m.sql:3: reads the source raw past staging: read it through a model under staging/"}},
		{name: "undeclared source", files: map[string]string{"sources.txt": sources,
			"staging/stg_x.sql": "-- X.\n-- depends: nosuch\nSELECT 1 FROM nosuch\n"},
			want: []string{"staging/stg_x.sql:2: depends on nosuch, which is neither a model nor an external relation (declare it in sources.txt)"}},
		{name: "no sources file", files: map[string]string{"staging/stg_raw.sql": stg},
			want: []string{"staging/stg_raw.sql:2: depends on raw, which is neither"}},
		{name: "output read by a model", files: map[string]string{"sources.txt": sources,
			"staging/stg_m.sql": "-- M.\n-- depends: meta\nSELECT 1 FROM meta\n"},
			want: []string{"staging/stg_m.sql:2: depends on meta, which is neither"}},
		{name: "source without description", files: map[string]string{"sources.txt": "source raw\n"},
			want: []string{"sources.txt:1: source raw has no description"}},
		{name: "model in the sources file", files: map[string]string{"sources.txt": "model raw\n"},
			want: []string{"sources.txt:1: a model's columns and tests go in the schema.txt beside it"}},
		{name: "source in a schema file", files: map[string]string{"staging/schema.txt": "source raw: x\n"},
			want: []string{"staging/schema.txt:1: external relations (source) are declared in the sources file"}},
		{name: "twice", files: map[string]string{"sources.txt": sources + "\nseed raw: again\n"},
			want: []string{"sources.txt:5: raw is declared twice (also at sources.txt:1)"}},
		{name: "schema of a missing model", files: map[string]string{"sources.txt": sources,
			"staging/schema.txt": "# x\nmodel nosuch\n"},
			want: []string{"staging/schema.txt:2: declares model nosuch, which has no file"}},
		{name: "schema in another folder", files: map[string]string{"sources.txt": sources, "staging/stg_raw.sql": stg,
			"marts/schema.txt": "model stg_raw\n"},
			want: []string{"marts/schema.txt:1: declares model stg_raw, whose file staging/stg_raw.sql is in another folder"}},
		{name: "line before a block", files: map[string]string{"sources.txt": "column a INTEGER: x\n"},
			want: []string{`sources.txt:1: "column" before the first block`}},
		{name: "unknown line", files: map[string]string{"sources.txt": sources + "colum a INTEGER: x\n"},
			want: []string{`sources.txt:4: unknown line "colum"`}},
		{name: "bad column", files: map[string]string{"sources.txt": sources + "column a: no type\n"},
			want: []string{"sources.txt:4: want `column NAME TYPE: meaning`"}},
		{name: "column twice", files: map[string]string{"sources.txt": sources + "column a INTEGER: x\ncolumn A INTEGER: y\n"},
			want: []string{"sources.txt:5: column A of meta is declared twice"}},
		{name: "unknown test", files: map[string]string{"sources.txt": "source raw: r\ntest positive(a)\n"},
			want: []string{`sources.txt:2: unknown test "positive"`}},
		{name: "test of an output", files: map[string]string{"sources.txt": sources + "test unique(a)\n"},
			want: []string{"sources.txt:4: meta is written after the tests run"}},
		{name: "not a literal", files: map[string]string{"sources.txt": "source raw: r\ntest accepted_values(a, x)\n"},
			want: []string{"sources.txt:2: accepted value x is not a SQL literal"}},
		{name: "undeclared column", files: map[string]string{"sources.txt": "source raw: r\ncolumn a INTEGER: x\ntest not_null(a, b)\n"},
			want: []string{"sources.txt:3: raw has no declared column b"}},
		{name: "relationship to nothing", files: map[string]string{"sources.txt": "source raw: r\ntest relationships(a -> nosuch.b)\n"},
			want: []string{"sources.txt:2: relationships refers to nosuch, which is neither"}},
		{name: "relationship to an undeclared column", files: map[string]string{
			"sources.txt": "source raw: r\ntest relationships(a -> ref.c)\nreference ref: x\ncolumn b INTEGER: y\n"},
			want: []string{"sources.txt:2: ref has no declared column c"}},
		{name: "relationship counts", files: map[string]string{"sources.txt": "source raw: r\ntest relationships(a, b -> raw(c))\n"},
			want: []string{"sources.txt:2: relationships: 2 columns refer to 1"}},
		{name: "documented without columns", files: map[string]string{"sources.txt": "source raw: r\nanalyse raw_tabell: the raw table\n"},
			want: []string{"sources.txt:1: raw is documented for analysts but declares no columns"}},
		{name: "doc before published", files: map[string]string{"sources.txt": "source raw: r\ndoc: text\n"},
			want: []string{"sources.txt:2: a doc line comes after the `published` or `analyse` line"}},
		{name: "like nothing", files: map[string]string{"sources.txt": "source raw: r\nlike nosuch\n"},
			want: []string{"sources.txt:1: raw is like nosuch, which is not declared"}},
		{name: "like with a column of its own twice", files: map[string]string{
			"sources.txt": "source raw: r\ncolumn a INTEGER: x\nsource raw2: s\nlike raw\ncolumn a INTEGER: y\n"},
			want: []string{"sources.txt:3: column a of raw2 is also one of raw"}},
		{name: "read by nothing", files: map[string]string{"sources.txt": sources},
			want: []string{"sources.txt:2: reference ref is read by no model or test"}},
		{name: "macro without parameters", files: map[string]string{"marts/f.sql": "-- F.\n-- materialized: macro\nSELECT 1 AS a\n"},
			want: []string{"marts/f.sql:1: a macro declares its parameters"}},
		{name: "parameters of a view", files: map[string]string{"marts/f.sql": "-- F.\n-- parameters: n\nSELECT 1 AS a\n"},
			want: []string{"marts/f.sql:1: parameters apply to a macro (-- materialized: macro), not to a view"}},
		{name: "bad parameters", files: map[string]string{"marts/f.sql": "-- F.\n-- materialized: macro\n-- parameters: n, N\nSELECT 1 AS a\n"},
			want: []string{`marts/f.sql:3: parameters must be distinct plain identifiers separated by commas, not "n, N"`}},
		{name: "macro called undeclared", files: map[string]string{"sources.txt": sources, "staging/stg_raw.sql": stg,
			"marts/f.sql": "-- F.\n-- depends: stg_raw, ref\n-- materialized: macro\n-- parameters: n\nSELECT a FROM stg_raw, ref LIMIT n\n",
			"marts/m.sql": "-- M.\nSELECT a FROM f(1)\n"},
			want: []string{"marts/m.sql:2: uses model f without declaring it"}},
		{name: "schema of a macro", files: map[string]string{"sources.txt": sources, "staging/stg_raw.sql": stg,
			"staging/f.sql":      "-- F.\n-- depends: stg_raw, ref\n-- materialized: macro\n-- parameters: n\nSELECT a FROM stg_raw, ref LIMIT n\n",
			"staging/schema.txt": "model f\ncolumn a INTEGER: x\n"},
			want: []string{"staging/schema.txt:1: declares model f, a macro: a macro has no columns or tests of its own"}},
		{name: "generic test named as a singular one", files: map[string]string{
			"sources.txt": "source raw: r\ntest unique(a)\n", "tests/unique_raw_a.sql": "-- T.\n-- depends: raw\nSELECT 1\n"},
			want: []string{"sources.txt:2: the test unique_raw_a has the name of the data test tests/unique_raw_a.sql"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, text := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(text)}
			}
			p, err := Parse(fsys, ".")
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if len(p.Sources) != 3 || p.Sources[2].Kind != KindOutput {
					t.Errorf("sources %+v, want the three of the file", p.Sources)
				}
				return
			}
			checkParseError(t, err, tt.want)
		})
	}
}
