package marts

import (
	"database/sql/driver"
	"encoding/csv"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"integstat/load/protect"
	"integstat/sql"
)

// Indicator is one indicator of the catalogue (sql/seeds/indikator_katalog.csv):
// what it is, where it comes from and how it is protected.
type Indicator struct {
	ID, Source string
	Type       string   // "antall" (count), "andel" (share) or "snitt" (mean)
	Person     bool     // about persons: primary suppression applies
	Additive   bool     // kommuner sum to their fylke, fylker to the nation
	Levels     []string // the levels it is published at
	PartOf     string   // the indicator it is a part of at every region, if any
	// NextYear is true for figures that exist before their year begins
	// (requests to kommuner are for the coming year): a state computes
	// them for the year after its own too, as far as the data has them.
	NextYear   bool
	Name, Unit string
	Definition string // precise, in the data's terms
	// Theme groups the indicator for readers: bosetting, intro, norsk or tolk.
	Theme string
	// The name and unit in English, and the definition in plain words
	// (no column names) in Norwegian and English, for the portal.
	NameEN, UnitEN, Plain, PlainEN string
}

// Themes of the catalogue, in the order a reader follows them.
var Themes = []string{"bosetting", "intro", "norsk", "tolk"}

// Types of indicator.
const (
	Count = "antall"
	Share = "andel"
	Mean  = "snitt"
)

// Catalogue parses the indicator catalogue embedded in the binary.
func Catalogue() ([]Indicator, error) {
	return parseCatalogue(sql.Files, "seeds/indikator_katalog.csv")
}

func parseCatalogue(fsys fs.FS, path string) ([]Indicator, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("marts: catalogue: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("marts: catalogue %s: %w", path, err)
	}
	want := []string{"indikator", "kilde", "type", "om_personer", "additiv", "nivaer", "del_av", "neste_aar", "navn", "enhet", "definisjon",
		"tema", "navn_en", "enhet_en", "forklaring", "forklaring_en"}
	if len(recs) == 0 || !slices.Equal(recs[0], want) {
		return nil, fmt.Errorf("marts: catalogue %s: line 1: header must be %s", path, strings.Join(want, ";"))
	}
	var out []Indicator
	seen := map[string]bool{}
	for i, rec := range recs[1:] {
		line := i + 2
		ind := Indicator{ID: rec[0], Source: rec[1], Type: rec[2], Person: rec[3] == "J", Additive: rec[4] == "J",
			Levels: strings.Split(rec[5], ","), PartOf: rec[6], NextYear: rec[7] == "J", Name: rec[8], Unit: rec[9], Definition: rec[10],
			Theme: rec[11], NameEN: rec[12], UnitEN: rec[13], Plain: rec[14], PlainEN: rec[15]}
		switch {
		case seen[ind.ID]:
			return nil, fmt.Errorf("marts: catalogue %s: line %d: indicator %q twice", path, line, ind.ID)
		case ind.Type != Count && ind.Type != Share && ind.Type != Mean:
			return nil, fmt.Errorf("marts: catalogue %s: line %d: type %q is not antall, andel or snitt", path, line, ind.Type)
		case !slices.Contains([]string{"nir", "bosetting", "tolk"}, ind.Source):
			return nil, fmt.Errorf("marts: catalogue %s: line %d: unknown source %q", path, line, ind.Source)
		case !slices.Contains(Themes, ind.Theme):
			return nil, fmt.Errorf("marts: catalogue %s: line %d: theme %q is not one of %s", path, line, ind.Theme, strings.Join(Themes, ", "))
		case ind.NameEN == "" || ind.UnitEN == "" || ind.Plain == "" || ind.PlainEN == "":
			return nil, fmt.Errorf("marts: catalogue %s: line %d: navn_en, enhet_en, forklaring and forklaring_en are required", path, line)
		case !yesNo(rec[3]) || !yesNo(rec[4]) || !yesNo(rec[7]):
			return nil, fmt.Errorf("marts: catalogue %s: line %d: om_personer, additiv and neste_aar must be J or N", path, line)
		}
		for _, l := range ind.Levels {
			if l != protect.Land && l != protect.Fylke && l != protect.Kommune {
				return nil, fmt.Errorf("marts: catalogue %s: line %d: unknown level %q", path, line, l)
			}
		}
		seen[ind.ID] = true
		out = append(out, ind)
	}
	for _, ind := range out {
		if ind.PartOf != "" && !seen[ind.PartOf] {
			return nil, fmt.Errorf("marts: catalogue %s: %s is part of unknown indicator %q", path, ind.ID, ind.PartOf)
		}
	}
	return out, nil
}

func katalogRows(cat []Indicator) [][]driver.Value {
	rows := make([][]driver.Value, 0, len(cat))
	for _, c := range cat {
		var partOf any // NULL when the indicator is part of none
		if c.PartOf != "" {
			partOf = c.PartOf
		}
		rows = append(rows, []driver.Value{c.ID, c.Source, c.Type, c.Person, c.Additive, strings.Join(c.Levels, ","), partOf, c.NextYear, c.Name, c.Unit, c.Definition,
			c.Theme, c.NameEN, c.UnitEN, c.Plain, c.PlainEN})
	}
	return rows
}

// groups returns the category relations of the catalogue for package
// protect: each indicator with parts, and its parts.
func groups(cat []Indicator) []protect.Group {
	var out []protect.Group
	for _, total := range cat {
		var parts []string
		for _, c := range cat {
			if c.PartOf == total.ID {
				parts = append(parts, c.ID)
			}
		}
		if len(parts) > 0 {
			out = append(out, protect.Group{Total: total.ID, Parts: parts})
		}
	}
	return out
}

func yesNo(s string) bool { return s == "J" || s == "N" }
