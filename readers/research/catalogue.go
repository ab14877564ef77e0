package research

import (
	"slices"

	"integstat/extract/contract"
	"integstat/transform/pseudo"
)

// Variable is one variable of the catalogue: what a researcher may ask for.
type Variable struct {
	Name       string
	Meaning    string
	Type       string // the output column's DuckDB type at level 0
	Expr       string // SQL over the table's Parquet columns
	Definition string // how it is derived, for the codebook
	Codes      []CodeValue
	// Hierarchy generalises the variable when a project declares it a
	// quasi-identifier; nil means it cannot be one (an amount).
	Hierarchy Hierarchy
	// Rekey, if set, is the pseudonym kind under which the value is
	// re-keyed with the project key (the person, a household).
	Rekey string
}

// CodeValue is one code of a variable's code list and what it means.
type CodeValue struct {
	Code    string `json:"code"`
	Meaning string `json:"meaning"`
}

// Table is one table of the catalogue, read from the Parquet files of one
// source table at the newest data state of the source.
type Table struct {
	Name    string // as the project file and the outputs name it
	Source  string // nir, bosetting
	Parquet string // the table under DIR/parquet/<source>/
	Meaning string
	// Year is the SQL of the year a row belongs to, for the population's
	// years; "" means the table is not limited by year.
	Year string
	// Where is a condition every extracted row meets.
	Where     string
	Variables []Variable
}

// Variable returns the variable of t named name.
func (t *Table) Variable(name string) (*Variable, bool) {
	for i := range t.Variables {
		if t.Variables[i].Name == name {
			return &t.Variables[i], true
		}
	}
	return nil, false
}

// Lookup returns the catalogue table named name.
func Lookup(name string) (*Table, bool) {
	for _, t := range Catalogue {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

func codes(list []string, meanings ...string) []CodeValue {
	out := make([]CodeValue, len(list))
	for i, c := range list {
		out[i] = CodeValue{Code: c}
		if i < len(meanings) {
			out[i].Meaning = meanings[i]
		}
	}
	return out
}

var (
	kjonnCodes    = codes(contract.Kjonn, "woman", "man")
	yesNo         = codes([]string{"true", "false"}, "yes", "no")
	countryCodes  = []CodeValue{{"ISO 3166-1 alpha-3", "a country"}, {Stateless, "stateless"}, {UnknownCountry, "unknown"}}
	kommuneCodes  = []CodeValue{{"NNNN", "kommunenummer valid on the row's date (shared/reference/kommuner.csv)"}}
	personMeaning = "the person's pseudonym in this project: the same person has the same pseudonym in every table and every re-run of the project, and a different one in every other project"
)

// person is the variable every table starts with.
var person = Variable{Name: "person", Meaning: personMeaning, Type: "VARCHAR", Expr: "person", Rekey: pseudo.KindPerson,
	Definition: "HMAC-SHA256 under the project key (master key derived for \"project/<id>\") of the warehouse's person key, 32 base32 characters"}

func code(name, meaning string, list []CodeValue) Variable {
	return Variable{Name: name, Meaning: meaning, Type: "VARCHAR", Expr: name, Codes: list, Hierarchy: Code}
}

func date(name, meaning string) Variable {
	return Variable{Name: name, Meaning: meaning, Type: "DATE", Expr: name, Hierarchy: Date}
}

func kommune(name, meaning string) Variable {
	return Variable{Name: name, Meaning: meaning, Type: "VARCHAR", Expr: name, Codes: kommuneCodes, Hierarchy: Kommune}
}

func country(name, meaning string) Variable {
	return Variable{Name: name, Meaning: meaning, Type: "VARCHAR", Expr: name, Codes: countryCodes, Hierarchy: Country}
}

func amount(name, meaning string) Variable {
	return Variable{Name: name, Meaning: meaning, Type: "DOUBLE", Expr: name}
}

func flag(name, meaning string) Variable {
	return Variable{Name: name, Meaning: meaning, Type: "BOOLEAN", Expr: name, Codes: yesNo, Hierarchy: Code}
}

// Catalogue is every table and variable a project may ask for: the
// pseudonymised microdata of settlement, the introduction programme
// (spells and their outcomes), Norwegian training and hours per month.
// Nothing in it is a direct identifier: the Parquet files hold no identity
// number, name, address, contact detail or date of birth, and the catalogue
// takes only the columns below from them.
var Catalogue = []*Table{
	{Name: "nir_personer", Source: "nir", Parquet: "personer",
		Meaning: "one row per person in NIR (the introduction register)",
		Variables: []Variable{person,
			{Name: "fodselsaar", Meaning: "year of birth", Type: "INTEGER", Expr: "fodselsaar", Hierarchy: BirthYear,
				Definition: "the year of the date of birth; the date itself never leaves the restricted area"},
			code("kjonn", "sex", kjonnCodes),
			country("statsborgerskap", "country of citizenship"),
			country("landbakgrunn", "country background"),
			code("innvandringsgrunn", "reason for immigration", codes(contract.Innvandringsgrunn,
				"refugee", "family reunification with a refugee", "work", "education", "other")),
			kommune("bostedskommune", "kommune of residence"),
		}},
	{Name: "nir_introprogram", Source: "nir", Parquet: "introprogram", Year: "year(vedtak_dato)",
		Meaning: "one row per introduction-programme spell (a decision in one kommune) and its outcome",
		Variables: []Variable{person,
			kommune("kommunenummer", "the kommune running the programme"),
			code("rettighet", "right to the programme", codes(contract.IntroRettighet, "right and duty", "the kommune may offer it (no right)")),
			date("rett_plikt_dato", "when the right and duty began"),
			date("vedtak_dato", "date of the decision"),
			date("startdato", "first day in the programme"),
			date("sluttdato", "last day in the programme; null while ongoing"),
			code("avslutning", "outcome: how the spell ended; null while ongoing", codes(contract.Avslutning,
				"work", "education", "work and education", "completed with other status", "interrupted", "moved to another kommune (a new spell follows there)")),
			flag("utvidet", "programme extended beyond two years"),
			code("spor", "track", codes(contract.Spor, "little or no schooling", "some schooling", "higher education")),
			{Name: "varighet_dager", Meaning: "length of the spell in days", Type: "BIGINT",
				Expr:       "date_diff('day', startdato, sluttdato) + 1",
				Definition: "sluttdato − startdato + 1; null while ongoing or not started"},
		}},
	{Name: "nir_norskopplaering", Source: "nir", Parquet: "norskopplaering", Year: "year(rett_plikt_dato)",
		Meaning: "one row per person, kommune and right: Norwegian and social-studies training",
		Variables: []Variable{person,
			kommune("kommunenummer", "the kommune giving the training"),
			code("rettighet", "right or duty to training", codes(contract.NorskRettighet,
				"right and duty", "duty only", "right only", "asylum seeker in reception", "asylum seeker in the culture-and-values course")),
			date("rett_plikt_dato", "when the right or duty began"),
			date("forste_time_dato", "date of the first registered hour"),
			amount("timer_norsk", "total hours of Norwegian"),
			amount("timer_samfunnskunnskap", "total hours of social studies"),
		}},
	{Name: "nir_timer", Source: "nir", Parquet: "timer", Year: "year(maaned)",
		Meaning: "hours per person, kommune, month and measure",
		Variables: []Variable{person,
			kommune("kommunenummer", "the kommune"),
			{Name: "maaned", Meaning: "the month (its first day)", Type: "DATE", Expr: "maaned", Hierarchy: Month},
			code("tiltak", "measure", codes(contract.Tiltak, "Norwegian", "social studies", "primary and lower secondary school",
				"upper secondary school", "language practice", "work practice", "wage subsidy", "work", "other")),
			code("program", "inside or outside the introduction programme", codes(contract.Program,
				"hours inside the introduction programme", "hours of training outside it")),
			amount("timer", "hours attended"),
			amount("fravaer_timer", "hours absent"),
		}},
	{Name: "bosetting_personer", Source: "bosetting", Parquet: "personer", Year: "year(vedtak_dato)",
		Where:   "NOT skjult_identitet",
		Meaning: "one row per refugee with a decision that gives grounds for settlement, and the settlement; persons with protected identity are never extracted",
		Variables: []Variable{person,
			{Name: "familie", Meaning: "the household settled together, as a pseudonym of this project", Type: "VARCHAR",
				Expr: "familie_id", Rekey: pseudo.KindFamily,
				Definition: "HMAC-SHA256 under the project key of familie_id; null for a person settled alone"},
			{Name: "fodselsaar", Meaning: "year of birth", Type: "INTEGER", Expr: "fodselsaar", Hierarchy: BirthYear},
			{Name: "alder_vedtak", Meaning: "age on the decision date", Type: "INTEGER", Expr: "alder_vedtak", Hierarchy: Age},
			{Name: "alder_bosatt", Meaning: "age on the settlement date", Type: "INTEGER", Expr: "alder_bosatt", Hierarchy: Age},
			code("kjonn", "sex", kjonnCodes),
			country("nasjonalitet", "nationality"),
			code("kategori", "settlement category", codes(contract.Bosettingskategori,
				"resettlement refugee (from abroad)", "refugee from a reception centre", "family reunification with a refugee already settled")),
			flag("enslig_mindreaarig", "unaccompanied minor"),
			date("vedtak_dato", "the decision that gives grounds for settlement"),
			date("bosatt_dato", "settlement date; null while waiting"),
			kommune("kommunenummer", "settlement kommune; null while waiting"),
			code("fra", "settled from", codes(contract.Fra, "reception centre", "integration reception centre", "care centre for minors under 15", "abroad")),
			flag("avtalt_selvbosetting", "found a home themselves, settled by agreement"),
			{Name: "ventetid_dager", Meaning: "days from the decision to settlement", Type: "BIGINT",
				Expr:       "date_diff('day', vedtak_dato, bosatt_dato)",
				Definition: "bosatt_dato − vedtak_dato in days; null while waiting"},
		}},
}

// Sources lists the sources of the catalogue.
func Sources() []string {
	var out []string
	for _, t := range Catalogue {
		if !slices.Contains(out, t.Source) {
			out = append(out, t.Source)
		}
	}
	return out
}
