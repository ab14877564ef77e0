package delivery

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Record is one data record: the 1-based physical line where it starts (a
// quoted field may span lines) and its fields in header order. The empty
// string is null. Records are the caller's to keep; the Fields of a few
// neighbouring records share one backing array.
type Record struct {
	Line   int64
	Fields []string
}

// RowError is a record that breaks the file format. It names the file, the
// line where the record starts, the column when known, and the problem, and
// never the field's value. A reader that returns it can go on to the next
// record.
type RowError struct {
	File   string
	Line   int64
	Column string
	Reason string
}

// Error returns "file:line: column: reason", or "file:line: reason" when the
// problem is not in one column.
func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Column, e.Reason)
}

// errSyntax is a quoting error inside a record; the parser turns it into a
// RowError and decides where reading resumes.
type errSyntax struct {
	field  int
	reason string
	// noRewind: the record's later lines are not to be read again, because
	// one of them was skipped as too long and line numbers would go wrong.
	noRewind bool
}

func (e *errSyntax) Error() string { return e.reason }

// CSVReader reads a CSV file in the contract's dialect. It reads the header
// first; Next then returns records one at a time. A malformed record gives a
// *RowError and reading continues with the next one, so one bad row never
// costs the rest of the file; any other error is fatal.
//
// After a broken quote in a record that spans several physical lines the
// reader reports the record at its first line and reads on from the second,
// so a stray quote costs one line and not every line up to the next quote.
type CSVReader struct {
	lineReader
	header []string

	pending []byte   // lines to read again, before br, after a broken multi-line record
	raw     []byte   // the lines of a record that spans several
	multi   bool     // the current record spans several lines; raw holds them
	buf     []byte   // the current record's field contents
	bounds  []int    // start and end in buf of each field
	lastRaw string   // the text of the last record that gave a RowError
	slab    []string // backing array that the Fields of the next records are cut from
	// oneLine: the last record parsed is the single line that lineReader.next
	// returned last, split without unquoting, so its fields are bytes of
	// that line at the offsets in bounds (ChunkReader cuts them from there).
	oneLine    bool
	fromStream bool // the last line read came from lineReader.next, not pending
}

// slabRecords is how many records' Fields share one allocation. It saves an
// allocation per record while keeping what a single retained record pins
// down small.
const slabRecords = 32

// NewCSVReader reads the header line of r, stripping a leading byte-order
// mark. file names r in errors. The header must have non-empty, unique
// column names.
func NewCSVReader(r io.Reader, file string) (*CSVReader, error) {
	cr := &CSVReader{lineReader: newLineReader(r, file)}
	if b, err := cr.br.Peek(len(bom)); err == nil && string(b) == bom {
		cr.br.Discard(len(bom))
	}
	if _, err := cr.parse(); err != nil {
		var re *RowError
		switch {
		case err == io.EOF:
			return nil, fmt.Errorf("%s: empty file, no header line", file)
		case errors.As(err, &re):
			re.Column = "header"
			return nil, re
		default:
			return nil, err
		}
	}
	header := make([]string, len(cr.bounds)/2)
	for i := range header {
		header[i] = string(cr.buf[cr.bounds[2*i]:cr.bounds[2*i+1]])
	}
	seen := make(map[string]bool, len(header))
	for i, name := range header {
		if name == "" {
			return nil, &RowError{File: file, Line: 1, Column: "header", Reason: fmt.Sprintf("column %d has an empty name", i+1)}
		}
		if seen[name] {
			return nil, &RowError{File: file, Line: 1, Column: "header", Reason: fmt.Sprintf("column %q appears twice", name)}
		}
		seen[name] = true
	}
	cr.header = header
	return cr, nil
}

// Header returns the column names in file order. The caller must not change
// it.
func (r *CSVReader) Header() []string { return r.header }

// Next returns the next record, io.EOF after the last one, a *RowError for a
// malformed record (the Record then carries only its Line), or another error
// if reading fails.
func (r *CSVReader) Next() (Record, error) {
	line, err := r.parse()
	if err != nil {
		return Record{Line: line}, err
	}
	s := string(r.buf) // one allocation per record; fields share it
	n := len(r.bounds) / 2
	if cap(r.slab)-len(r.slab) < n {
		r.slab = make([]string, 0, slabRecords*n)
	}
	fields := r.slab[len(r.slab) : len(r.slab)+n : len(r.slab)+n]
	r.slab = r.slab[:len(r.slab)+n]
	for i := range fields {
		fields[i] = s[r.bounds[2*i]:r.bounds[2*i+1]]
	}
	return Record{Line: line, Fields: fields}, nil
}

// Raw returns the text of the record for which Next last returned a
// *RowError, as delivered without its final line end (after a broken quote
// spanning lines, only its first line), so the caller can quarantine it.
// It holds personal data: keep it out of logs.
func (r *CSVReader) Raw() string { return r.lastRaw }

// parse reads the next record into r.buf and r.bounds and returns its line.
// Before the header is known it parses the header and checks no field count.
func (r *CSVReader) parse() (int64, error) {
	for {
		line, err := r.readLine()
		if err == errLineTooLong {
			r.lastRaw = ""
			return r.line, r.tooLong()
		}
		if err != nil {
			return 0, err
		}
		start := r.line
		if len(r.header) > 1 && len(trimEOL(line)) == 0 {
			continue // a blank line cannot be a record of several columns
		}
		first := len(line)
		rerr := r.parseRecord(line)
		text := line // valid only while no further line was read
		if r.multi {
			text = r.raw
		}
		if rerr == nil {
			if r.header != nil && len(r.bounds)/2 != len(r.header) {
				r.lastRaw = string(trimEOL(text))
				return start, &RowError{File: r.file, Line: start, Reason: fmt.Sprintf("has %d fields, header has %d", len(r.bounds)/2, len(r.header))}
			}
			return start, nil
		}
		var se *errSyntax
		if !errors.As(rerr, &se) {
			return 0, rerr
		}
		if r.multi && !se.noRewind {
			// Read the record's later lines again as records of their own.
			r.lastRaw = string(trimEOL(r.raw[:first]))
			r.pending = append(append([]byte(nil), r.raw[first:]...), r.pending...)
			r.line = start
		} else {
			r.lastRaw = string(trimEOL(text))
		}
		return start, &RowError{File: r.file, Line: start, Column: r.column(se.field), Reason: se.reason}
	}
}

// column names field i for an error, or "" when the record has more fields
// than the header.
func (r *CSVReader) column(i int) string {
	if i < len(r.header) {
		return r.header[i]
	}
	return ""
}

// parseRecord splits the record starting with line into r.buf and r.bounds,
// reading further lines while a quoted field is open. Quoting mistakes come
// back as *errSyntax.
func (r *CSVReader) parseRecord(line []byte) error {
	r.buf = r.buf[:0]
	r.bounds = r.bounds[:0]
	r.multi = false
	r.oneLine = false
	body := trimEOL(line)

	// Fast path: with no quote in the line, fields are the bytes between
	// ';'. Fields are short, so one byte loop beats a search per field.
	if bytes.IndexByte(body, '"') < 0 {
		if i := bytes.IndexByte(body, '\r'); i >= 0 {
			return &errSyntax{field: bytes.Count(body[:i], []byte{';'}), reason: "carriage return in an unquoted field"}
		}
		start := 0
		for i, c := range body {
			if c == ';' {
				r.bounds = append(r.bounds, start, i)
				start = i + 1
			}
		}
		r.bounds = append(r.bounds, start, len(body))
		r.buf = append(r.buf, body...)
		if !utf8.Valid(r.buf) {
			return r.invalidUTF8()
		}
		r.oneLine = r.fromStream
		return nil
	}

	pos := 0
	for field := 0; ; field++ {
		start := len(r.buf)
		if pos < len(body) && body[pos] == '"' {
			pos++
			for {
				q := bytes.IndexByte(line[pos:], '"')
				if q < 0 {
					// The field goes on past this line.
					r.buf = append(r.buf, line[pos:]...)
					if !r.multi {
						r.raw = append(r.raw[:0], line...)
						r.multi = true
					}
					next, err := r.readLine()
					switch {
					case err == io.EOF:
						return &errSyntax{field: field, reason: "quoted field not closed before the end of the file"}
					case err == errLineTooLong:
						return &errSyntax{field: field, reason: fmt.Sprintf("quoted field not closed within %d bytes", maxRecordBytes), noRewind: true}
					case err != nil:
						return err
					}
					r.raw = append(r.raw, next...)
					if len(r.raw) > maxRecordBytes {
						return &errSyntax{field: field, reason: fmt.Sprintf("quoted field not closed within %d bytes", maxRecordBytes)}
					}
					line, body, pos = next, trimEOL(next), 0
					continue
				}
				r.buf = append(r.buf, line[pos:pos+q]...)
				pos += q + 1
				if pos < len(line) && line[pos] == '"' {
					r.buf = append(r.buf, '"')
					pos++
					continue
				}
				break
			}
			r.bounds = append(r.bounds, start, len(r.buf))
			if !utf8.Valid(r.buf[start:]) {
				return &errSyntax{field: field, reason: "not valid UTF-8"}
			}
			if pos == len(body) {
				return nil
			}
			if body[pos] != ';' {
				return &errSyntax{field: field, reason: "unexpected character after closing quote"}
			}
			pos++
			continue
		}
		end := len(body)
		if i := bytes.IndexByte(body[pos:], ';'); i >= 0 {
			end = pos + i
		}
		content := body[pos:end]
		if bytes.IndexByte(content, '"') >= 0 {
			return &errSyntax{field: field, reason: "quote in an unquoted field"}
		}
		if bytes.IndexByte(content, '\r') >= 0 {
			return &errSyntax{field: field, reason: "carriage return in an unquoted field"}
		}
		if !utf8.Valid(content) {
			return &errSyntax{field: field, reason: "not valid UTF-8"}
		}
		r.buf = append(r.buf, content...)
		r.bounds = append(r.bounds, start, len(r.buf))
		if end == len(body) {
			return nil
		}
		pos = end + 1
	}
}

// invalidUTF8 finds the first field of the parsed record that is not valid
// UTF-8 and reports it.
func (r *CSVReader) invalidUTF8() error {
	for i := 0; i < len(r.bounds); i += 2 {
		if !utf8.Valid(r.buf[r.bounds[i]:r.bounds[i+1]]) {
			return &errSyntax{field: i / 2, reason: "not valid UTF-8"}
		}
	}
	return &errSyntax{reason: "not valid UTF-8"}
}

// readLine returns the next physical line, from the lines to read again
// first; see lineReader.next.
func (r *CSVReader) readLine() ([]byte, error) {
	r.fromStream = len(r.pending) == 0
	if r.fromStream {
		return r.next()
	}
	var line []byte
	if i := bytes.IndexByte(r.pending, '\n'); i >= 0 {
		line, r.pending = r.pending[:i+1], r.pending[i+1:]
	} else {
		line, r.pending = r.pending, nil
	}
	r.line++
	return line, nil
}

// trimEOL removes a final LF or CR LF.
func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	return line
}

// Columns maps a file's header onto the columns a table expects. idx[i] is
// the position in header of expected[i]; extra lists header columns not
// expected, which the caller warns about and ignores. Every expected column
// is required: the error names all that are missing.
func Columns(header, expected []string) (idx []int, extra []string, err error) {
	pos := make(map[string]int, len(header))
	for i, name := range header {
		pos[name] = i
	}
	idx = make([]int, len(expected))
	var missing []string
	want := make(map[string]bool, len(expected))
	for i, name := range expected {
		want[name] = true
		j, ok := pos[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		idx[i] = j
	}
	for _, name := range header {
		if !want[name] {
			extra = append(extra, name)
		}
	}
	if len(missing) > 0 {
		return nil, extra, fmt.Errorf("missing required columns: %s", strings.Join(missing, ", "))
	}
	return idx, extra, nil
}

// ResumeCSVReader reads records of a CSV file with the given header from
// physical line line on: r must be positioned at the first byte of that
// line (LineOffsets finds it), which must start a record. Lines are counted
// and records parsed as the reader of the whole file would have, so a
// stage can read again parts of a file it has read whole.
func ResumeCSVReader(r io.Reader, file string, header []string, line int64) *CSVReader {
	cr := &CSVReader{lineReader: lineReader{file: file, br: bufio.NewReaderSize(r, 8<<10)}, header: header}
	cr.line = line - 1
	return cr
}

// Resume goes on reading from physical line line of r, positioned as
// ResumeCSVReader's, reusing the reader's buffers.
func (r *CSVReader) Resume(src io.Reader, line int64) {
	r.br.Reset(src)
	r.line, r.off, r.pending, r.multi = line-1, 0, nil, false
}

// lineOffsetsBlock is how much LineOffsets reads at a time.
var lineOffsetsBlock = 1 << 20

// LineOffsets returns the byte offset in r's content of the start of each
// physical line in lines (1-based, ascending), counting line ends ('\n')
// from where r starts. A record always starts a physical line, so the
// offset of a record's line is where to resume reading it. A line past the
// end is an error.
func LineOffsets(r io.Reader, lines []int64) ([]int64, error) {
	out := make([]int64, len(lines))
	buf := make([]byte, lineOffsetsBlock)
	var off int64    // offset of buf[0] in the content
	line := int64(1) // the physical line that starts at next
	next := int64(0) // offset where line starts
	i := 0
	for {
		for i < len(lines) && lines[i] <= line {
			if lines[i] < line || i > 0 && lines[i] < lines[i-1] {
				return nil, fmt.Errorf("line offsets: lines not ascending")
			}
			out[i] = next
			i++
		}
		if i == len(lines) {
			return out, nil
		}
		n, err := io.ReadFull(r, buf)
		b := buf[:n]
		if c := int64(bytes.Count(b, []byte{'\n'})); c < lines[i]-line {
			line += c // the next line wanted is not in this block
			b = nil
		}
		for p := 0; p < len(b) && i < len(lines); {
			j := bytes.IndexByte(b[p:], '\n')
			if j < 0 {
				break
			}
			p += j + 1
			line, next = line+1, off+int64(p)
			for i < len(lines) && lines[i] == line {
				out[i] = next
				i++
			}
		}
		off += int64(n)
		if i == len(lines) {
			return out, nil
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("line offsets: line %d is past the end (%d lines)", lines[i], line)
		}
		if err != nil {
			return nil, fmt.Errorf("line offsets: %w", err)
		}
	}
}
