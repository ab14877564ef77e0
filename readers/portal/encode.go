package portal

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
)

// format is an answer's encoding, chosen with ?format=.
type format string

const (
	formatJSON     format = "json"
	formatCSV      format = "csv"
	formatJSONStat format = "jsonstat"
	formatXLSX     format = "xlsx"
)

// contentTypes of the formats. JSON-stat has no registered media type;
// agencies serve it as JSON.
var contentTypes = map[format]string{
	formatJSON:     "application/json; charset=utf-8",
	formatCSV:      "text/csv; charset=utf-8",
	formatJSONStat: "application/json; charset=utf-8",
	formatXLSX:     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

func parseFormat(s string, allowed ...format) (format, error) {
	if s == "" {
		return formatJSON, nil
	}
	for _, f := range allowed {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(allowed))
	for i, f := range allowed {
		names[i] = string(f)
	}
	return "", badf("format %s: want %s", quoteInput(s), strings.Join(names, ", "))
}

func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// bom starts a CSV file so that Excel reads it as UTF-8.
const bom = "\ufeff"

// numbers is how a language writes numbers for people.
//
// Norwegian (Språkrådet, SSB): decimal comma, a space between groups of
// three digits (no-break, so that a number is never split over two
// lines) and a space before %: 1 234, 12,5 %.
//
// English: decimal point and a comma between groups of three digits, the
// form English readers in Britain and America know from their own
// statistics offices (ONS, Census Bureau) and that English-locale
// spreadsheets read back; % follows the number without a space: 1,234,
// 12.5%. The SI/ISO thin space was the alternative; it is unambiguous
// across languages, but English readers see it rarely and a copied figure
// with it is text, not a number, in English Excel.
type numbers struct {
	point   string // the decimal separator
	group   string // between groups of three digits of a whole number
	percent string // a share in percent: the number, then this
	comma   rune   // the field separator of CSV, for that language's Excel
}

var numberFormats = map[lang]numbers{
	langNB: {point: ",", group: "\u00a0", percent: " %", comma: ';'},
	langEN: {point: ".", group: ",", percent: "%", comma: ','},
}

// numbersIn is the number format of language l (Norwegian when unknown).
func numbersIn(l lang) numbers {
	if n, ok := numberFormats[l]; ok {
		return n
	}
	return numberFormats[langNB]
}

// decimal writes f in full (the shortest form that reads back as f), with
// the language's decimal separator and no grouping: 0,125 or 0.125.
func (n numbers) decimal(f float64) string {
	return n.fixed(f, -1)
}

// fixed writes f with prec decimals (-1: as many as it needs) and the
// language's decimal separator, without grouping.
func (n numbers) fixed(f float64, prec int) string {
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if n.point != "." {
		s = strings.Replace(s, ".", n.point, 1)
	}
	return s
}

// whole writes a whole number with the language's separator between
// groups of three digits: 1 234 567 or 1,234,567.
func (n numbers) whole(i int64) string {
	s := strconv.FormatInt(i, 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for k := range len(s) {
		if k > 0 && (len(s)-k)%3 == 0 {
			b.WriteString(n.group)
		}
		b.WriteByte(s[k])
	}
	return b.String()
}

// newCSV returns a writer for CSV that Excel in language l opens as it
// is: UTF-8 with a byte order mark, CRLF line ends, and the separator of
// that language's Excel (';' in Norwegian, where ',' is the decimal
// separator; ',' in English).
func newCSV(b *bytes.Buffer, l lang) *csv.Writer {
	b.WriteString(bom)
	w := csv.NewWriter(b)
	w.Comma = numbersIn(l).comma
	w.UseCRLF = true
	return w
}

// valuesCSV encodes values one per line, numbers as language l writes
// them; a suppressed value has empty verdi, teller and nevner and status
// ':'. The column names are the JSON answer's in both languages.
func valuesCSV(values []Value, l lang) ([]byte, error) {
	var b bytes.Buffer
	w := newCSV(&b, l)
	n := numbersIn(l)
	w.Write([]string{"indikator", "aar", "niva", "region", "region_navn", "verdi", "teller", "nevner", "status", "data_per"})
	for _, v := range values {
		w.Write([]string{v.Indicator, strconv.Itoa(v.Year), v.Level, v.Region, v.RegionName,
			optFloat(n, v.Verdi), optInt(v.Teller), optInt(v.Nevner), v.Status, v.DataPer})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func catalogueCSV(cat []Indicator, l lang) ([]byte, error) {
	var b bytes.Buffer
	w := newCSV(&b, l)
	w.Write([]string{"indikator", "kilde", "type", "om_personer", "additiv", "nivaer", "del_av", "navn", "enhet", "definisjon"})
	for _, c := range cat {
		w.Write([]string{c.ID, c.Source, c.Type, yesNo(c.AboutPeople), yesNo(c.Additive), strings.Join(c.Levels, ","),
			c.PartOf, c.Name, c.Unit, c.Definition})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func regionsCSV(hits []Hit, l lang) ([]byte, error) {
	var b bytes.Buffer
	w := newCSV(&b, l)
	w.Write([]string{"region", "niva", "navn", "navn_alle", "gyldig_fra", "gyldig_til", "fylke", "forgjengere", "etterfolgere", "dagens", "tidligere", "historikk"})
	for _, h := range hits {
		w.Write([]string{h.Code, h.Level, h.Name, strings.Join(h.Names, "|"), h.ValidFrom, optString(h.ValidTo), optString(h.Fylke),
			strings.Join(h.Predecessors, ","), strings.Join(h.Successors, ","), strings.Join(h.Today, ","), strings.Join(h.Earlier, ","), h.History})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func optString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func yesNo(b bool) string {
	if b {
		return "J"
	}
	return "N"
}

func optFloat(n numbers, f *float64) string {
	if f == nil {
		return ""
	}
	return n.decimal(*f)
}

func optInt(i *int64) string {
	if i == nil {
		return ""
	}
	return strconv.FormatInt(*i, 10)
}
