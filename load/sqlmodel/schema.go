package sqlmodel

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Relation is what a sources file or a folder's schema file says of one
// relation: an external relation's kind and description, or a model's
// columns, generic tests and documentation for analysts.
type Relation struct {
	Name string
	// Kind is KindModel for a model (schema.txt), else the external
	// relation's kind (sources.txt).
	Kind        string
	Description string // an external relation's description; a model's is its header
	Path        string // the file declaring it
	Line        int    // the line of its block
	// Like names the relation whose columns come first (`like NAME`);
	// Columns then hold those followed by its own.
	Like    string
	Columns []Column
	Doc     *Doc // nil unless it is a table of the mart files
	tests   []testDecl
	own     int // Columns[own:] are declared in this block, the others come from Like
}

// Column is one declared column of a relation.
type Column struct {
	Name, Type, Description string
	// Hidden columns are the model's but not copied into the mart files
	// (the documentation leaves them out).
	Hidden bool
}

// Doc says how a relation appears in the analysts' documentation: as a
// table of both mart files (published) or of the analysis mart only.
type Doc struct {
	Table       string // its name in the mart files
	Title       string
	AnalyseOnly bool
	Intro       []string // markdown lines before the column table
	Notes       []string // markdown lines after it
}

// OwnColumns are the columns declared in the relation's own block, not
// those it has from Like.
func (r *Relation) OwnColumns() []Column { return r.Columns[r.own:] }

// Kinds of relation. The external kinds say where the builder gets a
// relation; KindSource relations are the registers' data, which models
// outside staging/ may read only through a staging model.
const (
	KindModel     = "model"
	KindSource    = "source"    // a register's table in a data state
	KindSeed      = "seed"      // a file of sql/seeds/
	KindReference = "reference" // built by the builder from the reference data
	KindInput     = "input"     // the builder's own state: the history, the ledger
	KindOutput    = "output"    // written into the mart files by the builder; no model reads it
)

var externalKinds = []string{KindSource, KindSeed, KindReference, KindInput, KindOutput}

// File names of the declarations beside the models.
const (
	SourcesFile = "sources.txt" // at the root of the models tree
	SchemaFile  = "schema.txt"  // in a folder of models
)

// testDecl is one `test` line of a block, compiled to a Test in link.
type testDecl struct {
	kind   string
	cols   []string // unique, not_null: the columns; accepted_values, relationships: the tested columns
	vals   []string // accepted_values: the SQL literals
	to     string   // relationships: the relation referred to
	toCols []string
	line   int
}

var (
	blockRE   = regexp.MustCompile(`^([a-z]+)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*(.*))?$`)
	columnRE  = regexp.MustCompile(`^(column|hidden)\s+([A-Za-z_][A-Za-z0-9_]*)\s+([^:]+?)\s*:\s*(.+)$`)
	testRE    = regexp.MustCompile(`^test\s+([a-z_]+)\s*\((.*)\)$`)
	literalRE = regexp.MustCompile(`^('([^']|'')*'|-?[0-9]+(\.[0-9]+)?|true|false)$`)
	refRE     = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*)|\s*\((.*)\))$`)
)

// parseSchema reads a sources file (sources true) or a folder's schema
// file into its blocks. Every problem is reported with its line.
func parseSchema(p, src string, sources bool) ([]*Relation, error) {
	var out []*Relation
	var errs []error
	var cur *Relation
	for i, l := range strings.Split(src, "\n") {
		line := i + 1
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if err := applySchemaLine(p, t, line, sources, &cur, &out); err != nil {
			errs = append(errs, errAt(p, line, "%v", err))
		}
	}
	return out, errors.Join(errs...)
}

// applySchemaLine applies one line to the block being read, or starts a new one.
func applySchemaLine(p, t string, line int, sources bool, cur **Relation, out *[]*Relation) error {
	word, rest, _ := strings.Cut(t, " ")
	word = strings.TrimSuffix(word, ":")
	rest = strings.TrimSpace(rest)
	if word == KindModel || slices.Contains(externalKinds, word) {
		m := blockRE.FindStringSubmatch(t)
		if m == nil {
			return fmt.Errorf("want `%s NAME` with NAME a plain identifier", word)
		}
		r := &Relation{Name: m[2], Kind: word, Description: strings.TrimSpace(m[3]), Path: p, Line: line}
		switch {
		case sources && word == KindModel:
			return errors.New("a model's columns and tests go in the schema.txt beside it, not in the sources file")
		case !sources && word != KindModel:
			return fmt.Errorf("external relations (%s) are declared in the sources file at the root of the models", word)
		case word == KindModel && r.Description != "":
			return errors.New("a model's description is its file's header, not a line here")
		case word != KindModel && r.Description == "":
			return fmt.Errorf("%s %s has no description: write `%s %s: what it is`", word, r.Name, word, r.Name)
		}
		*cur = r
		*out = append(*out, r)
		return nil
	}
	r := *cur
	if r == nil {
		return fmt.Errorf("%q before the first block: start one with `model NAME` or, in the sources file, `source NAME: description`", word)
	}
	switch word {
	case "column", "hidden":
		m := columnRE.FindStringSubmatch(t)
		if m == nil {
			return fmt.Errorf("want `%s NAME TYPE: meaning`", word)
		}
		for _, c := range r.Columns {
			if strings.EqualFold(c.Name, m[2]) {
				return fmt.Errorf("column %s of %s is declared twice", m[2], r.Name)
			}
		}
		r.Columns = append(r.Columns, Column{Name: m[2], Type: m[3], Description: m[4], Hidden: word == "hidden"})
	case "like":
		if !nameRE.MatchString(rest) || r.Like != "" || len(r.Columns) > 0 {
			return errors.New("want one `like NAME`, before the columns")
		}
		r.Like = rest
	case "published", "analyse":
		if r.Doc != nil {
			return fmt.Errorf("%s is documented twice", r.Name)
		}
		d := &Doc{Table: r.Name, AnalyseOnly: word == "analyse"}
		if word == "analyse" {
			name, title, ok := strings.Cut(rest, ":")
			d.Table, d.Title = strings.TrimSpace(name), strings.TrimSpace(title)
			if !ok || !nameRE.MatchString(d.Table) {
				return errors.New("want `analyse TABLE: title`: the table's name in the analysis mart and what it holds")
			}
		} else {
			d.Title = rest
		}
		if d.Title == "" {
			return fmt.Errorf("%s has no title", word)
		}
		r.Doc = d
	case "doc":
		if r.Doc == nil {
			return errors.New("a doc line comes after the `published` or `analyse` line of its relation")
		}
		text := strings.TrimPrefix(strings.TrimPrefix(t, "doc:"), " ")
		if len(r.Columns) == 0 {
			r.Doc.Intro = append(r.Doc.Intro, text)
		} else {
			r.Doc.Notes = append(r.Doc.Notes, text)
		}
	case "test":
		d, err := parseTestDecl(t)
		if err != nil {
			return err
		}
		d.line = line
		r.tests = append(r.tests, d)
	default:
		return fmt.Errorf("unknown line %q: a line starts with model, %s, column, hidden, like, published, analyse, doc or test",
			word, strings.Join(externalKinds, ", "))
	}
	return nil
}

// parseTestDecl reads `test KIND(ARGS)`:
//
//	unique(a, b)                     no two rows share (a, b)
//	not_null(a, b)                   neither a nor b is NULL
//	accepted_values(a, 'x', 'y')     a is 'x' or 'y' (or NULL)
//	relationships(a -> other.c)      every a (not NULL) is a c of other
//	relationships(a, b -> other(c, d))
func parseTestDecl(t string) (testDecl, error) {
	m := testRE.FindStringSubmatch(t)
	if m == nil {
		return testDecl{}, errors.New("want `test KIND(ARGS)`, KIND unique, not_null, accepted_values or relationships")
	}
	d := testDecl{kind: m[1]}
	args := m[2]
	switch d.kind {
	case "unique", "not_null":
		d.cols = splitNames(args)
	case "accepted_values":
		parts := splitArgs(args)
		if len(parts) < 2 {
			return d, errors.New("accepted_values(COLUMN, VALUE, ...) needs a column and at least one value")
		}
		d.cols = []string{parts[0]}
		for _, v := range parts[1:] {
			if !literalRE.MatchString(v) {
				return d, fmt.Errorf("accepted value %s is not a SQL literal ('text', a number, true or false)", v)
			}
			d.vals = append(d.vals, v)
		}
	case "relationships":
		from, to, ok := strings.Cut(args, "->")
		r := refRE.FindStringSubmatch(strings.TrimSpace(to))
		if !ok || r == nil {
			return d, errors.New("want relationships(COLUMN -> RELATION.COLUMN) or relationships(A, B -> RELATION(C, D))")
		}
		d.cols, d.to = splitNames(from), r[1]
		if r[2] != "" {
			d.toCols = []string{r[2]}
		} else {
			d.toCols = splitNames(r[3])
		}
		if len(d.toCols) != len(d.cols) {
			return d, fmt.Errorf("relationships: %d columns refer to %d", len(d.cols), len(d.toCols))
		}
	default:
		return d, fmt.Errorf("unknown test %q: unique, not_null, accepted_values or relationships (write other tests as queries under tests/)", d.kind)
	}
	for _, c := range append(slices.Clone(d.cols), d.toCols...) {
		if !nameRE.MatchString(c) {
			return d, fmt.Errorf("%q is not a column name", c)
		}
	}
	if len(d.cols) == 0 {
		return d, fmt.Errorf("%s names no column", d.kind)
	}
	return d, nil
}

// splitArgs splits a comma-separated list, keeping commas inside quotes.
func splitArgs(s string) []string {
	var out []string
	start, quoted := 0, false
	for i, c := range s {
		switch {
		case c == '\'':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" || len(out) > 0 {
		out = append(out, rest)
	}
	return out
}

func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// compile turns a test declaration on relation r into a data test: a query
// returning the rows that break it.
func (d testDecl) compile(r *Relation) *Test {
	cols := quoteAll(d.cols)
	rel := quoteIdent(r.Name)
	t := &Test{Path: fmt.Sprintf("%s:%d", r.Path, d.line), Severity: SeverityError, Depends: []string{r.Name}}
	name := d.kind + "_" + r.Name + "_" + strings.Join(d.cols, "_")
	list := strings.Join(d.cols, ", ")
	switch d.kind {
	case "unique":
		t.Description = fmt.Sprintf("No two rows of %s share (%s).", r.Name, list)
		t.SQL = fmt.Sprintf("SELECT %s, count(*) AS n\nFROM %s\nGROUP BY ALL\nHAVING count(*) > 1", strings.Join(cols, ", "), rel)
	case "not_null":
		t.Description = fmt.Sprintf("%s has no NULL in %s.", r.Name, list)
		t.SQL = fmt.Sprintf("SELECT %s\nFROM %s\nWHERE %s IS NULL", strings.Join(cols, ", "), rel, strings.Join(cols, " IS NULL OR "))
	case "accepted_values":
		t.Description = fmt.Sprintf("%s.%s is one of %s.", r.Name, list, strings.Join(d.vals, ", "))
		t.SQL = fmt.Sprintf("SELECT %s, count(*) AS n\nFROM %s\nWHERE %s NOT IN (%s)\nGROUP BY ALL",
			cols[0], rel, cols[0], strings.Join(d.vals, ", "))
	case "relationships":
		name += "__" + d.to
		t.Depends = append(t.Depends, d.to)
		t.Description = fmt.Sprintf("Every (%s) of %s is a (%s) of %s.", list, r.Name, strings.Join(d.toCols, ", "), d.to)
		var on, notNull []string
		for i, c := range cols {
			on = append(on, fmt.Sprintf("parent.%s = child.%s", quoteIdent(d.toCols[i]), c))
			notNull = append(notNull, "child."+c+" IS NOT NULL")
		}
		t.SQL = fmt.Sprintf("SELECT DISTINCT child.%s\nFROM %s AS child\nWHERE %s\n  AND NOT EXISTS (SELECT 1 FROM %s AS parent WHERE %s)",
			strings.Join(cols, ", child."), rel, strings.Join(notNull, " AND "), quoteIdent(d.to), strings.Join(on, " AND "))
	}
	t.Name = name
	return t
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quoteIdent(n)
	}
	return out
}
