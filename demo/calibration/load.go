package calibration

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
)

// kind is how a column's text is read.
type kind int

const (
	kindText    kind = iota // kept as text; empty is null
	kindDate                // YYYY-MM-DD
	kindMonth               // YYYY-MM, read as the month's first day
	kindDecimal             // decimal comma: 7,5
	kindInteger             // digits with an optional minus
	kindYesNo               // J / N
	kindBool                // a JSON boolean
)

// what names a kind in error messages.
func (k kind) what() string {
	switch k {
	case kindDate:
		return "a date YYYY-MM-DD"
	case kindMonth:
		return "a month YYYY-MM"
	case kindDecimal:
		return "a decimal number with decimal comma"
	case kindInteger:
		return "an integer"
	case kindYesNo:
		return "J or N"
	}
	return "valid"
}

// typed returns the SQL expression that reads column x of the raw table as
// kind k, NULL where the text is empty or does not parse.
func (k kind) typed(x string) string {
	switch k {
	case kindDate:
		return fmt.Sprintf(`CASE WHEN regexp_full_match(%[1]s, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN CAST(try_strptime(%[1]s, '%%Y-%%m-%%d') AS DATE) END`, x)
	case kindMonth:
		return fmt.Sprintf(`CASE WHEN regexp_full_match(%[1]s, '[0-9]{4}-[0-9]{2}') THEN CAST(try_strptime(%[1]s || '-01', '%%Y-%%m-%%d') AS DATE) END`, x)
	case kindDecimal:
		return fmt.Sprintf(`CASE WHEN regexp_full_match(%[1]s, '-?[0-9]+(,[0-9]+)?') THEN CAST(replace(%[1]s, ',', '.') AS DOUBLE) END`, x)
	case kindInteger:
		return fmt.Sprintf(`CASE WHEN regexp_full_match(%[1]s, '-?[0-9]{1,18}') THEN CAST(%[1]s AS BIGINT) END`, x)
	case kindYesNo:
		return fmt.Sprintf(`CASE %s WHEN 'J' THEN true WHEN 'N' THEN false END`, x)
	case kindBool:
		return x
	}
	return fmt.Sprintf(`nullif(%s, '')`, x)
}

// column is one column a table's SQL uses.
type column struct {
	name string
	kind kind
}

// cols returns text columns with the given names.
func cols(names ...string) []column {
	c := make([]column, len(names))
	for i, n := range names {
		c[i] = column{n, kindText}
	}
	return c
}

// table is one file of a delivery and the DuckDB table it is loaded into.
type table struct {
	file    string   // name in the delivery directory
	name    string   // DuckDB table the SQL files read
	json    bool     // JSON Lines (gzip by extension) instead of CSV
	columns []column // the columns the SQL files use
	ignored []string // contract columns the SQL files do not need
}

// load reads the file at path into t.name, checking that it holds
// wantRows data rows (errCorrupt otherwise) and that every used column
// parses. where names the file in messages.
func (t table) load(ctx context.Context, conn *sql.Conn, path, where string, wantRows int64) error {
	src, err := t.reader(path, where)
	if err != nil {
		return err
	}
	raw := "raw_" + t.name
	sel := make([]string, len(t.columns))
	for i, c := range t.columns {
		sel[i] = ident(c.name)
	}
	q := fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT row_number() OVER () AS rad, %s FROM %s`,
		raw, strings.Join(sel, ", "), src)
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return readError(where, err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+raw)

	var n int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM `+raw).Scan(&n); err != nil {
		return fmt.Errorf("calibration: %s: count rows: %w", where, err)
	}
	if n != wantRows {
		return fmt.Errorf("%s: %d data rows, the manifest says %d: %w", where, n, wantRows, errCorrupt)
	}
	if err := t.check(ctx, conn, raw, where); err != nil {
		return err
	}
	typed := make([]string, len(t.columns))
	for i, c := range t.columns {
		typed[i] = c.kind.typed(ident(c.name)) + " AS " + ident(c.name)
	}
	q = fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT %s FROM %s ORDER BY rad`, t.name, strings.Join(typed, ", "), raw)
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("calibration: %s: type columns: %w", where, err)
	}
	return nil
}

// check reports the first record with a value that does not parse as its
// column's kind, without echoing the value.
func (t table) check(ctx context.Context, conn *sql.Conn, raw, where string) error {
	var checked []column
	var exprs []string
	for _, c := range t.columns {
		if c.kind == kindText || c.kind == kindBool {
			continue
		}
		x := ident(c.name)
		checked = append(checked, c)
		exprs = append(exprs, fmt.Sprintf(`min(rad) FILTER (WHERE nullif(%s, '') IS NOT NULL AND (%s) IS NULL)`, x, c.kind.typed(x)))
	}
	if len(checked) == 0 {
		return nil
	}
	first := make([]sql.NullInt64, len(checked))
	dest := make([]any, len(checked))
	for i := range first {
		dest[i] = &first[i]
	}
	if err := conn.QueryRowContext(ctx, `SELECT `+strings.Join(exprs, ", ")+` FROM `+raw).Scan(dest...); err != nil {
		return fmt.Errorf("calibration: %s: check values: %w", where, err)
	}
	bad := -1
	for i, f := range first {
		if f.Valid && (bad < 0 || f.Int64 < first[bad].Int64) {
			bad = i
		}
	}
	if bad < 0 {
		return nil
	}
	return fmt.Errorf("calibration: %s: record %d: %s is not %s", where, first[bad].Int64, checked[bad].name, checked[bad].kind.what())
}

// reader returns the DuckDB table function that reads the file as text
// columns. For CSV it reads the header itself, so that DuckDB's dialect
// sniffer cannot mistake a bad line for the header, checks that every used
// column is there and warns about columns the contract does not know.
func (t table) reader(path, where string) (string, error) {
	if t.json {
		spec := make([]string, len(t.columns))
		for i, c := range t.columns {
			typ := "VARCHAR"
			if c.kind == kindBool {
				typ = "BOOLEAN"
			}
			spec[i] = fmt.Sprintf("%s: '%s'", literal(c.name), typ)
		}
		return fmt.Sprintf(`read_json(%s, format='newline_delimited', columns={%s})`, literal(path), strings.Join(spec, ", ")), nil
	}
	header, err := csvHeader(path)
	if err != nil {
		return "", fmt.Errorf("calibration: %s: header: %w", where, err)
	}
	for _, c := range t.columns {
		if !slices.Contains(header, c.name) {
			return "", fmt.Errorf("calibration: %s: the header lacks column %s", where, c.name)
		}
	}
	spec := make([]string, len(header))
	for i, h := range header {
		if slices.Contains(header[:i], h) {
			return "", fmt.Errorf("calibration: %s: the header names column %s twice", where, h)
		}
		known := slices.Contains(t.ignored, h) || slices.ContainsFunc(t.columns, func(c column) bool { return c.name == h })
		if !known {
			slog.Warn("calibration: ignoring a column the contract does not know", "file", where, "column", h)
		}
		spec[i] = fmt.Sprintf("%s: 'VARCHAR'", literal(h))
	}
	return fmt.Sprintf(`read_csv(%s, delim=';', quote='"', escape='"', header=true, auto_detect=false, strict_mode=true, null_padding=false, columns={%s})`,
		literal(path), strings.Join(spec, ", ")), nil
}

// csvHeader returns the column names of a CSV file's first line.
func csvHeader(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.Comma = ';'
	r.FieldsPerRecord = -1
	h, err := r.Read()
	if err != nil {
		return nil, err
	}
	return h, nil
}

// csvLine and jsonLine find the line number in DuckDB's read errors.
var (
	csvLine  = regexp.MustCompile(`CSV Error on Line: ([0-9]+)`)
	jsonLine = regexp.MustCompile(`in line ([0-9]+)`)
)

// readError turns DuckDB's error for a file that does not parse into one
// that names the file, line and problem. DuckDB's own message quotes the
// offending line, which may hold identity numbers, so it is not passed on.
func readError(where string, err error) error {
	msg := err.Error()
	if m := csvLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("calibration: %s: line %s: %s", where, m[1], csvProblem(msg))
	}
	if m := jsonLine.FindStringSubmatch(msg); m != nil && strings.Contains(msg, "JSON") {
		return fmt.Errorf("calibration: %s: line %s: not a JSON object with the contract's keys and types", where, m[1])
	}
	return fmt.Errorf("calibration: %s: the file does not parse: %w", where, errors.New(longNumber.ReplaceAllString(firstLine(msg), "…")))
}

// longNumber matches digit runs that could be identity or case numbers.
var longNumber = regexp.MustCompile(`[0-9]{6,}`)

// csvProblems are the DuckDB CSV errors that can be named without quoting
// the line, and how they are named.
var csvProblems = []struct {
	re   *regexp.Regexp
	text string // "" = the match itself
}{
	{regexp.MustCompile(`Expected Number of Columns: [0-9]+ Found: [0-9]+`), ""},
	{regexp.MustCompile(`(?i)unterminated quote`), "a quoted field is not closed"},
	{regexp.MustCompile(`(?i)invalid unicode`), "not valid UTF-8"},
	{regexp.MustCompile(`(?i)maximum line size`), "the line is too long"},
}

// csvProblem says what is wrong according to a DuckDB CSV error, without
// passing on any of the message's quotes from the file.
func csvProblem(msg string) string {
	for _, p := range csvProblems {
		if m := p.re.FindString(msg); m != "" {
			if p.text != "" {
				return p.text
			}
			return m
		}
	}
	return "the line does not parse as the contract's CSV"
}

// firstLine returns the first line of a message.
func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// ident quotes an SQL identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// literal quotes an SQL string literal.
func literal(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
