package delivery

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// writeCSV writes header and rows to w with a CSVWriter and returns its
// Rows(), failing tb on any error.
func writeCSV(tb testing.TB, w io.Writer, header []string, rows [][]string, opt CSVOptions) int64 {
	tb.Helper()
	cw, err := NewCSVWriter(w, header, opt)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range rows {
		if err := cw.Write(r); err != nil {
			tb.Fatal(err)
		}
	}
	if err := cw.Flush(); err != nil {
		tb.Fatal(err)
	}
	return cw.Rows()
}

func TestCSVWriterBytes(t *testing.T) {
	header := []string{"fnr", "adresse", "merknad"}
	rows := [][]string{
		{"01017012345", "Storgata 1; 2. etg", `sa "hei"`},
		{"02028054321", "Linje 1\nLinje 2", ""},
		{"03039098765", " innrykket", "slutt "},
		{"04049012345", "æøå", "tab\t"},
	}
	const body = "01017012345;\"Storgata 1; 2. etg\";\"sa \"\"hei\"\"\"\n" +
		"02028054321;\"Linje 1\nLinje 2\";\n" +
		"03039098765;\" innrykket\";\"slutt \"\n" +
		"04049012345;æøå;\"tab\t\"\n"
	tests := []struct {
		name string
		opt  CSVOptions
		want string
	}{
		{"LF", CSVOptions{}, "fnr;adresse;merknad\n" + body},
		{"BOM CRLF", CSVOptions{BOM: true, CRLF: true},
			"\uFEFFfnr;adresse;merknad\r\n" +
				// Line ends inside quoted fields are data and stay as given.
				strings.ReplaceAll(strings.ReplaceAll(body, "\n", "\r\n"), "Linje 1\r\nLinje 2", "Linje 1\nLinje 2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			n := writeCSV(t, &buf, header, rows, tt.opt)
			if got := buf.String(); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
			if n != int64(len(rows)) {
				t.Errorf("Rows() = %d, want %d", n, len(rows))
			}
		})
	}
}

func TestCSVWriterErrors(t *testing.T) {
	if _, err := NewCSVWriter(io.Discard, []string{"a", "a"}, CSVOptions{}); err == nil {
		t.Error("duplicate header column accepted")
	}
	if _, err := NewCSVWriter(io.Discard, nil, CSVOptions{}); err == nil {
		t.Error("empty header accepted")
	}
	w, err := NewCSVWriter(io.Discard, []string{"fnr", "navn"}, CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"01017012345"}); err == nil || strings.Contains(err.Error(), "01017012345") {
		t.Errorf("short record: err = %v, want an error without the value", err)
	}
	if err := w.Write([]string{"01017012345", "K\xe5re"}); err == nil || !strings.Contains(err.Error(), "field 2 is not valid UTF-8") {
		t.Errorf("Latin-1 field: err = %v", err)
	}
	if w.Rows() != 0 {
		t.Errorf("Rows() = %d after refused records", w.Rows())
	}
}

// failWriter fails every write, standing in for a full disk.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCSVWriterWriteFailure(t *testing.T) {
	w, err := NewCSVWriter(failWriter{}, []string{"a"}, CSVOptions{})
	if err != nil {
		t.Fatal(err) // the header is still buffered
	}
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Flush: err = %v, want disk full", err)
	}
}

// randomField draws a field from pieces that stress the dialect.
func randomField(rng *rand.Rand) string {
	pieces := []string{"", "a", "Z9", ";", `"`, "\n", "\r", "\r\n", " ", "\t", "æ", "ø", "Å", "0", "J", ",", "€"}
	n := rng.IntN(6)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

func TestCSVRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 300; iter++ {
		cols := 1 + rng.IntN(5)
		header := make([]string, cols)
		for i := range header {
			header[i] = randomField(rng) + "c" + string(rune('a'+i)) // non-empty, unique
		}
		rows := make([][]string, rng.IntN(20))
		for i := range rows {
			rows[i] = make([]string, cols)
			for j := range rows[i] {
				rows[i][j] = randomField(rng)
			}
			if cols > 1 && strings.Join(rows[i], "") == "" {
				rows[i][0] = "x" // an all-empty record of several columns is a blank line, which readers skip
			}
		}
		opt := CSVOptions{BOM: rng.IntN(2) == 0, CRLF: rng.IntN(2) == 0}

		var buf bytes.Buffer
		writeCSV(t, &buf, header, rows, opt)

		r, err := NewCSVReader(bytes.NewReader(buf.Bytes()), "rt.csv")
		if err != nil {
			t.Fatalf("iter %d: %v\n%q", iter, err, buf.String())
		}
		if !reflect.DeepEqual(r.Header(), header) {
			t.Fatalf("iter %d: header %q, want %q", iter, r.Header(), header)
		}
		line := int64(strings.Count(strings.Join(header, ""), "\n")) + 2
		for i, want := range rows {
			rec, err := r.Next()
			if err != nil {
				t.Fatalf("iter %d row %d: %v\n%q", iter, i, err, buf.String())
			}
			if !reflect.DeepEqual(rec.Fields, want) {
				t.Fatalf("iter %d row %d: %q, want %q", iter, i, rec.Fields, want)
			}
			if rec.Line != line {
				t.Fatalf("iter %d row %d: line %d, want %d", iter, i, rec.Line, line)
			}
			line += int64(strings.Count(strings.Join(want, ""), "\n")) + 1
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("iter %d: after last row: %v", iter, err)
		}
	}
}
