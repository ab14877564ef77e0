package files

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"integstat/extract/contract"
	"integstat/extract/delivery"
)

// RowFunc receives one record of a table: the line it starts on (1 is a
// CSV header), its values in contract column order ("" = null; JSON
// booleans as J/N), or, for a record that could not be parsed, its raw text
// and the error instead. values is reused for the next record.
type RowFunc func(line int64, values []string, raw string, rowErr *delivery.RowError) error

// EachRow reads every record of table tb of the delivery in dir and calls
// fn for it; a malformed record comes with its RowError and the reading
// goes on. It returns the header's unknown extra columns, which the caller
// reports and ignores.
func EachRow(dir string, tb *contract.Table, fn RowFunc) (extra []string, err error) {
	values := make([]string, len(tb.Cols))
	var next func() (int64, error) // reads one record into values
	var raw func() string
	if tb.Format == "jsonl" {
		f, err := os.Open(filepath.Join(dir, tb.File))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, err := delivery.NewJSONLReader(f, tb.File)
		if err != nil {
			return nil, err
		}
		raw = r.Raw
		next = func() (int64, error) {
			rec, err := r.Next()
			if err != nil {
				return 0, err
			}
			for i, c := range tb.Cols {
				v := rec.Values[c.Name]
				values[i] = v.Raw
				if v.Kind == 'b' {
					values[i] = map[string]string{"true": "J", "false": "N"}[v.Raw]
				}
			}
			return rec.Line, nil
		}
	} else {
		ct, err := OpenCSV(dir, tb)
		if err != nil {
			return nil, err
		}
		defer ct.Close()
		r, idx := ct.Reader, ct.Idx
		extra = ct.Extra
		raw = r.Raw
		next = func() (int64, error) {
			rec, err := r.Next()
			if err != nil {
				return 0, err
			}
			for i, j := range idx {
				values[i] = rec.Fields[j]
			}
			return rec.Line, nil
		}
	}
	for {
		line, err := next()
		var re *delivery.RowError
		switch {
		case errors.Is(err, io.EOF):
			return extra, nil
		case errors.As(err, &re):
			err = fn(re.Line, nil, raw(), re)
		case err != nil:
			return extra, err
		default:
			err = fn(line, values, "", nil)
		}
		if err != nil {
			return extra, err
		}
	}
}

// CSVTable is the CSV file of a table of a delivery, open for a reader that
// cuts it into chunks or seeks in it: the file, its reader past the header
// (Reader.Header), and where each contract column is in the file's records.
type CSVTable struct {
	File   *os.File
	Reader *delivery.CSVReader
	Idx    []int    // Idx[i] is the file's column of the contract's column i
	Extra  []string // the header's unknown extra columns, to report and ignore
}

// OpenCSV opens the CSV file of table tb in the delivery directory dir.
func OpenCSV(dir string, tb *contract.Table) (*CSVTable, error) {
	f, err := os.Open(filepath.Join(dir, tb.File))
	if err != nil {
		return nil, err
	}
	r, err := delivery.NewCSVReader(f, tb.File)
	if err != nil {
		f.Close()
		return nil, err
	}
	idx, extra, err := delivery.Columns(r.Header(), tb.Names())
	if err != nil {
		f.Close()
		return nil, err
	}
	return &CSVTable{File: f, Reader: r, Idx: idx, Extra: extra}, nil
}

// Close closes the file.
func (t *CSVTable) Close() error { return t.File.Close() }
