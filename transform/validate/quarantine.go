package validate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"

	"integstat/extract/delivery"
)

// Bad is one row for the quarantine: its line, what is wrong with it, and
// the record (restricted area only: it may hold identity numbers).
type Bad struct {
	Line int64
	Problem
	Record string
}

// BadRecord is a record the file's reader could not split into fields
// (delivery.RowError): its raw text is kept.
func BadRecord(line int64, e *delivery.RowError, raw string) Bad {
	return Bad{Line: line, Problem: Problem{Column: e.Column, Reason: e.Reason}, Record: raw}
}

// BadRow is a row the row check found problem p with: its values are kept
// as a JSON array.
func BadRow(line int64, p *Problem, values []string) Bad {
	b, _ := json.Marshal(values)
	return Bad{Line: line, Problem: *p, Record: string(b)}
}

// quarantineHeader is the header of a quarantine file: a line for each bad
// row, with the delivered file and line it came from, the column and
// reason (a Reason* constant), a detail and the record.
var quarantineHeader = []string{"file", "line", "column", "reason", "detail", "record"}

// Quarantine writes the bad rows of one delivered file into the restricted
// area, under a temporary name until Close: a crash leaves no partial
// quarantine behind.
type Quarantine struct {
	file string
	fw   *delivery.FileWriter
	w    *delivery.CSVWriter
}

// NewQuarantine begins the quarantine file path (a warehouse's
// QuarantineFile) of the delivered file named file, making its directory
// readable by the owner only.
func NewQuarantine(path, file string) (*Quarantine, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	fw, err := delivery.Create(filepath.Split(path))
	if err != nil {
		return nil, err
	}
	w, err := delivery.NewCSVWriter(fw, quarantineHeader, delivery.CSVOptions{})
	if err != nil {
		fw.Abort()
		return nil, err
	}
	return &Quarantine{file: file, fw: fw, w: w}, nil
}

// Add writes one bad row.
func (q *Quarantine) Add(b Bad) error {
	return q.w.Write([]string{q.file, strconv.FormatInt(b.Line, 10), b.Column, b.Reason, b.Detail, b.Record})
}

// Close finishes the file under its name.
func (q *Quarantine) Close() error {
	if err := q.w.Flush(); err != nil {
		return err
	}
	q.fw.SetRows(q.w.Rows())
	_, err := q.fw.Close()
	return err
}

// Abort removes what was written; after Close it does nothing.
func (q *Quarantine) Abort() { q.fw.Abort() }
