package sqlshell

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Format is how results are written.
type Format string

// The formats of --format.
const (
	Table Format = "table" // aligned columns for reading, NULL shown as NULL
	CSV   Format = "csv"   // RFC 4180, comma and decimal point, empty for NULL
	JSON  Format = "json"  // an array of objects, keys in column order
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Table, CSV, JSON:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want table, csv or json)", s)
}

// result is a query's columns and rows, each cell as the driver gave it.
type result struct {
	cols  []string
	types []string
	rows  [][]any
}

// maxRows bounds what one query may bring into memory; scripts that need
// more export with DuckDB directly.
const maxRows = 1_000_000

func collect(rows *sql.Rows) (*result, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &result{cols: cols}
	for _, ct := range cts {
		res.types = append(res.types, ct.DatabaseTypeName())
	}
	for rows.Next() {
		if len(res.rows) == maxRows {
			return nil, fmt.Errorf("more than %d rows: add a LIMIT or aggregate", maxRows)
		}
		cells := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		res.rows = append(res.rows, cells)
	}
	return res, rows.Err()
}

func (r *result) write(w io.Writer, f Format) error {
	switch f {
	case CSV:
		return r.writeCSV(w)
	case JSON:
		return r.writeJSON(w)
	default:
		return r.writeTable(w)
	}
}

// text is a cell as text; null is what a NULL becomes.
func (r *result) text(col int, v any, null string) string {
	switch x := v.(type) {
	case nil:
		return null
	case string:
		return x
	case []byte:
		return fmt.Sprintf("%x", x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case time.Time:
		switch r.types[col] {
		case "DATE":
			return x.Format(time.DateOnly)
		case "TIME":
			return x.Format(time.TimeOnly)
		}
		return x.Format("2006-01-02 15:04:05.999999999Z07:00")
	case *big.Int:
		return x.String()
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func (r *result) writeTable(w io.Writer) error {
	width := make([]int, len(r.cols))
	cells := make([][]string, len(r.rows))
	for i, c := range r.cols {
		width[i] = utf8.RuneCountInString(c)
	}
	for i, row := range r.rows {
		cells[i] = make([]string, len(row))
		for j, v := range row {
			s := strings.ReplaceAll(r.text(j, v, "NULL"), "\n", `\n`)
			cells[i][j] = s
			width[j] = max(width[j], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	line := func(vals []string) {
		for j, s := range vals {
			if j > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(s)
			if j < len(vals)-1 {
				b.WriteString(strings.Repeat(" ", width[j]-utf8.RuneCountInString(s)))
			}
		}
		b.WriteByte('\n')
	}
	line(r.cols)
	seps := make([]string, len(r.cols))
	for j := range seps {
		seps[j] = strings.Repeat("-", width[j])
	}
	b.WriteString(strings.Join(seps, "-+-") + "\n")
	for _, row := range cells {
		line(row)
	}
	fmt.Fprintf(&b, "(%d rows)\n", len(r.rows))
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *result) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.cols); err != nil {
		return err
	}
	rec := make([]string, len(r.cols))
	for _, row := range r.rows {
		for j, v := range row {
			rec[j] = r.text(j, v, "")
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (r *result) writeJSON(w io.Writer) error {
	var b strings.Builder
	b.WriteString("[")
	for i, row := range r.rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(r.cols[j])
			b.Write(k)
			b.WriteString(": ")
			b.Write(r.jsonValue(j, v))
		}
		b.WriteString("}")
	}
	b.WriteString("\n]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonValue encodes a cell: numbers and booleans as JSON, everything else
// as the text the table shows.
func (r *result) jsonValue(col int, v any) []byte {
	switch x := v.(type) {
	case nil:
		return []byte("null")
	case bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, int, uint:
		b, _ := json.Marshal(x)
		return b
	case float64, float32:
		if b, err := json.Marshal(x); err == nil {
			return b
		}
	case *big.Int:
		return []byte(x.String())
	}
	b, _ := json.Marshal(r.text(col, v, ""))
	return b
}
