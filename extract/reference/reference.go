// Package reference provides the reference data the pipeline checks and
// groups records by: Norway's municipality (kommune) and county (fylke) codes
// with their validity, the code changes between them, and the figures IMDi
// published. The data is embedded in the binary, so every run uses the same
// lists; see README.md for where they come from and how to update them.
//
// Validity intervals are half-open: a code is valid from From (inclusive)
// until To (exclusive); a zero To means still valid in the newest list. Only
// the calendar date of a time.Time matters to the lookups, taken in the
// time's own location.
package reference

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

//go:embed data/*.csv data/kart/*.topojson
var embedded embed.FS

// dataFS is the embedded data directory, holding the files by their bare names.
var dataFS = func() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // cannot happen: "data" is a valid path embedded above
	}
	return sub
}()

// Names of the embedded files.
const (
	kommunerFile = "kommuner.csv"
	fylkerFile   = "fylker.csv"
	changesFile  = "kommuneendringer.csv"
	figuresFile  = "published_figures.csv"
)

// dateLayout is the layout of every date in the reference files.
const dateLayout = "2006-01-02"

// Kommune is a municipality code valid in an interval, with the name and
// county it had then. The same code appears once per interval in which its
// name or county differs.
type Kommune struct {
	Code, Name, Fylke string
	From, To          time.Time // To.IsZero(): still valid
}

// Fylke is a county code valid in an interval, with the name it had then.
type Fylke struct {
	Code, Name string
	From, To   time.Time // To.IsZero(): still valid
}

// Change maps an old kommune code to a new one from a date (merger, split,
// renumbering). A split has one Change per new code.
type Change struct {
	Old, OldName, New, NewName string
	From                       time.Time
}

// Data is the reference data. Load it once and share it: the lookups are
// safe for concurrent use, provided the slices are not modified after the
// first lookup (they build an index on first use).
type Data struct {
	Kommuner []Kommune
	Fylker   []Fylke
	Changes  []Change

	once sync.Once
	idx  index
}

// Load parses the embedded reference files. An error names the file, line
// and problem.
func Load() (*Data, error) {
	return load(dataFS)
}

// MustLoad is Load for tests and the demo generator: it panics if the
// embedded data does not parse, which the package's own tests rule out.
func MustLoad() *Data {
	d, err := Load()
	if err != nil {
		panic(err)
	}
	return d
}

// load parses the reference files from fsys, where they have their bare names.
func load(fsys fs.FS) (*Data, error) {
	fylker, err := parseFylker(fsys)
	if err != nil {
		return nil, err
	}
	kommuner, err := parseKommuner(fsys)
	if err != nil {
		return nil, err
	}
	changes, err := parseChanges(fsys)
	if err != nil {
		return nil, err
	}
	d := &Data{Kommuner: kommuner, Fylker: fylker, Changes: changes}
	d.mendLostLetters()
	return d, nil
}

// lostLetter is what an earlier conversion left where it could not write a
// letter (š, ŋ): kommuneendringer.csv still has it in two Sámi names that
// kommuner.csv spells in full.
const lostLetter = '?'

// mendLostLetters gives a change the name kommuner.csv has for its code on
// the day, where the change's name is the same but for lost letters, so that
// every name the package hands out is the one the municipality list spells.
func (d *Data) mendLostLetters() {
	byCode := make(map[string][]Kommune)
	for _, k := range d.Kommuner {
		byCode[k.Code] = append(byCode[k.Code], k)
	}
	mend := func(name, code string, on time.Time) string {
		if !strings.ContainsRune(name, lostLetter) {
			return name
		}
		if k, ok := firstOn(byCode[code], on); ok && sameButLost(name, k.Name) {
			return k.Name
		}
		return name
	}
	for i := range d.Changes {
		c := &d.Changes[i]
		c.OldName = mend(c.OldName, c.Old, c.From.AddDate(0, 0, -1))
		c.NewName = mend(c.NewName, c.New, c.From)
	}
}

// sameButLost reports whether lossy equals full where each lost letter in
// lossy stands for one letter of full.
func sameButLost(lossy, full string) bool {
	l, f := []rune(lossy), []rune(full)
	if len(l) != len(f) {
		return false
	}
	for i := range l {
		if l[i] != f[i] && l[i] != lostLetter {
			return false
		}
	}
	return true
}

// parseKommuner reads kommuner.csv.
func parseKommuner(fsys fs.FS) ([]Kommune, error) {
	var (
		out   []Kommune
		spans spanSet
	)
	header := []string{"kommunenummer", "kommunenavn", "fylkesnummer", "gyldig_fra", "gyldig_til"}
	err := readTable(fsys, kommunerFile, ';', header, func(line int, rec []string) error {
		k := Kommune{Code: rec[0], Name: rec[1], Fylke: rec[2]}
		err := firstError(checkCode("kommunenummer", k.Code, 4), checkName("kommunenavn", k.Name), checkCode("fylkesnummer", k.Fylke, 2))
		if err != nil {
			return err
		}
		if k.From, k.To, err = spans.parse(k.Code, rec[3], rec[4], line); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	})
	return out, err
}

// parseFylker reads fylker.csv.
func parseFylker(fsys fs.FS) ([]Fylke, error) {
	var (
		out   []Fylke
		spans spanSet
	)
	header := []string{"fylkesnummer", "fylkesnavn", "gyldig_fra", "gyldig_til"}
	err := readTable(fsys, fylkerFile, ';', header, func(line int, rec []string) error {
		f := Fylke{Code: rec[0], Name: rec[1]}
		err := firstError(checkCode("fylkesnummer", f.Code, 2), checkName("fylkesnavn", f.Name))
		if err != nil {
			return err
		}
		if f.From, f.To, err = spans.parse(f.Code, rec[2], rec[3], line); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// parseChanges reads kommuneendringer.csv.
func parseChanges(fsys fs.FS) ([]Change, error) {
	var out []Change
	seen := make(map[Change]int) // change -> line, to reject duplicates
	header := []string{"gammelt_nummer", "gammelt_navn", "nytt_nummer", "nytt_navn", "gjelder_fra"}
	err := readTable(fsys, changesFile, ';', header, func(line int, rec []string) error {
		c := Change{Old: rec[0], OldName: rec[1], New: rec[2], NewName: rec[3]}
		err := firstError(checkCode("gammelt_nummer", c.Old, 4), checkName("gammelt_navn", c.OldName),
			checkCode("nytt_nummer", c.New, 4), checkName("nytt_navn", c.NewName))
		if err != nil {
			return err
		}
		if c.From, err = parseDate("gjelder_fra", rec[4]); err != nil {
			return err
		}
		if first, dup := seen[c]; dup {
			return fmt.Errorf("repeats the change on line %d", first)
		}
		seen[c] = line
		out = append(out, c)
		return nil
	})
	return out, err
}

// readTable reads the CSV file name from fsys, fields separated by sep,
// checks that its header is want and calls row for every record after it
// with the record's line number. Any error is reported as "name:line: problem".
func readTable(fsys fs.FS, name string, sep rune, want []string, row func(line int, rec []string) error) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = sep
	r.FieldsPerRecord = len(want)
	header, err := r.Read()
	if err != nil {
		return csvError(name, err)
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	if !slices.Equal(header, want) {
		return fmt.Errorf("%s:1: header is %q, want %q", name, strings.Join(header, string(sep)), strings.Join(want, string(sep)))
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(name, err)
		}
		line, _ := r.FieldPos(0)
		if err := row(line, rec); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
}

// csvError wraps a CSV syntax error with the file name and, when known, the line.
func csvError(name string, err error) error {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// checkCode rejects a code in column col that is not exactly n ASCII digits.
func checkCode(col, code string, n int) error {
	ok := len(code) == n
	for i := 0; ok && i < len(code); i++ {
		ok = '0' <= code[i] && code[i] <= '9'
	}
	if !ok {
		return fmt.Errorf("%s %q is not %d digits", col, code, n)
	}
	return nil
}

// checkName rejects an empty name or one that is not valid UTF-8.
func checkName(col, name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("%s is empty", col)
	case !utf8.ValidString(name):
		return fmt.Errorf("%s is not valid UTF-8", col)
	}
	return nil
}

// parseDate parses a required YYYY-MM-DD date in column col.
func parseDate(col, s string) (time.Time, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not a date YYYY-MM-DD", col, s)
	}
	return t, nil
}

// parseSpan parses gyldig_fra (required) and gyldig_til (empty: still valid),
// which must come after gyldig_fra.
func parseSpan(fromText, toText string) (from, to time.Time, err error) {
	if from, err = parseDate("gyldig_fra", fromText); err != nil {
		return from, to, err
	}
	if toText == "" {
		return from, to, nil
	}
	if to, err = parseDate("gyldig_til", toText); err != nil {
		return from, to, err
	}
	if !to.After(from) {
		return from, to, fmt.Errorf("gyldig_til %s is not after gyldig_fra %s", toText, fromText)
	}
	return from, to, nil
}

// spanSet collects the validity intervals of codes and rejects a code whose
// intervals overlap, which would make a lookup on a date ambiguous.
type spanSet map[string][]span

// span is one validity interval of a code and the line it came from.
type span struct {
	from, to time.Time
	line     int
}

// parse parses the validity of code on line (see parseSpan) and records it,
// or reports the earlier line whose interval for code overlaps it.
func (s *spanSet) parse(code, fromText, toText string, line int) (from, to time.Time, err error) {
	if from, to, err = parseSpan(fromText, toText); err != nil {
		return from, to, err
	}
	if *s == nil {
		*s = make(spanSet)
	}
	for _, o := range (*s)[code] {
		if (o.to.IsZero() || from.Before(o.to)) && (to.IsZero() || o.from.Before(to)) {
			return from, to, fmt.Errorf("validity of %s overlaps line %d", code, o.line)
		}
	}
	(*s)[code] = append((*s)[code], span{from, to, line})
	return from, to, nil
}

// firstError returns the first non-nil of errs: a row's checks run in column
// order and the first failure is the one reported.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Outline levels: the map outlines of today's structure embedded beside the
// lists (Kartverket, CC BY 4.0; wherever they are drawn, «© Kartverket»
// must be shown).
const (
	OutlineKommuner = "kommuner"
	OutlineFylker   = "fylker"
)

// OutlineAttribution is the credit the outlines' licence requires wherever
// they are drawn.
const OutlineAttribution = "© Kartverket"

// Outlines returns the TopoJSON outlines of today's kommuner or fylker
// (level OutlineKommuner or OutlineFylker), the newest embedded ones. Each
// object's properties carry `kommunenummer` or `fylkesnummer` and the name.
func Outlines(level string) (data []byte, year int, err error) {
	names, err := fs.Glob(dataFS, "kart/"+level+"-*.topojson")
	if err != nil || len(names) == 0 {
		return nil, 0, fmt.Errorf("reference: no outlines of %q", level)
	}
	slices.Sort(names)
	name := names[len(names)-1]
	if _, err := fmt.Sscanf(strings.TrimPrefix(name, "kart/"+level+"-"), "%d.topojson", &year); err != nil {
		return nil, 0, fmt.Errorf("reference: %s: no year in the name", name)
	}
	data, err = fs.ReadFile(dataFS, name)
	return data, year, err
}
