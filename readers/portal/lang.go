package portal

import "net/url"

// lang is the language of an answer: Norwegian bokmål (the default) or
// English. Names, units and definitions of indicators come from the
// catalogue seed in both; place names are as the reference data has them
// (Sámi and Kven forms included) in both.
type lang string

const (
	langNB lang = "nb"
	langEN lang = "en"
)

// parseLang reads ?lang=: empty, nb or no for bokmål, en for English.
func parseLang(q url.Values) (lang, error) {
	switch v := q.Get("lang"); v {
	case "", "nb", "no":
		return langNB, nil
	case "en":
		return langEN, nil
	default:
		return "", badf("lang %s: want nb or en", quoteInput(v))
	}
}

// text is a label in both languages.
type text struct{ nb, en string }

func (t text) in(l lang) string {
	if l == langEN {
		return t.en
	}
	return t.nb
}

// Labels the API and the pages share.
var (
	txtSuppressed = text{
		"Prikket (:): tallet er skjult av personvernhensyn, fordi det bygger på så få personer at noen kunne kjennes igjen, eller fordi det ellers kunne regnes ut fra andre publiserte tall.",
		"Suppressed (:): the figure is withheld to protect privacy, because it rests on so few people that someone could be recognised, or because it could otherwise be worked out from other published figures.",
	}
	txtPreliminary = text{
		"Foreløpig (p): tallet kan endres når nye data kommer inn.",
		"Preliminary (p): the figure may change when new data come in.",
	}
	txtNotStated = text{
		"Ikke oppgitt (.): tallet kan ikke oppgis på dagens inndeling, fordi en tidligere kommune ble delt mellom flere av dagens kommuner.",
		"Not stated (.): the figure cannot be stated on today's structure, because a former municipality was split between several of today's municipalities.",
	}
	txtSource       = text{"Integrerings- og mangfoldsdirektoratet (IMDi)", "Directorate of Integration and Diversity (IMDi)"}
	txtDimIndicator = text{"indikator", "indicator"}
	txtDimYear      = text{"år", "year"}
	txtTodaySum     = text{"På dagens inndeling: summen av tallene for kodene ", "On today's structure: the sum of the figures for the codes "}
	txtTitle        = text{"Integreringsstatistikk", "Integration statistics"}
	txtComparison   = text{"Sammenligning", "Comparison"}
	txtAbove        = text{"over", "above"}
	txtTo           = text{"til", "to"}
	txtUnit         = text{"enhet", "unit"}
	txtDefinition   = text{"definisjon", "definition"}
	txtDefinitions  = text{"Indikatorenes definisjoner", "Definitions of the indicators"}
)

// statusLabels explains each status a figure may have.
func statusLabels(l lang) map[string]string {
	return map[string]string{":": txtSuppressed.in(l), "p": txtPreliminary.in(l), ".": txtNotStated.in(l)}
}

// licence is the licence the figures are published under: the Norwegian
// Licence for Open Government Data (NLOD) 2.0, which Norwegian agencies
// use for open data and which is assumed for IMDi's. It is stated in the
// API index, JSON-stat (extension.lisens), the workbook's notes and the
// foot of every page. To publish under another licence, change it here
// and in openapi.json (info.license); docs/api.md says so too.
var licence = struct {
	name string
	href text // the licence's text in each language
}{"NLOD 2.0", text{"https://data.norge.no/nlod/no/2.0", "https://data.norge.no/nlod/en/2.0"}}

// licenceIn is the licence as answers state it, linking to its text in
// language l.
func licenceIn(l lang) map[string]string {
	return map[string]string{"name": licence.name, "href": licence.href.in(l)}
}

// levelNames names the levels of regions.
var levelNames = map[string]text{"land": {"land", "country"}, "fylke": {"fylke", "county"}, "kommune": {"kommune", "municipality"}}
