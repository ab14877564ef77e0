// Package contract describes, as data, what the three registers deliver:
// every table of ../shared/spec/sources.md with its columns, their types and
// code lists, the primary key, and which date decides whether a kommune code
// is valid. The generator plants faults from it, the validator checks rows
// against it, and the docs are checked against it, so the contract is written
// down once.
package contract

import (
	"slices"
	"strings"
)

// Type is the type of a column as the contract states it.
type Type int

// Column types of the contracts.
const (
	String    Type = iota // free text
	IDNumber              // fødselsnummer or D-nummer, 11 digits
	DUF                   // DUF-nummer, 12 digits
	Code                  // one of Column.Codes
	Date                  // YYYY-MM-DD
	Timestamp             // YYYY-MM-DD HH:MM:SS, Europe/Oslo
	Month                 // YYYY-MM
	Bool                  // J/N in CSV, true/false in JSON
	Decimal               // decimal comma in CSV
	Integer               // whole number
	Kommune               // 4-digit kommunenummer valid on the row's date
	Country               // ISO 3166-1 alpha-3 (XXX stateless, XXA unknown)
	Language              // ISO 639-3
)

var typeNames = [...]string{"string", "idnumber", "duf", "code", "date", "timestamp", "month", "bool", "decimal", "integer", "kommune", "country", "language"}

// String names the type as the docs do.
func (t Type) String() string { return typeNames[t] }

// Role is what a column means beyond its type: which number names the
// row's person, which numbers are linked to it, the birth date, the
// kommune the row counts the person in, the protected-identity flag, and
// when the row last changed. The pipeline, the validator and the marts ask
// the contract for roles instead of testing column names.
type Role int

// Roles of columns.
const (
	NoRole        Role = iota
	PersonID           // the number that names the row's person: duf in settlement, fnr elsewhere
	LinkedID           // another current number of the same person, linked to PersonID (fnr beside duf)
	FormerID           // a number the person had before PersonID (NIR's tidligere_fnr)
	BirthDate          // the person's date of birth
	PersonKommune      // a kommune the row places its person in; emptied for a protected person, who counts in the nation only
	Protected          // the person's identity is protected (skjult_identitet): never shown below the nation, never extracted
	ChangedAt          // when the register last changed the row (endret_tidspunkt, sist_endret); the interpreter database is read by it
)

// Column is one column of a delivered table.
type Column struct {
	Name     string
	Type     Type
	Required bool     // an empty value breaks the contract
	Codes    []string // allowed values when Type is Code
	Personal bool     // a direct identifier: never leaves the restricted area
	Min, Max int      // bounds for Integer columns (Max 0: none)
	Role     Role
}

// Table is one table of a source.
type Table struct {
	Source string
	Name   string // file name without extension, e.g. "introprogram"
	File   string // file name in a delivery, e.g. "introprogram.csv"
	Format string // "csv" or "jsonl"
	Cols   []Column
	Key    []string // primary key
	// KommuneDate names the date column on which kommune codes must be
	// valid; "" means the extraction date, "maaned" the month's first day,
	// "aar" 1 January of the year.
	KommuneDate string
	// Persons marks the source's list of persons (personer, tolk): every
	// other row of a delivery names one of its persons, and its rows link a
	// person's numbers.
	Persons bool
	// PersonsIn names the table of the same delivery whose persons the
	// identity numbers of this table must name ("" for none).
	PersonsIn string
}

// ColumnOf returns the position of the column with role r, or -1.
func (t *Table) ColumnOf(r Role) int {
	return slices.IndexFunc(t.Cols, func(c Column) bool { return c.Role == r })
}

// TablesWith lists the tables that have a column with role r, in the
// order of Tables.
func TablesWith(r Role) []*Table {
	var out []*Table
	for _, t := range Tables {
		if t.ColumnOf(r) >= 0 {
			out = append(out, t)
		}
	}
	return out
}

// PersonsOf returns the list of persons of source (the table marked
// Persons), and whether the source has one.
func PersonsOf(source string) (*Table, bool) {
	for _, t := range Tables {
		if t.Source == source && t.Persons {
			return t, true
		}
	}
	return nil, false
}

// NumberColumns returns the positions of the identity numbers of a row of
// a persons table that belong to one person: the number naming the person
// and the one linked to it or replaced by it (-1 when the table has
// neither). Callers look them up once per table, not per row.
func (t *Table) NumberColumns() (person, other int) {
	other = t.ColumnOf(LinkedID)
	if other < 0 {
		other = t.ColumnOf(FormerID)
	}
	return t.ColumnOf(PersonID), other
}

// Relation is the name the SQL models read the table by (declared in
// sql/sources): src_<source>_<table>, without repeating a table name that
// begins with its source's (src_tolk_sprak).
func (t *Table) Relation() string {
	if strings.HasPrefix(t.Name, t.Source+"_") {
		return "src_" + t.Name
	}
	return "src_" + t.Source + "_" + t.Name
}

// FirstKey returns the position of the first column of the primary key,
// or -1 for a table without one. A delivery's rows come grouped by it (a
// person's rows together): reading cuts a file between its runs, and the
// row check follows them to find duplicate keys.
func (t *Table) FirstKey() int {
	if len(t.Key) == 0 {
		return -1
	}
	return t.Index(t.Key[0])
}

// Column returns the column named name and whether it exists.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Cols {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Names lists the column names in contract order.
func (t *Table) Names() []string {
	out := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		out[i] = c.Name
	}
	return out
}

// Index returns the position of column name in Cols, or -1.
func (t *Table) Index(name string) int {
	return slices.IndexFunc(t.Cols, func(c Column) bool { return c.Name == name })
}

// Code lists of the contracts.
var (
	Kjonn              = []string{"K", "M"}
	Innvandringsgrunn  = []string{"FLU", "FAM", "ARB", "UTD", "ANN"}
	IntroRettighet     = []string{"RP", "KT"}
	Avslutning         = []string{"ARB", "UTD", "AOU", "FUL", "AVB", "FLY"}
	Spor               = []string{"1", "2", "3"}
	NorskRettighet     = []string{"RP", "P", "R", "ASYL", "KV"}
	Tiltak             = []string{"NORSK", "SAMF", "GRUNNSKOLE", "VGS", "SPRAKPRAKSIS", "ARBEIDSPRAKSIS", "LONNSTILSKUDD", "ARBEID", "ANNET"}
	Program            = []string{"INTRO", "NORSK"}
	Bosettingskategori = []string{"OVF", "ASYL", "FAM"}
	Fra                = []string{"MOTTAK", "INTEGRERINGSMOTTAK", "OMSORGSSENTER", "UTLANDET"}
	Tolkekategori      = []string{"1", "2", "3", "4", "5"}
)

func col(name string, t Type, required bool) Column {
	return Column{Name: name, Type: t, Required: required}
}
func code(name string, required bool, codes []string) Column {
	return Column{Name: name, Type: Code, Required: required, Codes: codes}
}
func personal(name string, t Type, required bool) Column {
	return Column{Name: name, Type: t, Required: required, Personal: true}
}
func role(c Column, r Role) Column {
	c.Role = r
	return c
}

// Tables lists every table of every source, in the order sources.md gives.
var Tables = []*Table{
	{Source: "nir", Name: "personer", File: "personer.csv", Format: "csv", Key: []string{"fnr"}, Persons: true, Cols: []Column{
		role(personal("fnr", IDNumber, true), PersonID),
		personal("fornavn", String, false),
		personal("etternavn", String, false),
		role(personal("fodselsdato", Date, true), BirthDate),
		code("kjonn", true, Kjonn),
		col("statsborgerskap", Country, false),
		col("landbakgrunn", Country, false),
		code("innvandringsgrunn", false, Innvandringsgrunn),
		personal("adresse", String, false),
		personal("postnummer", String, false),
		role(col("bostedskommune", Kommune, false), PersonKommune),
		role(personal("tidligere_fnr", IDNumber, false), FormerID),
		role(col("endret_tidspunkt", Timestamp, true), ChangedAt),
	}},
	{Source: "nir", Name: "introprogram", File: "introprogram.csv", Format: "csv", Key: []string{"vedtak_id"}, KommuneDate: "vedtak_dato", PersonsIn: "personer", Cols: []Column{
		col("vedtak_id", String, true),
		role(personal("fnr", IDNumber, true), PersonID),
		role(col("kommunenummer", Kommune, true), PersonKommune),
		code("rettighet", true, IntroRettighet),
		col("rett_plikt_dato", Date, false),
		col("vedtak_dato", Date, true),
		col("startdato", Date, false),
		col("sluttdato", Date, false),
		code("avslutning", false, Avslutning),
		col("utvidet", Bool, true),
		code("spor", false, Spor),
		col("registrert_tidspunkt", Timestamp, true),
	}},
	{Source: "nir", Name: "norskopplaering", File: "norskopplaering.csv", Format: "csv", Key: []string{"fnr", "kommunenummer", "rettighet"}, KommuneDate: "rett_plikt_dato", PersonsIn: "personer", Cols: []Column{
		role(personal("fnr", IDNumber, true), PersonID),
		role(col("kommunenummer", Kommune, true), PersonKommune),
		code("rettighet", true, NorskRettighet),
		col("rett_plikt_dato", Date, true),
		col("forste_time_dato", Date, false),
		col("timer_norsk", Decimal, false),
		col("timer_samfunnskunnskap", Decimal, false),
		col("registrert_tidspunkt", Timestamp, true),
	}},
	{Source: "nir", Name: "timer", File: "timer.csv", Format: "csv", Key: []string{"fnr", "kommunenummer", "maaned", "tiltak", "program"}, KommuneDate: "maaned", PersonsIn: "personer", Cols: []Column{
		role(personal("fnr", IDNumber, true), PersonID),
		role(col("kommunenummer", Kommune, true), PersonKommune),
		col("maaned", Month, true),
		code("tiltak", true, Tiltak),
		code("program", true, Program),
		col("timer", Decimal, true),
		col("fravaer_timer", Decimal, false),
		col("registrert_tidspunkt", Timestamp, true),
	}},
	{Source: "bosetting", Name: "personer", File: "personer.jsonl.gz", Format: "jsonl", Key: []string{"duf"}, KommuneDate: "bosatt_dato", Persons: true, Cols: []Column{
		role(personal("duf", DUF, true), PersonID),
		role(personal("fnr", IDNumber, false), LinkedID),
		personal("fornavn", String, false),
		personal("etternavn", String, false),
		role(personal("fodselsdato", Date, true), BirthDate),
		code("kjonn", true, Kjonn),
		col("nasjonalitet", Country, false),
		code("kategori", true, Bosettingskategori),
		col("enslig_mindreaarig", Bool, true),
		col("familie_id", String, false),
		col("vedtak_dato", Date, true),
		col("bosatt_dato", Date, false),
		role(col("kommunenummer", Kommune, false), PersonKommune),
		code("fra", true, Fra),
		col("avtalt_selvbosetting", Bool, true),
		role(col("skjult_identitet", Bool, true), Protected),
		role(col("sist_endret", Timestamp, true), ChangedAt),
	}},
	{Source: "bosetting", Name: "anmodninger", File: "anmodninger.csv", Format: "csv", Key: []string{"aar", "kommunenummer"}, KommuneDate: "aar", Cols: []Column{
		{Name: "aar", Type: Integer, Required: true, Min: 1990, Max: 2100},
		col("kommunenummer", Kommune, true),
		{Name: "anmodet", Type: Integer, Required: true},
		{Name: "anmodet_em", Type: Integer, Required: false},
		{Name: "vedtatt", Type: Integer, Required: false},
		{Name: "vedtatt_em", Type: Integer, Required: false},
	}},
	{Source: "tolk", Name: "tolk", File: "tolk.csv", Format: "csv", Key: []string{"tolk_id"}, Persons: true, Cols: []Column{
		{Name: "tolk_id", Type: Integer, Required: true, Min: 1},
		role(personal("fnr", IDNumber, true), PersonID),
		personal("fornavn", String, false),
		personal("etternavn", String, false),
		personal("epost", String, false),
		personal("telefon", String, false),
		code("kjonn", true, Kjonn),
		{Name: "fodselsaar", Type: Integer, Required: false, Min: 1900, Max: 2100},
		role(col("bostedskommune", Kommune, false), PersonKommune),
		col("statsautorisert", Bool, true),
		col("tolkeutdanning", Bool, true),
		col("registrert_dato", Date, true),
		col("avregistrert_dato", Date, false),
		role(col("endret_tidspunkt", Timestamp, true), ChangedAt),
	}},
	{Source: "tolk", Name: "tolk_sprak", File: "tolk_sprak.csv", Format: "csv", Key: []string{"tolk_id", "sprak", "gyldig_fra"}, Cols: []Column{
		{Name: "tolk_id", Type: Integer, Required: true, Min: 1},
		col("sprak", Language, true),
		code("kategori", true, Tolkekategori),
		col("gyldig_fra", Date, true),
		col("gyldig_til", Date, false),
		role(col("endret_tidspunkt", Timestamp, true), ChangedAt),
	}},
}

// Lookup returns the table of source named name (without extension).
func Lookup(source, name string) (*Table, bool) {
	for _, t := range Tables {
		if t.Source == source && t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// Sources lists the source names.
var Sources = []string{"nir", "bosetting", "tolk"}

// OfSource lists the tables of one source.
func OfSource(source string) []*Table {
	var out []*Table
	for _, t := range Tables {
		if t.Source == source {
			out = append(out, t)
		}
	}
	return out
}

// ByFile returns the table of source delivered in the file named file.
func ByFile(source, file string) (*Table, bool) {
	for _, t := range Tables {
		if t.Source == source && t.File == file {
			return t, true
		}
	}
	return nil, false
}
