package delivery

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// bom is the UTF-8 byte-order mark a delivered CSV file may start with.
const bom = "\uFEFF"

// CSVOptions chooses between the variants the CSV dialect allows.
type CSVOptions struct {
	BOM  bool // start the file with a UTF-8 byte-order mark
	CRLF bool // end lines with CR LF instead of LF
}

// CSVWriter writes records in the contract's CSV dialect: UTF-8, ';' between
// fields, a field quoted with '"' (inner quotes doubled) only when it holds
// ';', '"', CR or LF or starts or ends with a space or tab. The empty string
// is null. It buffers; call Flush at the end.
type CSVWriter struct {
	w      *bufio.Writer
	fields int
	eol    string
	rows   int64
	err    error
}

// NewCSVWriter writes the optional BOM and the header line to w and returns
// a writer for the data records. Column names must be non-empty and unique.
func NewCSVWriter(w io.Writer, header []string, opt CSVOptions) (*CSVWriter, error) {
	if len(header) == 0 {
		return nil, fmt.Errorf("csv header: no columns")
	}
	seen := make(map[string]bool, len(header))
	for i, name := range header {
		switch {
		case name == "":
			return nil, fmt.Errorf("csv header: column %d has an empty name", i+1)
		case !utf8.ValidString(name):
			return nil, fmt.Errorf("csv header: column %d: name is not valid UTF-8", i+1)
		case seen[name]:
			return nil, fmt.Errorf("csv header: column %q appears twice", name)
		}
		seen[name] = true
	}
	cw := &CSVWriter{w: bufio.NewWriterSize(w, 64<<10), fields: len(header), eol: "\n"}
	if opt.CRLF {
		cw.eol = "\r\n"
	}
	if opt.BOM {
		cw.w.WriteString(bom)
	}
	cw.writeRecord(header)
	if cw.err != nil {
		return nil, fmt.Errorf("csv header: %w", cw.err)
	}
	return cw, nil
}

// Write writes one record. It must have as many fields as the header, each
// valid UTF-8; the error names the column, never the value.
func (w *CSVWriter) Write(fields []string) error {
	if w.err != nil {
		return w.err
	}
	if len(fields) != w.fields {
		return fmt.Errorf("csv record %d: has %d fields, header has %d", w.rows+1, len(fields), w.fields)
	}
	for i, f := range fields {
		if !utf8.ValidString(f) {
			return fmt.Errorf("csv record %d: field %d is not valid UTF-8", w.rows+1, i+1)
		}
	}
	w.writeRecord(fields)
	if w.err != nil {
		return w.err
	}
	w.rows++
	return nil
}

// writeRecord writes fields and a line end, keeping the first error.
func (w *CSVWriter) writeRecord(fields []string) {
	bw := w.w
	for i, f := range fields {
		if i > 0 {
			bw.WriteByte(';')
		}
		if !needsQuotes(f) {
			bw.WriteString(f)
			continue
		}
		bw.WriteByte('"')
		for {
			j := strings.IndexByte(f, '"')
			if j < 0 {
				break
			}
			bw.WriteString(f[:j+1])
			bw.WriteByte('"')
			f = f[j+1:]
		}
		bw.WriteString(f)
		bw.WriteByte('"')
	}
	if _, err := bw.WriteString(w.eol); err != nil {
		w.err = fmt.Errorf("write csv: %w", err)
	}
}

// special marks the bytes that force a field to be quoted anywhere in it.
var special = [256]bool{';': true, '"': true, '\r': true, '\n': true}

// needsQuotes reports whether f must be quoted to read back unchanged.
func needsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if isBlank(f[0]) || isBlank(f[len(f)-1]) {
		return true
	}
	for i := 0; i < len(f); i++ {
		if special[f[i]] {
			return true
		}
	}
	return false
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// Rows returns the number of data records written.
func (w *CSVWriter) Rows() int64 { return w.rows }

// Flush writes any buffered data to the underlying writer.
func (w *CSVWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.w.Flush(); err != nil {
		w.err = fmt.Errorf("write csv: %w", err)
	}
	return w.err
}
