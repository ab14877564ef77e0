package delivery

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// gzipLevel is fixed so the same rows always compress to the same bytes.
const gzipLevel = 6

// JSONLWriter writes JSON Lines: one object per line, keys in the order
// given. With gzip on, the output is gzip-compressed deterministically: no
// name or time in the header and a fixed level, so the same rows give the
// same bytes and the same sha256.
type JSONLWriter struct {
	out  *bufio.Writer
	gz   *gzip.Writer
	line []byte
	rows int64
	err  error
}

// NewJSONLWriter returns a writer to w, gzip-compressing if gz is set (the
// caller sets it for a .jsonl.gz name). Close finishes the stream but does
// not close w.
func NewJSONLWriter(w io.Writer, gz bool) *JSONLWriter {
	j := &JSONLWriter{}
	if gz {
		z, err := gzip.NewWriterLevel(w, gzipLevel)
		if err != nil {
			panic(err) // gzipLevel is a valid level
		}
		j.gz = z
		w = z
	}
	j.out = bufio.NewWriterSize(w, 64<<10)
	return j
}

// Write writes one object with keys[i] mapped to values[i]. Values may be
// string, nil (null), bool, int, int64, int32 or float64; NaN and infinities
// have no JSON form and are refused. Errors name the key, never the value.
func (j *JSONLWriter) Write(keys []string, values []any) error {
	if j.err != nil {
		return j.err
	}
	if len(keys) != len(values) {
		return fmt.Errorf("jsonl record %d: %d keys but %d values", j.rows+1, len(keys), len(values))
	}
	b := append(j.line[:0], '{')
	for i, k := range keys {
		for _, prev := range keys[:i] {
			if prev == k {
				return fmt.Errorf("jsonl record %d: key %q appears twice", j.rows+1, k)
			}
		}
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendJSONString(b, k); !ok {
			return fmt.Errorf("jsonl record %d: key %d is not valid UTF-8", j.rows+1, i+1)
		}
		b = append(b, ':')
		var err error
		if b, err = appendJSONValue(b, values[i]); err != nil {
			return fmt.Errorf("jsonl record %d: key %q: %w", j.rows+1, k, err)
		}
	}
	b = append(b, '}', '\n')
	j.line = b
	if _, err := j.out.Write(b); err != nil {
		j.err = fmt.Errorf("write jsonl: %w", err)
		return j.err
	}
	j.rows++
	return nil
}

// appendJSONValue appends v as a JSON scalar.
func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		b, ok := appendJSONString(b, v)
		if !ok {
			return b, errors.New("string is not valid UTF-8")
		}
		return b, nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return b, errors.New("NaN or infinite number")
		}
		// Like encoding/json: plain notation except for very small or large.
		format := byte('f')
		if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
			format = 'e'
		}
		return strconv.AppendFloat(b, v, format, -1, 64), nil
	default:
		return b, fmt.Errorf("unsupported value type %T", v)
	}
}

// appendJSONString appends s as a JSON string; ok is false if s is not
// valid UTF-8.
func appendJSONString(b []byte, s string) ([]byte, bool) {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"'), utf8.ValidString(s)
}

// Rows returns the number of objects written.
func (j *JSONLWriter) Rows() int64 { return j.rows }

// Close flushes the buffer and ends the gzip stream. It does not close the
// underlying writer.
func (j *JSONLWriter) Close() error {
	if j.err != nil {
		return j.err
	}
	if err := j.out.Flush(); err != nil {
		j.err = fmt.Errorf("write jsonl: %w", err)
		return j.err
	}
	if j.gz != nil {
		if err := j.gz.Close(); err != nil {
			j.err = fmt.Errorf("write jsonl: %w", err)
			return j.err
		}
	}
	j.err = errors.New("write jsonl: writer closed")
	return nil
}

// JSONValue is one value of a JSON Lines object, as text: a string as is, a
// number as its literal, a boolean as "true" or "false", null (or an absent
// key) as "".
type JSONValue struct {
	Raw  string
	Kind byte // 's' string, 'n' number, 'b' bool, 0 null
}

// JSONRecord is one object of a JSON Lines file with the line it is on.
// Absent keys are absent from Values; look them up as null.
type JSONRecord struct {
	Line   int64
	Values map[string]JSONValue
}

// JSONLReader reads a JSON Lines file, gunzipping it when the name ends in
// .gz. Blank lines are skipped. A line that is not a flat JSON object gives
// a *RowError and reading continues with the next line.
type JSONLReader struct {
	lineReader
	lastRaw string
}

// NewJSONLReader reads r, named file in errors; a name ending in .gz means
// gzip-compressed.
func NewJSONLReader(r io.Reader, file string) (*JSONLReader, error) {
	if strings.HasSuffix(file, ".gz") {
		z, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", file, err)
		}
		r = z
	}
	return &JSONLReader{lineReader: newLineReader(r, file)}, nil
}

// Next returns the next object, io.EOF after the last, a *RowError for a
// line that is not a flat JSON object (the record then carries only its
// Line), or another error if reading fails.
func (r *JSONLReader) Next() (JSONRecord, error) {
	line, err := r.nextLine()
	if err != nil {
		return JSONRecord{Line: r.line}, err
	}
	values, err := r.parseObject(line)
	if err != nil {
		r.lastRaw = string(line)
		return JSONRecord{Line: r.line}, err
	}
	return JSONRecord{Line: r.line, Values: values}, nil
}

// Raw returns the text of the line for which Next last returned a
// *RowError, so the caller can quarantine it. It holds personal data: keep
// it out of logs.
func (r *JSONLReader) Raw() string { return r.lastRaw }

// nextLine returns the next non-blank line without its line end. A line
// longer than maxRecordBytes is skipped and reported as a *RowError.
func (r *JSONLReader) nextLine() ([]byte, error) {
	for {
		line, err := r.next()
		if err == errLineTooLong {
			r.lastRaw = ""
			return nil, r.tooLong()
		}
		if err != nil {
			return nil, err
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			return line, nil
		}
	}
}

// parseObject parses one line as a JSON object of scalars.
func (r *JSONLReader) parseObject(line []byte) (map[string]JSONValue, error) {
	rowErr := func(key, reason string) error {
		return &RowError{File: r.file, Line: r.line, Column: key, Reason: reason}
	}
	if !utf8.Valid(line) {
		return nil, rowErr("", "not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, rowErr("", "not a JSON object")
	}
	values := make(map[string]JSONValue, 16)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, rowErr("", "malformed JSON: "+syntaxReason(err))
		}
		key := tok.(string) // object keys are always strings
		if _, dup := values[key]; dup {
			return nil, rowErr(key, "key appears twice")
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, rowErr(key, "malformed JSON: "+syntaxReason(err))
		}
		switch v := tok.(type) {
		case string:
			values[key] = JSONValue{Raw: v, Kind: 's'}
		case json.Number:
			values[key] = JSONValue{Raw: string(v), Kind: 'n'}
		case bool:
			values[key] = JSONValue{Raw: strconv.FormatBool(v), Kind: 'b'}
		case nil:
			values[key] = JSONValue{}
		default:
			return nil, rowErr(key, "nested object or array; want a string, number, boolean or null")
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, rowErr("", "malformed JSON: "+syntaxReason(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, rowErr("", "data after the JSON object")
	}
	return values, nil
}

// syntaxReason describes a JSON decoding error without the input text.
func syntaxReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "unexpected end of line"
	}
	return "invalid JSON"
}
