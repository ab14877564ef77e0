package reference

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"integstat/internal/testkit"
)

// date returns midnight UTC of the given day.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// sharedReference returns the directory of the project's shared reference
// data, ../shared/reference from the repository root, or skips the test when
// it is absent outside CI.
func sharedReference(t *testing.T) string {
	t.Helper()
	shared := testkit.Shared("reference")
	if _, err := os.Stat(shared); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared reference data: %v", err)
		}
		t.Skipf("shared reference data absent: %v", err)
	}
	return shared
}

func TestEmbeddedCopiesMatchShared(t *testing.T) {
	shared := sharedReference(t)
	for _, pattern := range []string{"*.csv", "kart/*.topojson"} {
		embeddedNames, err := fs.Glob(dataFS, pattern)
		if err != nil {
			t.Fatal(err)
		}
		sharedPaths, err := filepath.Glob(filepath.Join(shared, filepath.FromSlash(pattern)))
		if err != nil {
			t.Fatal(err)
		}
		var sharedNames []string
		for _, p := range sharedPaths {
			rel, _ := filepath.Rel(shared, p)
			sharedNames = append(sharedNames, filepath.ToSlash(rel))
		}
		if len(sharedNames) == 0 || !slices.Equal(embeddedNames, sharedNames) {
			t.Errorf("embedded files %v, shared reference has %v", embeddedNames, sharedNames)
		}
		for _, name := range embeddedNames {
			got, err := fs.ReadFile(dataFS, name)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(shared, filepath.FromSlash(name)))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("embedded %s differs from %s: copy it again (see README.md)", name, filepath.Join(shared, name))
			}
		}
	}
}

// TestLoadRoundTrip writes the loaded lists back in the files' format and
// compares them with the embedded bytes: every code, name (Sámi and Kven
// forms included, as UTF-8), date and row order survives parsing. The one
// difference allowed is a lost letter ('?') in the file that Load mended from
// kommuner.csv; no name that Load hands out has one.
func TestLoadRoundTrip(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	dateText := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	}
	var kommuner, fylker, changes strings.Builder
	kommuner.WriteString("kommunenummer;kommunenavn;fylkesnummer;gyldig_fra;gyldig_til\n")
	for _, k := range d.Kommuner {
		kommuner.WriteString(strings.Join([]string{k.Code, k.Name, k.Fylke, dateText(k.From), dateText(k.To)}, ";") + "\n")
	}
	fylker.WriteString("fylkesnummer;fylkesnavn;gyldig_fra;gyldig_til\n")
	for _, f := range d.Fylker {
		fylker.WriteString(strings.Join([]string{f.Code, f.Name, dateText(f.From), dateText(f.To)}, ";") + "\n")
	}
	changes.WriteString("gammelt_nummer;gammelt_navn;nytt_nummer;nytt_navn;gjelder_fra\n")
	for _, c := range d.Changes {
		changes.WriteString(strings.Join([]string{c.Old, c.OldName, c.New, c.NewName, dateText(c.From)}, ";") + "\n")
	}
	for name, got := range map[string]string{kommunerFile: kommuner.String(), fylkerFile: fylker.String(), changesFile: changes.String()} {
		want, err := fs.ReadFile(dataFS, name)
		if err != nil {
			t.Fatal(err)
		}
		gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		if len(gotLines) != len(wantLines) {
			t.Errorf("%s: %d lines written back, file has %d", name, len(gotLines), len(wantLines))
			continue
		}
		for i := range gotLines {
			if strings.ContainsRune(gotLines[i], lostLetter) {
				t.Errorf("%s:%d: a lost letter was not mended: %q", name, i+1, gotLines[i])
			}
			if !sameButLost(wantLines[i], gotLines[i]) {
				t.Errorf("%s:%d does not round-trip: got %q, file has %q", name, i+1, gotLines[i], wantLines[i])
			}
		}
	}
}

func TestSamiNames(t *testing.T) {
	d := MustLoad()
	tests := []struct {
		code string
		on   time.Time
		want string
	}{
		{"1940", date(2016, 12, 31), "Gáivuotna - Kåfjord"},
		{"1940", date(2017, 1, 1), "Gáivuotna - Kåfjord - Kaivuono"},
		{"1841", date(2016, 6, 1), "Fauske"},
		{"1841", date(2017, 6, 1), "Fauske - Fuossko"},
		{"2011", date(2017, 6, 1), "Guovdageaidnu - Kautokeino"},
		{"5005", date(2019, 1, 1), "Namsos - Nåavmesjenjaelmie"},
		{"1826", date(2020, 1, 1), "Aarborte - Hattfjelldal"},
	}
	for _, tt := range tests {
		k, ok := d.KommuneOn(tt.code, tt.on)
		if !ok || k.Name != tt.want {
			t.Errorf("KommuneOn(%s, %s) = %q, %v; want %q", tt.code, tt.on.Format(time.DateOnly), k.Name, ok, tt.want)
		}
	}
	// á and å are single runes: the bytes were decoded as UTF-8, not Latin-1.
	k, _ := d.KommuneOn("1940", date(2017, 1, 1))
	if r := []rune(k.Name); r[1] != 'á' || len(r) != len("Gaivuotna - Kafjord - Kaivuono") {
		t.Errorf("name %q is not decoded as UTF-8", k.Name)
	}
}

// TestChangesAgreeWithValidity checks the three lists against each other: a
// kommune row ends only where its code goes on under a new name or a change
// takes it away, and every change leads from a code valid the day before to
// one valid on the day.
func TestChangesAgreeWithValidity(t *testing.T) {
	d := MustLoad()
	changed := make(map[string]bool) // old code + date
	for _, c := range d.Changes {
		changed[c.Old+c.From.Format(time.DateOnly)] = true
		before := c.From.AddDate(0, 0, -1)
		if !d.ValidOn(c.Old, before) {
			t.Errorf("change %s→%s on %s: %s not valid the day before", c.Old, c.New, c.From.Format(time.DateOnly), c.Old)
		}
		if k, ok := d.KommuneOn(c.New, c.From); !ok || k.Name != c.NewName {
			t.Errorf("change %s→%s on %s: new kommune is %q, %v; want %q", c.Old, c.New, c.From.Format(time.DateOnly), k.Name, ok, c.NewName)
		}
	}
	for _, k := range d.Kommuner {
		if k.To.IsZero() {
			continue
		}
		if !d.ValidOn(k.Code, k.To) && !changed[k.Code+k.To.Format(time.DateOnly)] {
			t.Errorf("kommune %s %s ends on %s with no change", k.Code, k.Name, k.To.Format(time.DateOnly))
		}
	}
}

func TestLoadRejectsBadData(t *testing.T) {
	tests := []struct {
		fixture string // in testdata/bad
		replace string // the embedded file it stands in for
		want    string // the start of the error
	}{
		{"kommuner_bad_date.csv", kommunerFile, `kommuner.csv:3: gyldig_fra "2013-13-01" is not a date`},
		{"kommuner_short_code.csv", kommunerFile, `kommuner.csv:2: kommunenummer "301" is not 4 digits`},
		{"kommuner_overlap.csv", kommunerFile, `kommuner.csv:4: validity of 0301 overlaps line 2`},
		{"kommuner_empty_span.csv", kommunerFile, `kommuner.csv:2: gyldig_til 2013-01-01 is not after gyldig_fra 2013-01-01`},
		{"kommuner_missing_field.csv", kommunerFile, `kommuner.csv:3: wrong number of fields`},
		{"kommuner_comma_header.csv", kommunerFile, `kommuner.csv:1: wrong number of fields`},
		{"kommuner_renamed_header.csv", kommunerFile, `kommuner.csv:1: header is "kode;navn;fylke;fra;til", want "kommunenummer;`},
		{"kommuner_empty_name.csv", kommunerFile, `kommuner.csv:2: kommunenavn is empty`},
		{"kommuner_latin1.csv", kommunerFile, `kommuner.csv:2: kommunenavn is not valid UTF-8`},
		{"fylker_short_code.csv", fylkerFile, `fylker.csv:2: fylkesnummer "3" is not 2 digits`},
		{"endringer_no_date.csv", changesFile, `kommuneendringer.csv:2: gjelder_fra "" is not a date`},
		{"endringer_repeated.csv", changesFile, `kommuneendringer.csv:3: repeats the change on line 2`},
		{"figures_unknown_kind.csv", figuresFile, `published_figures.csv:2: kind "share" is not one of`},
		{"figures_fractional_count.csv", figuresFile, `published_figures.csv:3: value "12.5" of a count is not a whole number`},
		{"figures_bad_as_of.csv", figuresFile, `published_figures.csv:2: as_of "28.02.2015" is not a date`},
		{"figures_bad_year.csv", figuresFile, `published_figures.csv:2: year "2014a" is not a whole number`},
		{"figures_open_quote.csv", figuresFile, `published_figures.csv:3: extraneous or missing " in quoted-field`},
		{"figures_repeated.csv", figuresFile, `published_figures.csv:4: bosatte 2014 repeats the figure on line 2`},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			bad, err := os.ReadFile(filepath.Join("testdata", "bad", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{tt.replace: {Data: bad}}
			for _, name := range []string{kommunerFile, fylkerFile, changesFile, figuresFile} {
				if name != tt.replace {
					good, err := fs.ReadFile(dataFS, name)
					if err != nil {
						t.Fatal(err)
					}
					fsys[name] = &fstest.MapFile{Data: good}
				}
			}
			_, loadErr := load(fsys)
			_, figErr := parseFigures(fsys)
			err = loadErr
			if tt.replace == figuresFile {
				if loadErr != nil {
					t.Fatalf("load with bad figures: %v", loadErr)
				}
				err = figErr
			} else if figErr != nil {
				t.Fatalf("parseFigures with bad %s: %v", tt.replace, figErr)
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to start %q", err, tt.want)
			}
		})
	}
}

func TestOutlines(t *testing.T) {
	d := MustLoad()
	for _, tt := range []struct {
		level, prop string
		want        int
	}{
		{OutlineKommuner, "kommunenummer", len(d.KommunerOn(date(2030, 1, 1)))},
		{OutlineFylker, "fylkesnummer", 15},
	} {
		data, year, err := Outlines(tt.level)
		if err != nil {
			t.Fatal(err)
		}
		if year != 2024 {
			t.Errorf("%s outlines of %d, want 2024", tt.level, year)
		}
		if n := bytes.Count(data, []byte(`"`+tt.prop+`"`)); n != tt.want {
			t.Errorf("%s outlines name %d codes, want %d", tt.level, n, tt.want)
		}
	}
	if _, _, err := Outlines("bydeler"); err == nil {
		t.Error("outlines of an unknown level: no error")
	}
}
