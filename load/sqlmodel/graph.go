package sqlmodel

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// link checks the files against each other and the declarations (unique
// names, known and complete dependencies, sources read through staging, no
// cycles), compiles the generic tests and orders the models for building.
// Names compare without regard to case, as DuckDB's identifiers do.
func link(files []*file, relations []*Relation) (*Project, error) {
	var errs []error
	models := map[string]*file{}
	tests := map[string]*file{}
	for _, f := range files {
		seen := models
		if f.isTest {
			seen = tests
		}
		key := strings.ToLower(f.name)
		if other, ok := seen[key]; ok {
			errs = append(errs, fmt.Errorf("two %ss named %s: %s and %s", f.kind(), f.name, other.path, f.path))
			continue
		}
		seen[key] = f
	}
	ext := map[string]*Relation{} // the external relations models may read
	declared := map[string]*Relation{}
	p := &Project{Relations: relations}
	for _, r := range relations {
		key := strings.ToLower(r.Name)
		if other, ok := declared[key]; ok {
			errs = append(errs, errAt(r.Path, r.Line, "%s is declared twice (also at %s:%d)", r.Name, other.Path, other.Line))
			continue
		}
		declared[key] = r
		if r.Kind == KindModel {
			if m, ok := models[key]; !ok {
				errs = append(errs, errAt(r.Path, r.Line, "declares model %s, which has no file", r.Name))
			} else if m.materialized == Macro {
				errs = append(errs, errAt(r.Path, r.Line, "declares model %s, a macro: a macro has no columns or tests of its own, the models that call it have", r.Name))
			} else if path.Dir(m.path) != path.Dir(r.Path) {
				errs = append(errs, errAt(r.Path, r.Line, "declares model %s, whose file %s is in another folder: declare it in the schema.txt beside it", r.Name, m.path))
			}
			continue
		}
		p.Sources = append(p.Sources, r)
		if m, ok := models[key]; ok {
			errs = append(errs, fmt.Errorf("%s: model %s has the name of an external relation the loader provides (%s:%d)", m.path, m.name, r.Path, r.Line))
		}
		if r.Kind != KindOutput {
			ext[key] = r
		}
	}
	for _, f := range files {
		errs = append(errs, f.resolve(models, ext)...)
	}
	errs = append(errs, resolveColumns(relations, declared)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	for _, f := range files {
		if f.isTest {
			p.Tests = append(p.Tests, &Test{Name: f.name, Path: f.path, Description: f.description,
				Depends: f.depends, Severity: f.severity, SQL: f.sql})
		} else {
			p.Models = append(p.Models, &Model{Name: f.name, Path: f.path, Description: f.description,
				Depends: f.depends, Materialized: f.materialized, Parameters: f.parameters, SQL: f.sql})
		}
	}
	generic, err := compileTests(relations, declared, models, ext, tests)
	if err != nil {
		return nil, err
	}
	p.Tests = append(p.Tests, generic...)
	if err := checkRead(p); err != nil {
		return nil, err
	}
	slices.SortFunc(p.Tests, func(a, b *Test) int { return cmp.Compare(a.Name, b.Name) })
	order, err := buildOrder(p.Models)
	if err != nil {
		return nil, err
	}
	p.Models = order
	return p, nil
}

// checkRead reports the declared seeds, reference and input relations that
// no model or test reads: the builder would provide them for nothing, or the
// declaration outlived its last reader. (A source may be read by no model:
// the analysis mart copies every source; an output is read by no model.)
func checkRead(p *Project) error {
	read := map[string]bool{}
	for _, m := range p.Models {
		for _, d := range m.Depends {
			read[strings.ToLower(d)] = true
		}
	}
	for _, t := range p.Tests {
		for _, d := range t.Depends {
			read[strings.ToLower(d)] = true
		}
	}
	var errs []error
	for _, r := range p.Sources {
		if r.Kind != KindSource && r.Kind != KindOutput && !read[strings.ToLower(r.Name)] {
			errs = append(errs, errAt(r.Path, r.Line, "%s %s is read by no model or test: remove it, or declare it as an output", r.Kind, r.Name))
		}
	}
	return errors.Join(errs...)
}

// Source returns the external relation of that name (compared without
// regard to case) declared in the sources file, or nil.
func (p *Project) Source(name string) *Relation {
	for _, r := range p.Sources {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

// resolveColumns puts the columns of each relation's `like` before its own
// and checks that a documented relation declares its columns.
func resolveColumns(relations []*Relation, declared map[string]*Relation) []error {
	var errs []error
	done := map[*Relation]bool{}
	var resolve func(r *Relation, depth int) error
	resolve = func(r *Relation, depth int) error {
		if done[r] || r.Like == "" {
			done[r] = true
			return nil
		}
		like, ok := declared[strings.ToLower(r.Like)]
		if !ok || depth > len(relations) {
			return errAt(r.Path, r.Line, "%s is like %s, which is not declared (or the likes go round)", r.Name, r.Like)
		}
		if err := resolve(like, depth+1); err != nil {
			return err
		}
		own := r.Columns
		r.Columns = append(slices.Clone(like.Columns), own...)
		r.own = len(like.Columns)
		for _, c := range own {
			if slices.ContainsFunc(like.Columns, func(l Column) bool { return strings.EqualFold(l.Name, c.Name) }) {
				return errAt(r.Path, r.Line, "column %s of %s is also one of %s it is like", c.Name, r.Name, like.Name)
			}
		}
		done[r] = true
		return nil
	}
	for _, r := range relations {
		if err := resolve(r, 0); err != nil {
			errs = append(errs, err)
			continue
		}
		if r.Doc != nil && len(r.Columns) == 0 {
			errs = append(errs, errAt(r.Path, r.Line, "%s is documented for analysts but declares no columns", r.Name))
		}
	}
	return errs
}

// compileTests turns the schema files' test lines into data tests, checking
// that they name relations and, where those declare columns, columns that exist.
func compileTests(relations []*Relation, declared map[string]*Relation, models map[string]*file, ext map[string]*Relation, singular map[string]*file) ([]*Test, error) {
	var out []*Test
	var errs []error
	names := map[string]string{}
	for _, r := range relations {
		for _, d := range r.tests {
			if r.Kind == KindOutput {
				errs = append(errs, errAt(r.Path, d.line, "%s is written after the tests run: it cannot be tested", r.Name))
				continue
			}
			if err := checkColumns(r, d.cols); err != nil {
				errs = append(errs, errAt(r.Path, d.line, "%v", err))
			}
			if d.kind == "relationships" {
				key := strings.ToLower(d.to)
				_, isModel := models[key]
				if _, isExt := ext[key]; !isModel && !isExt {
					errs = append(errs, errAt(r.Path, d.line, "relationships refers to %s, which is neither a model nor an external relation", d.to))
				} else if to, ok := declared[key]; ok {
					if err := checkColumns(to, d.toCols); err != nil {
						errs = append(errs, errAt(r.Path, d.line, "%v", err))
					}
				}
			}
			t := d.compile(r)
			if m, ok := models[strings.ToLower(d.to)]; ok {
				t.Depends[len(t.Depends)-1] = m.name
			}
			key := strings.ToLower(t.Name)
			if f, ok := singular[key]; ok {
				errs = append(errs, errAt(r.Path, d.line, "the test %s has the name of the data test %s", t.Name, f.path))
			} else if other, ok := names[key]; ok {
				errs = append(errs, errAt(r.Path, d.line, "the test %s is declared twice (also at %s)", t.Name, other))
			}
			names[key] = t.Path
			out = append(out, t)
		}
	}
	return out, errors.Join(errs...)
}

// checkColumns reports the names that are not columns of r, when r declares its columns.
func checkColumns(r *Relation, names []string) error {
	if len(r.Columns) == 0 {
		return nil
	}
	for _, n := range names {
		if !slices.ContainsFunc(r.Columns, func(c Column) bool { return strings.EqualFold(c.Name, n) }) {
			return fmt.Errorf("%s has no declared column %s", r.Name, n)
		}
	}
	return nil
}

// resolve spells each declared dependency as its model or external relation is
// spelled, and reports unknown declarations, sources read outside staging
// (declared or read in the body) and models the body uses without declaring them.
func (f *file) resolve(models map[string]*file, ext map[string]*Relation) []error {
	var errs []error
	declared := map[string]bool{}
	for i, d := range f.depends {
		key := strings.ToLower(d)
		declared[key] = true
		if m, ok := models[key]; ok {
			f.depends[i] = m.name
		} else if e, ok := ext[key]; ok {
			f.depends[i] = e.Name
			if f.readsPastStaging(e) {
				errs = append(errs, f.pastStaging(f.dependsLine[i], e))
			}
		} else {
			errs = append(errs, errAt(f.path, f.dependsLine[i], "depends on %s, which is neither a model nor an external relation (declare it in %s)", d, SourcesFile))
		}
	}
	if f.isTest {
		return errs // a test's declarations are for ordering and reporting only
	}
	for _, t := range f.uses {
		key := strings.ToLower(t.text)
		if declared[key] || key == strings.ToLower(f.name) {
			continue
		}
		line := lineOf(f.body, t.off, f.bodyLine)
		name := ""
		if m, ok := models[key]; ok {
			name = "model " + m.name
		} else if e, ok := ext[key]; ok && f.readsPastStaging(e) {
			errs = append(errs, f.pastStaging(line, e))
		} else if ok {
			name = e.Name
		}
		if name != "" {
			errs = append(errs, errAt(f.path, line, "uses %s without declaring it: add it to the -- depends: line", name))
		}
		declared[key] = true // report each missing name once
	}
	return errs
}

// readsPastStaging says whether f reading e breaks the rule that only
// staging reads the registers (data tests may read them).
func (f *file) readsPastStaging(e *Relation) bool {
	return e.Kind == KindSource && !f.isTest && !f.staging
}

// pastStaging reports that f, a model outside staging, reads the source e at
// that line, declared or not: models read the registers only through staging.
func (f *file) pastStaging(line int, e *Relation) error {
	return errAt(f.path, line, "reads the source %s past staging: read it through a model under %s/ (a stg_ view of it)", e.Name, stagingDir)
}

// buildOrder sorts models so that each comes after the models it depends on,
// taking among the models ready to build the first by name.
func buildOrder(models []*Model) ([]*Model, error) {
	byName := map[string]*Model{}
	for _, m := range models {
		byName[strings.ToLower(m.Name)] = m
	}
	waiting := map[*Model]int{} // model -> number of its model dependencies not yet ordered
	users := map[*Model][]*Model{}
	var ready []*Model
	for _, m := range models {
		for _, d := range m.Depends {
			if dm, ok := byName[strings.ToLower(d)]; ok {
				waiting[m]++
				users[dm] = append(users[dm], m)
			}
		}
		if waiting[m] == 0 {
			ready = append(ready, m)
		}
	}
	byModelName := func(a, b *Model) int { return cmp.Compare(a.Name, b.Name) }
	var order []*Model
	for len(ready) > 0 {
		slices.SortFunc(ready, byModelName)
		m := ready[0]
		ready = ready[1:]
		order = append(order, m)
		for _, u := range users[m] {
			if waiting[u]--; waiting[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(order) == len(models) {
		return order, nil
	}
	var left []*Model
	for _, m := range models {
		if waiting[m] > 0 {
			left = append(left, m)
		}
	}
	slices.SortFunc(left, byModelName)
	return nil, cycleError(left, byName, waiting)
}

// cycleError names one cycle among the models left unordered. Each of them
// waits for at least one other left model, so following those dependencies
// from any of them comes back to a model already passed.
func cycleError(left []*Model, byName map[string]*Model, waiting map[*Model]int) error {
	var path []*Model
	at := map[*Model]int{}
	m := left[0]
	for {
		if i, ok := at[m]; ok {
			path = append(path[i:], m)
			break
		}
		at[m] = len(path)
		path = append(path, m)
		var next *Model
		for _, d := range m.Depends {
			dm, ok := byName[strings.ToLower(d)]
			if ok && waiting[dm] > 0 && (next == nil || dm.Name < next.Name) {
				next = dm
			}
		}
		m = next
	}
	names := make([]string, len(path))
	files := make([]string, len(path)-1)
	for i, m := range path {
		names[i] = m.Name
		if i < len(files) {
			files[i] = m.Path
		}
	}
	return fmt.Errorf("dependency cycle: %s (each depends on the next; files %s)",
		strings.Join(names, " -> "), strings.Join(files, ", "))
}

// Model returns the model of that name (compared without regard to case), or nil.
func (p *Project) Model(name string) *Model {
	for _, m := range p.Models {
		if strings.EqualFold(m.Name, name) {
			return m
		}
	}
	return nil
}

// Upstream returns the models that building the named models needs: they and
// every model they read, directly or not, in build order. The caller builds
// these to compute some models without building the whole project. A name of
// an external relation adds nothing (the caller provides it); a name that is
// neither a model nor an external relation is an error.
func (p *Project) Upstream(names ...string) ([]*Model, error) {
	need := map[string]bool{}
	for _, n := range names {
		if p.Model(n) == nil && p.Source(n) == nil {
			return nil, fmt.Errorf("no model or external relation %q", n)
		}
		need[strings.ToLower(n)] = true
	}
	var out []*Model
	// Against build order: a model is seen before the models it reads.
	for i := len(p.Models) - 1; i >= 0; i-- {
		m := p.Models[i]
		if !need[strings.ToLower(m.Name)] {
			continue
		}
		for _, d := range m.Depends {
			need[strings.ToLower(d)] = true
		}
		out = append(out, m)
	}
	slices.Reverse(out)
	return out, nil
}

// WriteGraph writes the graph for `integstat models`: one line per model in
// build order, "name (view|table|macro) <- dep, dep" and, after "  -- ", the
// first line of its description.
func (p *Project) WriteGraph(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, m := range p.Models {
		fmt.Fprintf(bw, "%s (%s)", m.Name, m.materialized())
		if len(m.Depends) > 0 {
			fmt.Fprintf(bw, " <- %s", strings.Join(m.Depends, ", "))
		}
		if first, _, _ := strings.Cut(m.Description, "\n"); first != "" {
			fmt.Fprintf(bw, "  -- %s", first)
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the model graph: %w", err)
	}
	return nil
}

// WriteDOT writes the graph in Graphviz DOT, edges pointing from what a model
// reads to the model: views as boxes, tables as cylinders, macros as
// hexagons, external relations as dashed ellipses, with each model's
// description as its tooltip.
func (p *Project) WriteDOT(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("digraph models {\n\trankdir=LR;\n\tnode [fontname=\"Helvetica\"];\n")
	var externals []string
	for _, m := range p.Models {
		for _, d := range m.Depends {
			if p.Model(d) == nil && !slices.Contains(externals, d) {
				externals = append(externals, d)
			}
		}
	}
	slices.Sort(externals)
	for _, e := range externals {
		fmt.Fprintf(bw, "\t%s [shape=ellipse, style=dashed];\n", dotQuote(e))
	}
	for _, m := range p.Models {
		shape := map[string]string{View: "box", Table: "cylinder", Macro: "hexagon"}[m.materialized()]
		fmt.Fprintf(bw, "\t%s [shape=%s, tooltip=%s];\n", dotQuote(m.Name), shape, dotQuote(m.Description))
	}
	for _, m := range p.Models {
		for _, d := range m.Depends {
			fmt.Fprintf(bw, "\t%s -> %s;\n", dotQuote(d), dotQuote(m.Name))
		}
	}
	bw.WriteString("}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the model graph as DOT: %w", err)
	}
	return nil
}

// dotQuote quotes s as a DOT string.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// materialized is the model's materialization, view when unset.
func (m *Model) materialized() string {
	if m.Materialized == "" {
		return View
	}
	return m.Materialized
}
