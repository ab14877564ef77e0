package research

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Project is a research project's extract specification, read from its
// project file (docs/research.md describes the format).
type Project struct {
	ID       string `json:"project"`
	Approval string `json:"approval"`
	// ApprovedBy, ValidFrom and ValidTo (YYYY-MM-DD, inclusive) are what
	// `integstat research register` records with the project; an extract
	// goes by the registration, not by them.
	ApprovedBy string `json:"approved_by,omitempty"`
	ValidFrom  string `json:"valid_from,omitempty"`
	ValidTo    string `json:"valid_to,omitempty"`
	// Population limits the rows: the sources, the years and simple
	// filters on variables.
	Population Population `json:"population"`
	// Tables are the tables wanted, each with its variables.
	Tables []TableRequest `json:"tables"`
	// QuasiIdentifiers are the variables an attacker may know; every
	// person's combination of them, over all rows of all tables, must be
	// shared by at least K persons.
	QuasiIdentifiers []QuasiIdentifier `json:"quasi_identifiers"`
	K                int               `json:"k"`
	// Weights say how much the project cares for the detail of a
	// quasi-identifier (default 1): the extract generalises the variables
	// of lower weight first.
	Weights map[string]float64 `json:"weights,omitempty"`
	// MaxSuppression is the largest share of the extract's persons that
	// may be left out (with all their rows) to reach K (0–1).
	MaxSuppression *float64 `json:"max_suppression"`
	Formats        []string `json:"formats"`
}

// Population says which rows are extracted.
type Population struct {
	Sources []string `json:"sources"`
	// Years keeps the rows whose year (the table's own date, see the
	// catalogue) is one of them; empty means every year.
	Years   []int    `json:"years,omitempty"`
	Filters []Filter `json:"filters,omitempty"`
}

// Filter keeps the rows whose variable is one of In, or between Min and
// Max (inclusive, for numbers), in every wanted table that has the
// variable.
type Filter struct {
	Variable string   `json:"variable"`
	In       []string `json:"in,omitempty"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
}

// TableRequest names a catalogue table and the variables wanted from it;
// the person pseudonym always comes first, whether named or not.
type TableRequest struct {
	Table     string   `json:"table"`
	Variables []string `json:"variables"`
}

// QuasiIdentifier declares a variable a quasi-identifier, with the most
// generalisation the project accepts (a level name of its hierarchy; empty:
// up to the top, where the variable says nothing).
type QuasiIdentifier struct {
	Variable string `json:"variable"`
	MaxLevel string `json:"max_level,omitempty"`
}

// Output formats.
const (
	FormatParquet = "parquet"
	FormatCSV     = "csv"
)

var projectIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ReadProject reads and checks the project file at path. Errors name the
// file and, for a malformed file, the line; for a file that parses but asks
// for the wrong things, every problem with the field it is in.
func ReadProject(path string) (*Project, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("project file: %w", err)
	}
	p, err := ParseProject(data)
	if err != nil {
		return nil, fmt.Errorf("project file %s: %w", path, err)
	}
	return p, nil
}

// ParseProject parses a project file's content strictly (an unknown field
// is an error, as is anything after the object) and checks it.
func ParseProject(data []byte) (*Project, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Project
	if err := dec.Decode(&p); err != nil {
		return nil, jsonError(data, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: more after the project object", lineAt(data, dec.InputOffset()))
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// jsonError turns a decoding error into one naming the line.
func jsonError(data []byte, dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("line %d: not valid JSON: %v", lineAt(data, syn.Offset), err)
	case errors.As(err, &typ):
		return fmt.Errorf("line %d: field %s: a JSON %s where %s is expected", lineAt(data, typ.Offset), typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF):
		return errors.New("empty: a project file is one JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("line %d: the file ends inside the project object", lineAt(data, int64(len(data))))
	}
	// An unknown field: encoding/json names it but reports no offset, so
	// the line is where the name first appears as a key.
	msg := strings.TrimPrefix(err.Error(), "json: ")
	off := dec.InputOffset()
	if _, name, ok := strings.Cut(msg, "unknown field "); ok {
		if m := regexp.MustCompile(regexp.QuoteMeta(name) + `\s*:`).FindIndex(data); m != nil {
			off = int64(m[0])
		}
	}
	return fmt.Errorf("line %d: %s (docs/research.md lists the fields)", lineAt(data, off), msg)
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// check collects every problem of a parsed project.
func (p *Project) check() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if !projectIDPattern.MatchString(p.ID) {
		bad("project", "%q is not a project id (1–64 letters, digits, '.', '_', '-', starting with a letter or digit)", p.ID)
	}
	if strings.TrimSpace(p.Approval) == "" {
		bad("approval", "missing: the reference of the approval the extract is delivered under")
	}
	if len(p.Population.Sources) == 0 {
		bad("population.sources", "missing: name one or more of %s", strings.Join(Sources(), ", "))
	}
	for i, s := range p.Population.Sources {
		if !slices.Contains(Sources(), s) {
			bad(fmt.Sprintf("population.sources[%d]", i), "%q is not a source (%s)", s, strings.Join(Sources(), ", "))
		}
	}
	for i, y := range p.Population.Years {
		if y < 1990 || y > 2100 {
			bad(fmt.Sprintf("population.years[%d]", i), "%d is not a year between 1990 and 2100", y)
		}
	}
	if len(p.Tables) == 0 {
		bad("tables", "missing: name one or more tables of the catalogue")
	}
	seen := map[string]bool{}
	for i, tr := range p.Tables {
		field := fmt.Sprintf("tables[%d]", i)
		t, ok := Lookup(tr.Table)
		if !ok {
			bad(field+".table", "%q is not a table of the catalogue (%s)", tr.Table, strings.Join(tableNames(), ", "))
			continue
		}
		if seen[tr.Table] {
			bad(field+".table", "%q is named twice", tr.Table)
		}
		seen[tr.Table] = true
		if !slices.Contains(p.Population.Sources, t.Source) {
			bad(field+".table", "%q is of source %q, which population.sources does not name", tr.Table, t.Source)
		}
		if len(tr.Variables) == 0 {
			bad(field+".variables", "missing: name the variables wanted from %s", tr.Table)
		}
		for j, v := range tr.Variables {
			if _, ok := t.Variable(v); !ok {
				bad(fmt.Sprintf("%s.variables[%d]", field, j), "%q is not a variable of %s (%s)", v, tr.Table, strings.Join(variableNames(t), ", "))
			} else if slices.Index(tr.Variables, v) != j {
				bad(fmt.Sprintf("%s.variables[%d]", field, j), "%q is named twice", v)
			}
		}
	}
	for i, f := range p.Population.Filters {
		field := fmt.Sprintf("population.filters[%d]", i)
		v := p.wanted(f.Variable)
		switch {
		case v == nil:
			bad(field+".variable", "%q is not a variable of any table named in tables", f.Variable)
		case len(f.In) > 0 && (f.Min != nil || f.Max != nil):
			bad(field, "give either in or min/max, not both")
		case len(f.In) == 0 && f.Min == nil && f.Max == nil:
			bad(field, "give in (a list of values) or min/max")
		case (f.Min != nil || f.Max != nil) && !numeric(v.Type):
			bad(field, "min/max needs a number variable; %s is %s", f.Variable, v.Type)
		case f.Min != nil && f.Max != nil && *f.Min > *f.Max:
			bad(field, "min %v is above max %v", *f.Min, *f.Max)
		}
	}
	for _, f := range []struct{ name, value string }{{"valid_from", p.ValidFrom}, {"valid_to", p.ValidTo}} {
		if _, err := time.Parse(time.DateOnly, f.value); f.value != "" && err != nil {
			bad(f.name, "%q is not a date YYYY-MM-DD", f.value)
		}
	}
	if p.ValidFrom != "" && p.ValidTo != "" && p.ValidTo < p.ValidFrom {
		bad("valid_to", "%s is before valid_from %s", p.ValidTo, p.ValidFrom)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Weights)) {
		if w := p.Weights[name]; w <= 0 || p.wanted(name) == nil {
			bad("weights."+name, "%v: a weight is a positive number for a wanted variable", w)
		}
	}
	for i, q := range p.QuasiIdentifiers {
		field := fmt.Sprintf("quasi_identifiers[%d]", i)
		v := p.wanted(q.Variable)
		switch {
		case v == nil:
			bad(field+".variable", "%q is not a variable of any table named in tables", q.Variable)
		case v.Hierarchy == nil:
			bad(field+".variable", "%q has no generalisation hierarchy, so it cannot be a quasi-identifier", q.Variable)
		case q.MaxLevel != "" && levelIndex(v.Hierarchy, q.MaxLevel) < 0:
			bad(field+".max_level", "%q is not a level of %s (%s)", q.MaxLevel, q.Variable, strings.Join(v.Hierarchy.Levels(), ", "))
		}
		if slices.IndexFunc(p.QuasiIdentifiers, func(o QuasiIdentifier) bool { return o.Variable == q.Variable }) != i {
			bad(field+".variable", "%q is declared twice", q.Variable)
		}
	}
	if p.K < 2 {
		bad("k", "%d: k must be at least 2", p.K)
	}
	switch {
	case p.MaxSuppression == nil:
		bad("max_suppression", "missing: the largest share (0–1) of the extract's persons that may be suppressed")
	case *p.MaxSuppression < 0 || *p.MaxSuppression >= 1:
		bad("max_suppression", "%v is not a share from 0 up to (not including) 1", *p.MaxSuppression)
	}
	if len(p.Formats) == 0 {
		bad("formats", "missing: name %q, %q or both", FormatParquet, FormatCSV)
	}
	for i, f := range p.Formats {
		if f != FormatParquet && f != FormatCSV || slices.Index(p.Formats, f) != i {
			bad(fmt.Sprintf("formats[%d]", i), "%q: formats are %q and %q, each once", f, FormatParquet, FormatCSV)
		}
	}
	return errors.Join(errs...)
}

// wanted returns the variable named name in the first table that asks for
// it (a name means the same in every table), or nil.
func (p *Project) wanted(name string) *Variable {
	for _, tr := range p.Tables {
		if t, ok := Lookup(tr.Table); ok && slices.Contains(tr.Variables, name) {
			if v, ok := t.Variable(name); ok && name != person.Name {
				return v
			}
		}
	}
	return nil
}

func numeric(typ string) bool {
	return typ == "INTEGER" || typ == "BIGINT" || typ == "DOUBLE"
}

// SpecHash returns the sha256 (hex) of the project in a canonical form,
// so that a project file reformatted but asking for the same thing has the
// same hash.
func (p *Project) SpecHash() string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // a Project always encodes
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func tableNames() []string {
	out := make([]string, len(Catalogue))
	for i, t := range Catalogue {
		out[i] = t.Name
	}
	return out
}

func variableNames(t *Table) []string {
	out := make([]string, len(t.Variables))
	for i, v := range t.Variables {
		out[i] = v.Name
	}
	return out
}
