package delivery

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readAll reads every record of a fixture, collecting row errors separately.
func readAll(t *testing.T, name string) (header []string, recs []Record, rowErrs []*RowError) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewCSVReader(f, name)
	if err != nil {
		t.Fatalf("NewCSVReader: %v", err)
	}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return r.Header(), recs, rowErrs
		}
		var re *RowError
		if errors.As(err, &re) {
			if rec.Line != re.Line {
				t.Errorf("record line %d, RowError line %d", rec.Line, re.Line)
			}
			rowErrs = append(rowErrs, re)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		recs = append(recs, rec)
	}
}

// wantRowError checks that err is a *RowError for file and line whose
// message is want, or starts with want's text before a final "...".
func wantRowError(t *testing.T, err error, file string, line int64, want string) {
	t.Helper()
	var re *RowError
	if !errors.As(err, &re) {
		t.Fatalf("line %d: err = %v, want a *RowError", line, err)
	}
	if re.File != file || re.Line != line {
		t.Errorf("RowError names %s:%d, want %s:%d", re.File, re.Line, file, line)
	}
	msg := re.Error()
	if prefix, ok := strings.CutSuffix(want, "..."); ok {
		if !strings.HasPrefix(msg, prefix) {
			t.Errorf("line %d: error %q, want prefix %q", line, msg, prefix)
		}
	} else if msg != want {
		t.Errorf("line %d: error %q, want %q", line, msg, want)
	}
}

func TestCSVReaderVariants(t *testing.T) {
	wantHeader := []string{"fnr", "kommunenummer", "timer", "merknad"}
	want := []Record{
		{Line: 2, Fields: []string{"01017012345", "0301", "7,5", ""}},
		{Line: 3, Fields: []string{"02028054321", "5001", "12", "Bør følge opp"}},
		{Line: 4, Fields: []string{"03039098765", "", "0,25", "ok"}},
	}
	for _, name := range []string{"plain_lf.csv", "bom_crlf.csv", "bom_lf_noeol.csv"} {
		t.Run(name, func(t *testing.T) {
			header, recs, rowErrs := readAll(t, name)
			if !reflect.DeepEqual(header, wantHeader) {
				t.Errorf("header = %q, want %q", header, wantHeader)
			}
			if len(rowErrs) > 0 {
				t.Errorf("unexpected row errors: %v", rowErrs)
			}
			if !reflect.DeepEqual(recs, want) {
				t.Errorf("records = %+v\nwant %+v", recs, want)
			}
		})
	}
}

func TestCSVReaderQuoted(t *testing.T) {
	_, recs, rowErrs := readAll(t, "quoted.csv")
	if len(rowErrs) > 0 {
		t.Fatalf("unexpected row errors: %v", rowErrs)
	}
	want := []Record{
		{Line: 2, Fields: []string{"01017012345", "Storgata 1; 2. etg", `sa "hei"`}},
		// A quoted field keeps its line ends as delivered, CR LF or LF.
		{Line: 3, Fields: []string{"02028054321", "Linje 1\r\nLinje 2\nLinje 3", ""}},
		// The record above spans lines 3 to 5, so this one starts on line 6.
		{Line: 6, Fields: []string{"03039098765", "", " leading and trailing "}},
		{Line: 7, Fields: []string{"04049012345", "", "æøå ÆØÅ"}},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("records = %+v\nwant %+v", recs, want)
	}
}

func TestCSVReaderMalformed(t *testing.T) {
	f, err := os.Open("testdata/malformed.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewCSVReader(f, "malformed.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line   int64
		fields []string // nil for a row error
		errMsg string
		raw    string
	}{
		{line: 2, fields: []string{"01017012345", "0301", "7,5"}},
		{line: 3, errMsg: "malformed.csv:3: kommunenummer: quote in an unquoted field", raw: `02028054321;03"01;12`},
		{line: 4, errMsg: "malformed.csv:4: has 2 fields, header has 3", raw: "03039098765;0301"},
		{line: 5, errMsg: "malformed.csv:5: kommunenummer: unexpected character after closing quote", raw: `04049012345;"0301"x;1`},
		{line: 6, errMsg: "malformed.csv:6: has 4 fields, header has 3", raw: "05059012345;0301;2;9"},
		// A stray opening quote: the record is reported at its first line
		// and the lines it swallowed are read again as records.
		{line: 7, errMsg: "malformed.csv:7: kommunenummer: unexpected character after closing quote", raw: `06069012345;"0301`},
		{line: 8, fields: []string{"07079012345", "0301", "3"}},
		{line: 9, fields: []string{"08089012345", "0301", "4"}},
		// Line 10 is blank and skipped.
		{line: 11, fields: []string{"09099012345", "0301", "5"}},
		{line: 12, errMsg: "malformed.csv:12: timer: not valid UTF-8", raw: "10109012345;0301;\xff"},
		{line: 13, errMsg: "malformed.csv:13: kommunenummer: quoted field not closed before the end of the file", raw: `11119012345;"0301;6`},
	}
	for _, tt := range tests {
		rec, err := r.Next()
		if rec.Line != tt.line {
			t.Errorf("record line = %d, want %d", rec.Line, tt.line)
		}
		if tt.fields != nil {
			if err != nil || !reflect.DeepEqual(rec.Fields, tt.fields) {
				t.Errorf("line %d: got %q, %v; want %q", tt.line, rec.Fields, err, tt.fields)
			}
			continue
		}
		wantRowError(t, err, "malformed.csv", tt.line, tt.errMsg)
		if r.Raw() != tt.raw {
			t.Errorf("line %d: Raw() = %q, want %q", tt.line, r.Raw(), tt.raw)
		}
	}
	if rec, err := r.Next(); err != io.EOF {
		t.Errorf("after last record: %+v, %v; want io.EOF", rec, err)
	}
}

func TestRowErrorOmitsValue(t *testing.T) {
	// The identity number in a broken field must not reach the message.
	const fnr = "01017012345"
	in := "fnr;navn\n\"" + fnr + "\"x;Kari\n" + fnr + "\";Kari\n"
	r, err := NewCSVReader(strings.NewReader(in), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		_, err := r.Next()
		if err == nil {
			t.Fatalf("record %d: no error", i+1)
		}
		if strings.Contains(err.Error(), fnr) || strings.Contains(err.Error(), "Kari") {
			t.Errorf("error %q contains the field value", err)
		}
	}
}

func TestCSVReaderHeaderErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "h.csv: empty file, no header line"},
		{"only BOM", "\uFEFF", "h.csv: empty file, no header line"},
		{"duplicate", "a;b;a\n1;2;3\n", `h.csv:1: header: column "a" appears twice`},
		{"empty name", "a;;b\n", "h.csv:1: header: column 2 has an empty name"},
		{"bad quote", "a;b\"c\n", "h.csv:1: header: quote in an unquoted field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCSVReader(strings.NewReader(tt.in), "h.csv")
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCSVReaderQuotedHeaderAfterBOM(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("\uFEFF\"fnr\";\"navn\"\r\n1;2\r\n"), "q.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Header(); !reflect.DeepEqual(got, []string{"fnr", "navn"}) {
		t.Errorf("header = %q", got)
	}
}

func TestCSVReaderLongLine(t *testing.T) {
	in := "a;b\n1;" + strings.Repeat("x", maxRecordBytes+10) + "\n2;3\n"
	r, err := NewCSVReader(strings.NewReader(in), "l.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	var re *RowError
	if !errors.As(err, &re) || re.Line != 2 {
		t.Fatalf("err = %v, want a RowError on line 2", err)
	}
	rec, err := r.Next()
	if err != nil || rec.Line != 3 || !reflect.DeepEqual(rec.Fields, []string{"2", "3"}) {
		t.Errorf("after the long line: %+v, %v", rec, err)
	}
}

func TestCSVReaderStrayQuoteBounded(t *testing.T) {
	// An opening quote that never closes must not hide the lines after it,
	// even when they exceed the record bound.
	var b strings.Builder
	b.WriteString("a;b\n1;\"open\n")
	n := maxRecordBytes/10 + 100
	for i := 0; i < n; i++ {
		b.WriteString("2;3456789\n")
	}
	r, err := NewCSVReader(strings.NewReader(b.String()), "s.csv")
	if err != nil {
		t.Fatal(err)
	}
	var good, bad int
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			bad++
			continue
		}
		good++
	}
	if bad != 1 || good != n {
		t.Errorf("good %d, bad %d; want %d and 1", good, bad, n)
	}
}

func TestColumns(t *testing.T) {
	expected := []string{"fnr", "kommunenummer", "timer"}
	tests := []struct {
		file    string
		idx     []int
		extra   []string
		wantErr string
	}{
		{file: "reordered.csv", idx: []int{2, 3, 0}, extra: []string{"ekstra"}},
		{file: "plain_lf.csv", idx: []int{0, 1, 2}, extra: []string{"merknad"}},
		{file: "missing_column.csv", extra: nil, wantErr: "missing required columns: kommunenummer"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			header, recs, _ := readAll(t, tt.file)
			idx, extra, err := Columns(header, expected)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(idx, tt.idx) || !reflect.DeepEqual(extra, tt.extra) {
				t.Errorf("idx %v extra %q, want %v %q", idx, extra, tt.idx, tt.extra)
			}
			// The mapped first record reads the same whatever the column order.
			got := []string{recs[0].Fields[idx[0]], recs[0].Fields[idx[1]], recs[0].Fields[idx[2]]}
			if want := []string{"01017012345", "0301", "7,5"}; !reflect.DeepEqual(got, want) {
				t.Errorf("mapped record = %q, want %q", got, want)
			}
		})
	}
	if _, _, err := Columns([]string{"x"}, expected); err == nil || err.Error() != "missing required columns: fnr, kommunenummer, timer" {
		t.Errorf("all missing: err = %v", err)
	}
}
