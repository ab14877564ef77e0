package delivery

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestJSONLReaderFixture(t *testing.T) {
	f, err := os.Open("testdata/personer.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewJSONLReader(f, "personer.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line   int64
		values map[string]JSONValue // nil for a row error
		errMsg string               // exact, or a prefix ending in "..."
	}{
		{line: 1, values: map[string]JSONValue{
			"duf":                {Raw: "201700000001", Kind: 's'},
			"fnr":                {Raw: "01017012345", Kind: 's'},
			"enslig_mindreaarig": {Raw: "false", Kind: 'b'},
			"antall":             {Raw: "3", Kind: 'n'},
			"belop":              {Raw: "1.50", Kind: 'n'}, // the literal, not a re-formatted float
			"familie_id":         {},
		}},
		{line: 3, values: map[string]JSONValue{
			"duf":                {Raw: "201700000002", Kind: 's'},
			"fnr":                {},
			"navn":               {Raw: `æøå "sitat"`, Kind: 's'},
			"enslig_mindreaarig": {Raw: "true", Kind: 'b'},
		}},
		{line: 4, errMsg: "personer.jsonl:4: malformed JSON: unexpected end of line"},
		{line: 5, errMsg: "personer.jsonl:5: not a JSON object"},
		{line: 6, errMsg: "personer.jsonl:6: adresse: nested object or array; want a string, number, boolean or null"},
		{line: 7, errMsg: "personer.jsonl:7: duf: key appears twice"},
		{line: 8, errMsg: "personer.jsonl:8: data after the JSON object"},
		{line: 9, errMsg: "personer.jsonl:9: malformed JSON: syntax error at byte..."},
		{line: 10, values: map[string]JSONValue{
			"duf":      {Raw: "201700000011", Kind: 's'},
			"kategori": {Raw: "OVF", Kind: 's'},
		}},
	}
	for _, tt := range tests {
		rec, err := r.Next()
		if rec.Line != tt.line {
			t.Errorf("line = %d, want %d", rec.Line, tt.line)
		}
		if tt.values != nil {
			if err != nil || !reflect.DeepEqual(rec.Values, tt.values) {
				t.Errorf("line %d: %v, %v; want %v", tt.line, rec.Values, err, tt.values)
			}
			continue
		}
		wantRowError(t, err, "personer.jsonl", tt.line, tt.errMsg)
		if !strings.Contains(r.Raw(), "2017000000") || strings.Contains(err.Error(), "2017000000") {
			t.Errorf("line %d: Raw() = %q, error %q: want the line kept for quarantine and kept out of the error", tt.line, r.Raw(), err)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last line: %v, want io.EOF", err)
	}
}

// writeJSONL writes the same test rows with a JSONLWriter and returns the bytes.
func writeJSONL(t *testing.T, gz bool) []byte {
	t.Helper()
	keys := []string{"duf", "fnr", "navn", "enslig_mindreaarig", "antall", "andel", "familie_id"}
	rows := [][]any{
		{"201700000001", "01017012345", "Kari \"K\" Nordmann\n", false, 3, 0.25, nil},
		{"201700000002", nil, "Åse æøå\t\u0001", true, int64(-7), 1e-9, "F1"},
	}
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf, gz)
	for _, r := range rows {
		if err := w.Write(keys, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != int64(len(rows)) {
		t.Errorf("Rows() = %d, want %d", w.Rows(), len(rows))
	}
	return buf.Bytes()
}

func TestJSONLWriterOutput(t *testing.T) {
	got := string(writeJSONL(t, false))
	want := `{"duf":"201700000001","fnr":"01017012345","navn":"Kari \"K\" Nordmann\n","enslig_mindreaarig":false,"antall":3,"andel":0.25,"familie_id":null}` + "\n" +
		`{"duf":"201700000002","fnr":null,"navn":"Åse æøå\t\u0001","enslig_mindreaarig":true,"antall":-7,"andel":1e-09,"familie_id":"F1"}` + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestJSONLGzipDeterministic(t *testing.T) {
	a, b := writeJSONL(t, true), writeJSONL(t, true)
	if !bytes.Equal(a, b) {
		t.Fatal("two writes of the same rows gave different bytes")
	}
	z, err := gzip.NewReader(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if !z.ModTime.IsZero() || z.Name != "" {
		t.Errorf("gzip header has time %v, name %q; want neither", z.ModTime, z.Name)
	}
	plain, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, writeJSONL(t, false)) {
		t.Error("gzip content differs from the plain output")
	}

	// The reader takes .gz by name and reads the same values back.
	r, err := NewJSONLReader(bytes.NewReader(a), "personer.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if v := rec.Values["navn"]; v.Raw != "Kari \"K\" Nordmann\n" || v.Kind != 's' {
		t.Errorf("navn = %+v", v)
	}
	rec, err = r.Next()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]JSONValue{
		"duf": {Raw: "201700000002", Kind: 's'}, "fnr": {}, "navn": {Raw: "Åse æøå\t\u0001", Kind: 's'},
		"enslig_mindreaarig": {Raw: "true", Kind: 'b'}, "antall": {Raw: "-7", Kind: 'n'},
		"andel": {Raw: "1e-09", Kind: 'n'}, "familie_id": {Raw: "F1", Kind: 's'},
	}
	if !reflect.DeepEqual(rec.Values, want) || rec.Line != 2 {
		t.Errorf("line %d: %v, want %v", rec.Line, rec.Values, want)
	}
	if !rec.Values["absent"].Null() || rec.Values["duf"].Null() {
		t.Error("Null(): want true for an absent key and false for a string")
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last line: %v", err)
	}
}

func TestJSONLWriterErrors(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		values []any
		want   string
	}{
		{"count", []string{"a", "b"}, []any{"x"}, "jsonl record 1: 2 keys but 1 values"},
		{"duplicate key", []string{"a", "a"}, []any{"x", "y"}, `jsonl record 1: key "a" appears twice`},
		{"NaN", []string{"a"}, []any{math.NaN()}, `jsonl record 1: key "a": NaN or infinite number`},
		{"type", []string{"a"}, []any{[]int{1}}, `jsonl record 1: key "a": unsupported value type []int`},
		{"UTF-8", []string{"fnr"}, []any{"0101\xff"}, `jsonl record 1: key "fnr": string is not valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewJSONLWriter(&buf, false)
			err := w.Write(tt.keys, tt.values)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if w.Close() != nil || buf.Len() != 0 || w.Rows() != 0 {
				t.Errorf("refused record was written: %q", buf.String())
			}
		})
	}
}

func TestJSONLReaderCorruptGzip(t *testing.T) {
	data := writeJSONL(t, true)
	data = data[:len(data)-6] // cut the trailer: the stream ends early
	r, err := NewJSONLReader(bytes.NewReader(data), "p.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err = r.Next()
		if err != nil {
			break
		}
	}
	var re *RowError
	if err == io.EOF || errors.As(err, &re) {
		t.Errorf("truncated gzip: err = %v, want a fatal read error", err)
	}
	if _, err := NewJSONLReader(strings.NewReader("not gzip"), "p.jsonl.gz"); err == nil {
		t.Error("plain text accepted as gzip")
	}
}
