package research

import (
	"fmt"
	"io"
	"strings"
)

// Codebook documents every variable of an extract: its meaning, type, code
// list, definition and the generalisation applied.
type Codebook struct {
	Project  string          `json:"project"`
	Approval string          `json:"approval"`
	KeyID    string          `json:"key_id"`
	K        int             `json:"k"`
	Tables   []CodebookTable `json:"tables"`
}

// CodebookTable is one table of a codebook.
type CodebookTable struct {
	Table     string          `json:"table"`
	Meaning   string          `json:"meaning"`
	Source    string          `json:"source"`
	Rows      int64           `json:"rows"`
	Variables []CodebookEntry `json:"variables"`
}

// CodebookEntry is one variable of a codebook table.
type CodebookEntry struct {
	Name       string      `json:"name"`
	Meaning    string      `json:"meaning"`
	Type       string      `json:"type"`
	Definition string      `json:"definition,omitempty"`
	Codes      []CodeValue `json:"codes,omitempty"`
	// QuasiIdentifier is set for a declared quasi-identifier, Generalised
	// says to which level of its hierarchy ("" for none).
	QuasiIdentifier bool     `json:"quasi_identifier"`
	Generalised     string   `json:"generalisation,omitempty"`
	Hierarchy       []string `json:"hierarchy,omitempty"`
}

// codebook builds the codebook of the extract at levels.
func (x *extractor) codebook() *Codebook {
	cb := &Codebook{Project: x.m.Project, Approval: x.m.Approval, KeyID: x.m.KeyID, K: x.p.K}
	for i, wt := range x.tables {
		ct := CodebookTable{Table: wt.t.Name, Meaning: wt.t.Meaning, Source: wt.t.Source, Rows: x.m.Tables[i].RowsOut}
		for c, v := range wt.vars[:wt.hidden] {
			e := CodebookEntry{Name: v.Name, Meaning: v.Meaning, Type: v.Type, Definition: v.Definition, Codes: v.Codes}
			if e.Definition == "" {
				e.Definition = fmt.Sprintf("column %s of the %s register's %s table", v.Expr, wt.t.Source, wt.t.Parquet)
			}
			j := x.qiIndex(v.Name)
			switch d := wt.derive[c]; {
			case j >= 0 && x.qis[j].household:
				e.QuasiIdentifier, e.Hierarchy = true, x.qis[j].h.Levels()
				e.Generalised = "per household: the pseudonym, or null where the household's size and composition would single it out"
				e.Definition += "; the household's size and composition (its members' sexes, birth years and ages as written, in every table) are a quasi-identifier, every group of persons counts k households"
			case j >= 0:
				q := x.qis[j]
				e.QuasiIdentifier, e.Hierarchy, e.Type = true, q.h.Levels(), "VARCHAR"
				e.Generalised = "per person, up to " + q.h.Levels()[q.max]
				e.Definition += "; generalised per person along its hierarchy as far as needed, up to " + q.h.Levels()[q.max] +
					" (" + All + " = all values; the manifest gives the share at each level); persons whose signature across the extract and the project's earlier extracts is shared by fewer than k persons suppressed in every table"
			case d[0] >= 0 && d[1] >= 0:
				e.Type = "VARCHAR"
				e.Generalised = "with " + x.qis[d[0]].name + " and " + x.qis[d[1]].name
				e.Definition += "; given as precisely as the coarser of " + x.qis[d[0]].name + " and " + x.qis[d[1]].name +
					" goes out for the person: days while both are exact dates, else whole months (P2M) or years (P1Y) between the generalised dates, or " + All
			}
			ct.Variables = append(ct.Variables, e)
		}
		cb.Tables = append(cb.Tables, ct)
	}
	return cb
}

// WriteMarkdown writes the codebook as a markdown document.
func (cb *Codebook) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "# Codebook: project %s\n\nApproval: %s. Key id: %s. Every person's quasi-identifiers, over all rows of all tables of the extract, are shared by at least k = %d persons.\n",
		cb.Project, cb.Approval, cb.KeyID, cb.K)
	for _, t := range cb.Tables {
		fmt.Fprintf(w, "\n## %s\n\n%s (source %s), %d rows.\n\n", t.Table, t.Meaning, t.Source, t.Rows)
		fmt.Fprintf(w, "| variable | meaning | type | definition | codes | generalisation |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, v := range t.Variables {
			cs := make([]string, len(v.Codes))
			for i, c := range v.Codes {
				cs[i] = "`" + c.Code + "` " + c.Meaning
			}
			gen := ""
			if v.QuasiIdentifier {
				gen = "quasi-identifier, at level **" + v.Generalised + "** of " + strings.Join(v.Hierarchy, " → ")
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", v.Name, cell(v.Meaning), v.Type, cell(v.Definition), cell(strings.Join(cs, "; ")), gen)
		}
	}
}

// cell escapes a markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
