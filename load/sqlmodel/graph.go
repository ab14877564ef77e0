package sqlmodel

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// link checks the files against each other (unique names, known and complete
// dependencies, no cycles) and orders the models for building.
// Names compare without regard to case, as DuckDB's identifiers do.
func link(files []*file, external []string) (*Project, error) {
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
	ext := map[string]string{}
	for _, e := range external {
		ext[strings.ToLower(e)] = e
		if m, ok := models[strings.ToLower(e)]; ok {
			errs = append(errs, fmt.Errorf("%s: model %s has the name of an external relation the loader provides", m.path, m.name))
		}
	}
	for _, f := range files {
		errs = append(errs, f.resolve(models, ext)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	p := &Project{}
	for _, f := range files {
		if f.isTest {
			p.Tests = append(p.Tests, &Test{Name: f.name, Path: f.path, Description: f.description,
				Depends: f.depends, Severity: f.severity, SQL: f.sql})
		} else {
			p.Models = append(p.Models, &Model{Name: f.name, Path: f.path, Description: f.description,
				Depends: f.depends, Materialized: f.materialized, SQL: f.sql})
		}
	}
	slices.SortFunc(p.Tests, func(a, b *Test) int { return cmp.Compare(a.Name, b.Name) })
	order, err := buildOrder(p.Models)
	if err != nil {
		return nil, err
	}
	p.Models = order
	return p, nil
}

// resolve spells each declared dependency as its model or external relation is
// spelled, and reports unknown declarations and models the body uses without
// declaring them.
func (f *file) resolve(models map[string]*file, ext map[string]string) []error {
	var errs []error
	declared := map[string]bool{}
	for i, d := range f.depends {
		key := strings.ToLower(d)
		declared[key] = true
		if m, ok := models[key]; ok {
			f.depends[i] = m.name
		} else if e, ok := ext[key]; ok {
			f.depends[i] = e
		} else {
			errs = append(errs, errAt(f.path, f.dependsLine[i], "depends on %s, which is neither a model nor an external relation", d))
		}
	}
	if f.isTest {
		return errs // a test's declarations are for ordering and reporting only
	}
	for _, t := range f.uses {
		key := strings.ToLower(t.text)
		m, ok := models[key]
		if !ok || declared[key] || key == strings.ToLower(f.name) {
			continue
		}
		declared[key] = true // report each missing name once
		errs = append(errs, errAt(f.path, lineOf(f.body, t.off, f.bodyLine),
			"uses model %s without declaring it: add it to the -- depends: line", m.name))
	}
	return errs
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

// Downstream returns the models that depend, directly or not, on any of names
// (models or external relations), in build order: what must be rebuilt when
// those inputs change. Named models are included themselves, since a changed
// model must be rebuilt too. Names that match nothing are ignored.
func (p *Project) Downstream(names ...string) []*Model {
	changed := map[string]bool{}
	for _, n := range names {
		changed[strings.ToLower(n)] = true
	}
	var out []*Model
	for _, m := range p.Models { // build order: dependencies are marked before their users are seen
		hit := changed[strings.ToLower(m.Name)]
		for _, d := range m.Depends {
			hit = hit || changed[strings.ToLower(d)]
		}
		if hit {
			changed[strings.ToLower(m.Name)] = true
			out = append(out, m)
		}
	}
	return out
}

// WriteGraph writes the graph for `integstat models`: one line per model in
// build order, "name (view|table) <- dep, dep" and, after "  -- ", the first
// line of its description.
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
// reads to the model: views as boxes, tables as cylinders, external relations
// as dashed ellipses, with each model's description as its tooltip.
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
		shape := "box"
		if m.materialized() == Table {
			shape = "cylinder"
		}
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
