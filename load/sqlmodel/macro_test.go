package sqlmodel

import (
	"slices"
	"strings"
	"testing"
)

// TestMacro parses and builds a tree with a table macro: it is created
// after what it reads and before the models that call it, each call with
// its own arguments, and shown as a macro in the graph.
func TestMacro(t *testing.T) {
	p := parseFixture(t, "macro")
	if m := p.Model("fylt"); m.Materialized != Macro || !slices.Equal(m.Parameters, []string{"fra_aar", "modeller"}) {
		t.Fatalf("fylt: %q with parameters %q, want a macro of fra_aar, modeller", m.Materialized, m.Parameters)
	}
	conn := openConn(t)
	got := buildAll(t, conn, p.Models)
	want := []string{"bosatte_aar:-1", "fylt:-1", "oslo:-1", "oslo_2021:-1", "trondheim:-1", "byer:4"}
	if !slices.Equal(got, want) {
		t.Errorf("built %v, want %v", got, want)
	}
	for q, want := range map[string][]string{
		`SELECT * FROM byer ORDER BY ALL`:      {"0301|2020|2", "0301|2021|3", "5001|2020|1", "9999|2020|0"},
		`SELECT * FROM oslo_2021 ORDER BY ALL`: {"0301|2021|3"},
		// A list of relations reads their UNION ALL: a row twice counts twice.
		`SELECT * FROM fylt(2021, ['oslo', 'oslo'])`: {"0301|2021|6"},
	} {
		if got := query(t, conn, q); !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", q, got, want)
		}
	}
	// Rebuilding replaces the macro, as it does a view.
	if got := buildAll(t, conn, p.Models); !slices.Equal(got, want) {
		t.Errorf("rebuilt %v, want %v", got, want)
	}

	var b strings.Builder
	if err := p.WriteGraph(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nfylt (macro) <- bosatte_aar  -- Every kommune and year from fra_aar on") {
		t.Errorf("graph:\n%s\nwant the macro's line", b.String())
	}
	b.Reset()
	if err := p.WriteDOT(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\t\"fylt\" [shape=hexagon, ") {
		t.Errorf("DOT:\n%s\nwant the macro as a hexagon", b.String())
	}
}
