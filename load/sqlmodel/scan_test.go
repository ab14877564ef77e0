package sqlmodel

import (
	"slices"
	"strings"
	"testing"
)

func TestScanSQL(t *testing.T) {
	tests := []struct {
		src    string
		idents []string // identifiers in order
		semis  int
		err    string
	}{
		{src: "SELECT a FROM b", idents: []string{"SELECT", "a", "FROM", "b"}},
		{src: "SELECT a -- b c\nFROM d", idents: []string{"SELECT", "a", "FROM", "d"}},
		{src: "SELECT a /* b\n c */ FROM d", idents: []string{"SELECT", "a", "FROM", "d"}},
		{src: "SELECT 'b', 'it''s b', E'b\\'s b' AS e", idents: []string{"SELECT", "AS", "e"}},
		{src: "SELECT $$ b $$, $t$ b $ b $t$, $1", idents: []string{"SELECT"}},
		{src: `SELECT "b c", "say ""hi""" FROM "x"`, idents: []string{"SELECT", "b c", `say "hi"`, "FROM", "x"}},
		{src: "SELECT 1e5, 2.5x, s.b_c, kø FROM t", idents: []string{"SELECT", "s", "b_c", "kø", "FROM", "t"}},
		{src: "SELECT 1; SELECT 2;", idents: []string{"SELECT", "SELECT"}, semis: 2},
		{src: "SELECT ';' -- ;\n", idents: []string{"SELECT"}},
		{src: "SELECT 'open", err: "string literal ' is not closed"},
		{src: `SELECT "open`, err: `quoted identifier " is not closed`},
		{src: "SELECT /* open", err: "block comment /* is not closed"},
		{src: "SELECT $x$ open", err: "dollar-quoted string $x$ is not closed"},
	}
	for _, tt := range tests {
		toks, err := scanSQL(tt.src)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("scanSQL(%q) error %v, want %q", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("scanSQL(%q): %v", tt.src, err)
			continue
		}
		var idents []string
		semis := 0
		for _, tok := range toks {
			switch tok.kind {
			case tokIdent:
				idents = append(idents, tok.text)
				if !strings.HasPrefix(tt.src[tok.off:], tok.text) && tt.src[tok.off] != '"' {
					t.Errorf("scanSQL(%q): %q at offset %d is not there", tt.src, tok.text, tok.off)
				}
			case tokSemi:
				semis++
			}
		}
		if !slices.Equal(idents, tt.idents) || semis != tt.semis {
			t.Errorf("scanSQL(%q) = identifiers %q, %d semicolons; want %q, %d", tt.src, idents, semis, tt.idents, tt.semis)
		}
	}
}

func TestRelationUses(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"SELECT a, b.c AS d FROM e", []string{"e"}},
		{"FROM a SELECT b", []string{"a"}},
		{"SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (x), d", []string{"a", "b", "c", "d"}},
		{"SELECT * FROM a, b AS x, main.c WHERE f(a, b) GROUP BY a, b", []string{"a", "b", "c"}},
		{"SELECT * FROM (SELECT 1 FROM a) s, b ORDER BY x, y", []string{"a", "b"}},
		{"SELECT * FROM a WHERE x IN (SELECT x FROM b) AND y IN (1, c)", []string{"a", "b"}},
		{"WITH a AS (SELECT 1 FROM x), b AS MATERIALIZED (FROM y) SELECT * FROM a, b, z", []string{"x", "y", "z"}},
		{`SELECT * FROM "From", "b"`, []string{"From", "b"}},
		{"SELECT x IS NOT DISTINCT FROM y.z, substring(s FROM 2) FROM t", []string{"t"}},
		{"SELECT 1 UNION ALL SELECT 2 FROM a, b UNION SELECT 3, c", []string{"a", "b"}},
	}
	for _, tt := range tests {
		toks, err := scanSQL(tt.src)
		if err != nil {
			t.Fatalf("scanSQL(%q): %v", tt.src, err)
		}
		var got []string
		for _, u := range relationUses(toks) {
			got = append(got, u.text)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("relationUses(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}
