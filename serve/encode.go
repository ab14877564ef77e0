package serve

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

// decimalComma writes a number the Norwegian way: 0,125.
func decimalComma(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', -1, 64), ".", ",", 1)
}

// newCSV returns a writer for CSV that Norwegian Excel opens as it is:
// UTF-8 with a byte order mark, ';' between fields, CRLF line ends.
func newCSV(b *bytes.Buffer) *csv.Writer {
	b.WriteString(bom)
	w := csv.NewWriter(b)
	w.Comma = ';'
	w.UseCRLF = true
	return w
}

// valuesCSV encodes values one per line; a suppressed value has empty
// verdi, teller and nevner and status ':'.
func valuesCSV(values []Value) ([]byte, error) {
	var b bytes.Buffer
	w := newCSV(&b)
	w.Write([]string{"indikator", "aar", "niva", "region", "region_navn", "verdi", "teller", "nevner", "status", "data_per"})
	for _, v := range values {
		w.Write([]string{v.Indicator, strconv.Itoa(v.Year), v.Level, v.Region, v.RegionName,
			optFloat(v.Verdi), optInt(v.Teller), optInt(v.Nevner), v.Status, v.DataPer})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func catalogueCSV(cat []Indicator) ([]byte, error) {
	var b bytes.Buffer
	w := newCSV(&b)
	w.Write([]string{"indikator", "kilde", "type", "om_personer", "additiv", "nivaer", "del_av", "navn", "enhet", "definisjon"})
	for _, c := range cat {
		w.Write([]string{c.ID, c.Source, c.Type, yesNo(c.AboutPeople), yesNo(c.Additive), strings.Join(c.Levels, ","),
			c.PartOf, c.Name, c.Unit, c.Definition})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func regionsCSV(hits []Hit) ([]byte, error) {
	var b bytes.Buffer
	w := newCSV(&b)
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

func optFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return decimalComma(*f)
}

func optInt(i *int64) string {
	if i == nil {
		return ""
	}
	return strconv.FormatInt(*i, 10)
}
