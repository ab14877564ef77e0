package sqlmodel

import (
	"strings"
	"testing"
)

func TestUpdateDocs(t *testing.T) {
	p := parseFixture(t, "generic")
	p.Relation("raw_kommune").Columns[3].Description = "kommune | bydel" // a pipe in a meaning must not split the table's cell
	in := "# Tables\n\nHand-written.\n\n<!-- generated tables: published — edit schema.txt -->\nstale text\n<!-- end of generated tables -->\n\nAfter.\n"
	want := "# Tables\n\nHand-written.\n\n<!-- generated tables: published — edit schema.txt -->\n\n" +
		"### `fylke_kommuner` — kommuner per fylke\n\nOne row per fylke.\n\nFylker without kommuner count 0.\n\n" +
		"| column | type | meaning |\n| --- | --- | --- |\n" +
		"| `fylke` | VARCHAR | the fylke's code |\n| `kommuner` | BIGINT | its kommuner, `bydel` included |\n" +
		"\nA note after the table.\n\n<!-- end of generated tables -->\n\nAfter.\n"
	got, err := p.UpdateDocs(in)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("UpdateDocs:\n%s\nwant:\n%s", got, want)
	}
	if again, err := p.UpdateDocs(got); err != nil || again != got {
		t.Errorf("UpdateDocs of its own output changed it (%v):\n%s", err, again)
	}

	// The analyse group: the sources file's raw_kommune is not documented,
	// so a relation gets a heading only when it has a doc line.
	p.Relation("raw_kommune").Doc = &Doc{Table: "kommune", Title: "as delivered", AnalyseOnly: true}
	got, err = p.UpdateDocs("<!-- generated tables: analyse -->\n<!-- end of generated tables -->\n")
	wantAnalyse := "<!-- generated tables: analyse -->\n\n#### `kommune` — as delivered\n\n| column | type | meaning |\n| --- | --- | --- |\n" +
		"| `kode` | VARCHAR | the kommune's code |\n| `fylke` | VARCHAR | its fylke |\n| `land` | VARCHAR | its country |\n" +
		"| `niva` | VARCHAR | kommune \\| bydel |\n\n<!-- end of generated tables -->\n"
	if err != nil || got != wantAnalyse {
		t.Errorf("UpdateDocs analyse (%v):\n%s\nwant:\n%s", err, got, wantAnalyse)
	}

	for _, bad := range []struct{ text, want string }{
		{"no markers\n", "no generated tables"},
		{"<!-- generated tables: other -->\n<!-- end of generated tables -->\n", `unknown group "other"`},
		{"<!-- generated tables: published -->\nno end\n", "no \"<!-- end of generated tables -->\" after the marker"},
	} {
		if _, err := p.UpdateDocs(bad.text); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("UpdateDocs(%q) error %v, want one containing %q", bad.text, err, bad.want)
		}
	}
}
