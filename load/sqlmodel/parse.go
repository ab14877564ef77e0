// Package sqlmodel builds the DuckDB marts from SQL model files, dbt style: one
// model per file, a readable query under a header comment that declares what
// the model reads and whether it is a view or a table. It parses a tree of
// model files into a dependency graph, checks the declarations, creates the
// models in build order and runs the data tests that sit beside them.
//
// The file format is described in README.md.
package sqlmodel

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Model is one model file: a query that becomes a view, a table or a table
// macro of the same name.
type Model struct {
	Name        string   // the file name without .sql
	Path        string   // the file's path in the parsed file system
	Description string   // the header lines that are not directives
	Depends     []string // declared models and external relations, in declared order, without repeats
	// Materialized is "view" (the default), "table" or "macro": a DuckDB
	// table macro, which the models that depend on it call with arguments.
	Materialized string
	// Parameters are a macro's parameter names, in order; none for a view or table.
	Parameters []string
	// SQL is the query after the header, without a trailing semicolon.
	SQL string
}

// Test is one data test: a query returning the rows that violate it.
type Test struct {
	Name        string   // the file name without .sql
	Path        string   // the file's path in the parsed file system
	Description string   // what is tested: the header lines that are not directives
	Depends     []string // declared models and external relations it reads
	// Severity is "error" (the default): failing rows fail the run, or "warn": they are only reported.
	Severity string
	// SQL is the query after the header, without a trailing semicolon.
	SQL string
}

// Project is a parsed tree of model files and data tests, with the
// declarations beside them: the sources file and the folders' schema files.
type Project struct {
	Models []*Model // in build order: every model after the models it depends on, ties by name
	Tests  []*Test  // sorted by name: the files under tests/ and the generic tests of the schema files
	// Sources are the external relations of the sources file, in its order.
	Sources []*Relation
	// Relations are the blocks of the sources file and the schema files,
	// in the order of the files' paths and, within a file, of the blocks:
	// the order of the analysts' documentation.
	Relations []*Relation
}

// Materializations a model's header may name.
const (
	View  = "view"
	Table = "table"
	Macro = "macro"
)

// Severities a data test's header may name.
const (
	SeverityError = "error"
	SeverityWarn  = "warn"
)

// testsDir is the directory name under which files are data tests, not models.
const testsDir = "tests"

// stagingDir is the directory name of the models that may read sources.
const stagingDir = "staging"

// inDir reports whether the file at rel, relative to the project's root,
// is under a directory named dir (tests, staging) at any depth.
func inDir(rel, dir string) bool {
	return slices.Contains(strings.Split(path.Dir(rel), "/"), dir)
}

var (
	directiveRE = regexp.MustCompile(`^--\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$`)
	nameRE      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// file is what a model and a test file have in common, before the graph is checked.
type file struct {
	name, path   string
	description  string
	depends      []string
	dependsLine  []int // the header line declaring each of depends
	materialized string
	parameters   []string
	severity     string
	sql          string
	isTest       bool
	staging      bool    // under staging/: may read sources
	uses         []token // relations the body reads, with offsets into body
	body         string  // the text after the header, as in the file
	bodyLine     int     // the line the body starts on
}

// Parse reads every *.sql file under root of fsys, the sources file
// root/sources.txt and every folder's schema.txt. Files under a directory
// named tests are data tests, the other *.sql files models. The sources
// file declares the relations the caller provides (tables it loads
// itself), which models may depend on; the schema files declare the
// models' columns, generic tests and documentation.
// Every problem found is reported, each naming its file and, where it has one, line.
func Parse(fsys fs.FS, root string) (*Project, error) {
	var files []*file
	var relations []*Relation
	var errs []error
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, strings.TrimSuffix(root, "/")+"/")
		isSources := rel == SourcesFile
		if d.IsDir() || path.Ext(p) != ".sql" && !isSources && path.Base(p) != SchemaFile {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if path.Ext(p) != ".sql" {
			rs, err := parseSchema(p, string(src), isSources)
			errs = append(errs, err)
			relations = append(relations, rs...)
			return nil
		}
		f, err := parseFile(p, string(src), inDir(rel, testsDir))
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		f.staging = inDir(rel, stagingDir)
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading model files under %s: %w", root, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return link(files, relations)
}

// parseFile splits a file into header and body and checks each on its own.
func parseFile(p, src string, isTest bool) (*file, error) {
	name := strings.TrimSuffix(path.Base(p), ".sql")
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("%s: the name %q is not a plain SQL identifier (letters, digits, _; not starting with a digit)", p, name)
	}
	f := &file{name: name, path: p, isTest: isTest}
	var desc []string
	seen := map[string]bool{}
	rest := src
	line := 0
	started := false // blank lines before the header are skipped; one after it ends it
	for rest != "" {
		l, after, _ := strings.Cut(rest, "\n")
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "--") || t == "" && started {
			break
		}
		line++
		rest = after
		if t == "" {
			continue
		}
		started = true
		key, value, ok := directive(t)
		if !ok {
			desc = append(desc, strings.TrimPrefix(strings.TrimPrefix(t, "--"), " "))
			continue
		}
		if err := f.apply(key, value, line, seen); err != nil {
			return nil, errAt(p, line, "%v", err)
		}
	}
	f.description = strings.TrimSpace(strings.Join(desc, "\n"))
	f.body = rest
	f.bodyLine = line + 1
	if f.description == "" {
		return nil, errAt(p, 1, "the header has no description: start the file with -- comment lines saying what the %s is", f.kind())
	}
	if f.materialized == "" && !isTest {
		f.materialized = View
	}
	if f.materialized == Macro && len(f.parameters) == 0 {
		return nil, errAt(p, 1, "a macro declares its parameters: -- parameters: a, b")
	}
	if f.materialized != Macro && len(f.parameters) > 0 {
		return nil, errAt(p, 1, "parameters apply to a macro (-- materialized: macro), not to a %s", f.materialized)
	}
	if f.severity == "" && isTest {
		f.severity = SeverityError
	}
	return f, f.checkBody()
}

// directive reports whether a header line is a `-- key: value` directive with a known key.
func directive(line string) (key, value string, ok bool) {
	m := directiveRE.FindStringSubmatch(line)
	if m == nil {
		return "", "", false
	}
	key = strings.ToLower(m[1])
	switch key {
	case "depends", "materialized", "parameters", "severity":
		return key, m[2], true
	}
	return "", "", false
}

// apply records one directive of the header.
func (f *file) apply(key, value string, line int, seen map[string]bool) error {
	switch key {
	case "depends":
		for d := range strings.SplitSeq(value, ",") {
			d = strings.TrimSpace(d)
			if d == "" || seen[strings.ToLower(d)] {
				continue
			}
			seen[strings.ToLower(d)] = true
			f.depends = append(f.depends, d)
			f.dependsLine = append(f.dependsLine, line)
		}
	case "materialized":
		if f.isTest {
			return errors.New("materialized applies to models, not to data tests")
		}
		return setChoice(&f.materialized, key, value, View, Table, Macro)
	case "parameters":
		if f.isTest {
			return errors.New("parameters apply to macros, not to data tests")
		}
		if f.parameters != nil {
			return errors.New("parameters are given twice")
		}
		f.parameters = []string{}
		for p := range strings.SplitSeq(value, ",") {
			p = strings.TrimSpace(p)
			if !nameRE.MatchString(p) || slices.ContainsFunc(f.parameters, func(q string) bool { return strings.EqualFold(p, q) }) {
				return fmt.Errorf("parameters must be distinct plain identifiers separated by commas, not %q", value)
			}
			f.parameters = append(f.parameters, p)
		}
	case "severity":
		if !f.isTest {
			return errors.New("severity applies to data tests (files under tests/), not to models")
		}
		return setChoice(&f.severity, key, value, SeverityError, SeverityWarn)
	}
	return nil
}

// setChoice sets a directive that takes one of a few values, in any case, once.
func setChoice(field *string, key, value string, choices ...string) error {
	v := strings.ToLower(value)
	if !slices.Contains(choices, v) {
		last := len(choices) - 1
		return fmt.Errorf("%s must be %s or %s, not %q", key, strings.Join(choices[:last], ", "), choices[last], value)
	}
	if *field != "" && *field != v {
		return fmt.Errorf("%s is given twice, as %s and %s", key, *field, v)
	}
	*field = v
	return nil
}

func (f *file) kind() string {
	if f.isTest {
		return "data test"
	}
	return "model"
}

// checkBody checks that the body is one query, keeps its identifiers for the
// dependency check and strips the trailing semicolon.
func (f *file) checkBody() error {
	toks, err := scanSQL(f.body)
	if err != nil {
		var se *scanError
		errors.As(err, &se)
		return errAt(f.path, lineOf(f.body, se.off, f.bodyLine), "%s", se.what)
	}
	if len(toks) == 0 {
		return errAt(f.path, f.bodyLine, "no query after the header")
	}
	first := toks[0]
	switch {
	case first.kind == tokIdent && slices.Contains([]string{"select", "with", "from"}, strings.ToLower(first.text)):
	case first.kind == tokOther && first.text == "(":
	default:
		return errAt(f.path, lineOf(f.body, first.off, f.bodyLine),
			"the body must be one query (SELECT or WITH), not one starting with %q", first.text)
	}
	end := len(f.body)
	for i, t := range toks {
		if t.kind != tokSemi {
			continue
		}
		if i != len(toks)-1 {
			return errAt(f.path, lineOf(f.body, toks[i+1].off, f.bodyLine),
				"more than one statement: a model or test file holds one query")
		}
		end = t.off
	}
	f.uses = relationUses(toks)
	if err := f.checkStrayDirectives(end); err != nil {
		return err
	}
	f.sql = strings.TrimSpace(f.body[:end])
	return nil
}

// checkStrayDirectives reports a directive comment in the body: the header ended
// before it (at a blank or SQL line), so it would be silently ignored.
func (f *file) checkStrayDirectives(end int) error {
	off := 0
	for l := range strings.Lines(f.body[:end]) {
		if key, _, ok := directive(strings.TrimSpace(l)); ok {
			return errAt(f.path, lineOf(f.body, off, f.bodyLine),
				"a %q directive after the header, which ends at line %d: move it up into the header",
				key, f.bodyLine-1)
		}
		off += len(l)
	}
	return nil
}
