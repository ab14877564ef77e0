package sqlmodel

import (
	"fmt"
	"strings"
)

// Groups of documented tables, each written between its pair of markers.
const (
	DocsPublished = "published" // tables of both mart files
	DocsAnalyse   = "analyse"   // tables of the analysis mart only
)

// docsBegin starts a generated part of a markdown file: the marker line
// names the group, e.g. "<!-- generated tables: published ... -->".
const (
	docsBegin = "<!-- generated tables: "
	docsEnd   = "<!-- end of generated tables -->"
)

// WriteTables writes the documentation of the group's tables in markdown,
// in the order of the declarations (Project.Relations): per table a heading
// with its name and title, its doc lines, its columns (those of the
// declaration it is like left out, hidden ones too) and its closing lines.
func (p *Project) WriteTables(b *strings.Builder, group string) {
	heading := "###"
	if group == DocsAnalyse {
		heading = "####"
	}
	first := true
	for _, r := range p.Relations {
		if r.Doc == nil || r.Doc.AnalyseOnly != (group == DocsAnalyse) {
			continue
		}
		if !first {
			b.WriteString("\n")
		}
		first = false
		fmt.Fprintf(b, "%s `%s` — %s\n", heading, r.Doc.Table, r.Doc.Title)
		writeLines(b, r.Doc.Intro)
		var cols []Column
		for _, c := range r.OwnColumns() {
			if !c.Hidden {
				cols = append(cols, c)
			}
		}
		if len(cols) > 0 {
			b.WriteString("\n| column | type | meaning |\n| --- | --- | --- |\n")
			for _, c := range cols {
				fmt.Fprintf(b, "| `%s` | %s | %s |\n", c.Name, c.Type, strings.ReplaceAll(c.Description, "|", `\|`))
			}
		}
		writeLines(b, r.Doc.Notes)
	}
}

// writeLines writes doc lines as a paragraph after a blank line.
func writeLines(b *strings.Builder, lines []string) {
	if len(lines) == 0 {
		return
	}
	b.WriteString("\n")
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\n")
	}
}

// UpdateDocs returns the markdown text with each generated part replaced
// by what WriteTables writes now: the lines between a line starting
// "<!-- generated tables: GROUP" and the next "<!-- end of generated
// tables -->". The text outside the markers is kept as it is. A test
// compares a committed file with UpdateDocs of it, so that the
// documentation cannot drift from the declarations.
func (p *Project) UpdateDocs(text string) (string, error) {
	var out strings.Builder
	rest := text
	found := 0
	for {
		i := strings.Index(rest, docsBegin)
		if i < 0 {
			break
		}
		eol := strings.IndexByte(rest[i:], '\n')
		if eol < 0 {
			return "", fmt.Errorf("the marker %q ends the file", docsBegin)
		}
		marker := rest[i : i+eol+1]
		group, _, _ := strings.Cut(strings.TrimPrefix(marker, docsBegin), " ")
		group = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(group), "-->"))
		if group != DocsPublished && group != DocsAnalyse {
			return "", fmt.Errorf("generated tables of unknown group %q: want %s or %s", group, DocsPublished, DocsAnalyse)
		}
		end := strings.Index(rest[i+eol+1:], docsEnd)
		if end < 0 {
			return "", fmt.Errorf("generated tables %s: no %q after the marker", group, docsEnd)
		}
		out.WriteString(rest[:i])
		out.WriteString(marker)
		out.WriteString("\n")
		p.WriteTables(&out, group)
		out.WriteString("\n")
		rest = rest[i+eol+1+end:]
		found++
	}
	if found == 0 {
		return "", fmt.Errorf("no generated tables: mark them with a line %q...\"-->\" and %q", docsBegin+DocsPublished+" ", docsEnd)
	}
	out.WriteString(rest)
	return out.String(), nil
}
