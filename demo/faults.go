package demo

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"integstat/extract/contract"
	"integstat/transform/ident"
)

// Fault kinds as the answer key names them. Each is a reason the pipeline
// must quarantine the row for, except the three whole-file kinds at the end.
const (
	FaultIDNumber   = "invalid identity number"
	FaultCode       = "unknown code"
	FaultDate       = "unparseable date"
	FaultKommune    = "kommune not valid on the row's date"
	FaultRequired   = "required field empty"
	FaultDuplicate  = "duplicate primary key"
	FaultExtraCol   = "unknown extra column"       // kind warning: ignored with a warning
	FaultMultiline  = "quoted ; and newline"       // kind tolerated: must load
	FaultChecksum   = "manifest checksum mismatch" // kind reject: whole delivery
	FaultRedelivery = "delivery dropped twice"     // kind redrop
)

// answerKey collects every planted fault; it is written beside the inbox,
// never inside it.
type answerKey struct {
	mu   sync.Mutex
	rows [][]string
}

func (k *answerKey) add(d *deliveryOut, file string, line int64, column, kind, reason string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rows = append(k.rows, []string{d.source, d.id, file, strconv.FormatInt(line, 10), column, kind, reason})
}

// AnswerKeyHeader is the header of answer-key/faults.csv.
var AnswerKeyHeader = []string{"source", "delivery_id", "file", "line", "column", "kind", "reason"}

// Fault is one row of a demo set's answer key: where a planted fault is
// (line 0 for a whole delivery), its kind (quarantine, warning, tolerated,
// reject, redrop) and the reason the pipeline is to give.
type Fault struct {
	Source, DeliveryID, File string
	Line                     int64
	Column, Kind, Reason     string
}

// AnswerKeyPath is where the answer key of the demo set in dir is.
func AnswerKeyPath(dir string) string { return filepath.Join(dir, "answer-key", "faults.csv") }

// ReadAnswerKey reads an answer key written by Generate.
func ReadAnswerKey(path string) ([]Fault, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ";") != strings.Join(AnswerKeyHeader, ";") {
		return nil, fmt.Errorf("%s: not an answer key (header %v)", path, recs[0:min(1, len(recs))])
	}
	out := make([]Fault, 0, len(recs)-1)
	for i, rec := range recs[1:] {
		line, err := strconv.ParseInt(rec[3], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: line %q: %w", path, i+2, rec[3], err)
		}
		out = append(out, Fault{rec[0], rec[1], rec[2], line, rec[4], rec[5], rec[6]})
	}
	return out, nil
}

func (k *answerKey) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sort.SliceStable(k.rows, func(i, j int) bool {
		a, b := k.rows[i], k.rows[j]
		for c := 0; c < 3; c++ {
			if a[c] != b[c] {
				return a[c] < b[c]
			}
		}
		x, _ := strconv.Atoi(a[3])
		y, _ := strconv.Atoi(b[3])
		return x < y
	})
	f, err := os.Create(filepath.Join(dir, "faults.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Comma = ';'
	w.Write(AnswerKeyHeader)
	w.WriteAll(k.rows)
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// plant writes a bad copy of a good row: one column broken in a way the
// contract forbids, or the row repeated (a duplicate key). The broken row
// keeps its other values, so it is exactly as realistic as the good one.
func (t *tableOut) plant(good []string) {
	type option struct {
		col    int
		reason string
	}
	var opts []option
	for i, c := range t.t.Cols {
		if good[i] == "" {
			continue
		}
		switch c.Type {
		case contract.IDNumber:
			opts = append(opts, option{i, FaultIDNumber})
		case contract.Code:
			opts = append(opts, option{i, FaultCode})
		case contract.Date:
			opts = append(opts, option{i, FaultDate})
		case contract.Kommune:
			opts = append(opts, option{i, FaultKommune})
		}
		if c.Required {
			opts = append(opts, option{i, FaultRequired})
		}
	}
	opts = append(opts, option{-1, FaultDuplicate})
	o := opts[t.faults.IntN(len(opts))]
	bad := append([]string(nil), good...)
	column := ""
	if o.col >= 0 {
		c := t.t.Cols[o.col]
		column = c.Name
		switch o.reason {
		case FaultIDNumber:
			bad[o.col] = ident.BreakControlDigit(good[o.col])
		case FaultCode:
			bad[o.col] = "X9"
		case FaultDate:
			bad[o.col] = badDates[t.faults.IntN(len(badDates))]
		case FaultKommune:
			bad[o.col] = t.invalidKommune(good)
		case FaultRequired:
			bad[o.col] = ""
		}
	}
	// The first failing check in column order is the reason the validator
	// gives; a broken column comes before the key check.
	t.key.add(t.d, t.t.File, t.line, column, "quarantine", o.reason)
	t.write(bad)
}

var badDates = []string{"2017-13-01", "31.12.2016", "2016-02-30", "20170115", "2015-1-5"}

// invalidKommune returns a kommune code that is not valid on the row's
// date: one abolished before it or created after it.
func (t *tableOut) invalidKommune(row []string) string {
	day := t.d.day
	if t.t.KommuneDate != "" {
		if i := t.t.Index(t.t.KommuneDate); i >= 0 {
			if d, err := parseRowDate(t.t.Cols[i].Type, row[i]); err == nil {
				day = d
			}
		}
	}
	switch {
	case t.t.KommuneDate == "" && day.Year() >= 2018:
		// A residence is checked on the extraction date and accepted when
		// valid on the day the row last changed: the code must be valid on
		// neither, so one from after every delivery.
		return "3005" // Drammen's code from 2020-01-01
	case t.t.KommuneDate == "":
		return "5001" // Trondheim's code from 2018-01-01
	case day.Year() >= 2017:
		return "0720" // Stokke, merged into Sandefjord on 2017-01-01
	default:
		return "5001" // Trondheim's code from 2018-01-01
	}
}

func parseRowDate(t contract.Type, v string) (d time.Time, err error) {
	switch t {
	case contract.Month:
		return parseDate(v + "-01")
	case contract.Integer:
		y, err := strconv.Atoi(v)
		if err != nil {
			return d, err
		}
		return date(y, 1, 1), nil
	}
	return parseDate(v)
}

func parseDate(s string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return d, fmt.Errorf("date %q: %w", s, err)
	}
	return d, nil
}
