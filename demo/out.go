package demo

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"integstat/extract/contract"
	"integstat/extract/delivery"
)

// deliveryOut is one delivery being written: a directory
// <inbox>/<source>/<delivery_id>/ with one open file per table of the
// source. Models write rows into its tables replica by replica; the manifest
// is written when every replica is done.
type deliveryOut struct {
	source string
	id     string
	at     time.Time // extraction instant, Europe/Oslo
	day    time.Time // the extraction date as a UTC midnight, for date logic
	dir    string
	tables map[string]*tableOut
}

// table returns the open table of this delivery named name.
func (d *deliveryOut) table(name string) *tableOut {
	t, ok := d.tables[name]
	if !ok {
		panic(fmt.Sprintf("demo: delivery %s/%s has no table %q", d.source, d.id, name))
	}
	return t
}

// tableOut streams the rows of one table into its file, planting faults at
// the output's bad-row rate from a random stream of its own (so the clean
// rows do not depend on the rate) and recording each in the answer key.
type tableOut struct {
	d        *deliveryOut
	t        *contract.Table
	fw       *delivery.FileWriter
	csv      *delivery.CSVWriter
	jsonl    *delivery.JSONLWriter
	keys     []string
	extra    bool  // writes an unknown extra column
	line     int64 // physical line the next record starts on
	rows     int64
	badRate  float64
	err      error // the first write error, reported by close
	faults   *rand.Rand
	key      *answerKey
	jsonVals []any
}

// row writes one record, values in contract column order ("" = null), and
// perhaps a planted bad copy of it after it.
func (t *tableOut) row(values ...string) {
	if len(values) != len(t.t.Cols) {
		panic(fmt.Sprintf("demo: %s has %d columns, got %d values", t.t.File, len(t.t.Cols), len(values)))
	}
	t.write(values)
	if t.badRate > 0 && t.faults.Float64() < t.badRate {
		t.plant(values)
	}
}

// tolerated writes a valid record whose form tests a reader (a quoted field
// with ';' and a newline, say) and records it as such in the answer key.
func (t *tableOut) tolerated(column, reason string, values ...string) {
	t.key.add(t.d, t.t.File, t.line, column, "tolerated", reason)
	t.write(values)
}

func (t *tableOut) write(values []string) {
	if err := t.start(); err != nil {
		if t.err == nil {
			t.err = fmt.Errorf("demo: starting %s: %w", t.t.File, err)
		}
		return
	}
	var err error
	if t.csv != nil {
		if t.extra {
			values = append(values[:len(values):len(values)], "")
		}
		err = t.csv.Write(values)
		for _, v := range values {
			t.line += int64(strings.Count(v, "\n"))
		}
	} else {
		t.jsonVals = t.jsonVals[:0]
		for i, c := range t.t.Cols {
			t.jsonVals = append(t.jsonVals, jsonValue(c, values[i]))
		}
		err = t.jsonl.Write(t.keys, t.jsonVals)
	}
	if err != nil && t.err == nil {
		t.err = fmt.Errorf("demo: writing %s: %w", t.t.File, err)
	}
	t.line++
	t.rows++
}

// jsonValue converts a contract value to its JSON Lines form.
func jsonValue(c contract.Column, v string) any {
	if v == "" {
		return nil
	}
	switch c.Type {
	case contract.Bool:
		return v == "J"
	case contract.Integer:
		var n int64
		fmt.Sscan(v, &n)
		return n
	}
	return v
}

// csvOptions gives each source the dialect its system exports: NIR comes
// from a Windows export (BOM, CRLF), the others with plain LF line ends.
func csvOptions(source string) delivery.CSVOptions {
	switch source {
	case "nir":
		return delivery.CSVOptions{BOM: true, CRLF: true}
	case "tolk":
		return delivery.CSVOptions{BOM: true}
	}
	return delivery.CSVOptions{}
}

// openDelivery creates the directory of one delivery and opens its tables.
func openDelivery(inbox, source string, at time.Time, opt Options, key *answerKey) (*deliveryOut, error) {
	id := delivery.DeliveryID(at)
	d := &deliveryOut{
		source: source, id: id, at: at,
		day:    time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC),
		dir:    filepath.Join(inbox, source, id),
		tables: map[string]*tableOut{},
	}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	for _, t := range contract.OfSource(source) {
		fw, err := delivery.Create(d.dir, t.File)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "faults %s %s %s", source, id, t.Name)
		to := &tableOut{
			d: d, t: t, fw: fw, keys: t.Names(), line: 2, // after the header
			badRate: opt.BadRate, key: key,
			faults: rand.New(rand.NewPCG(opt.Seed, h.Sum64())),
		}
		if t.Format == "jsonl" {
			to.line = 1 // no header
		}
		d.tables[t.Name] = to
	}
	return d, nil
}

// start writes the table's header; it runs before the first row so that
// markExtraColumn can still add a column.
func (t *tableOut) start() error {
	if t.csv != nil || t.jsonl != nil {
		return nil
	}
	if t.t.Format == "jsonl" {
		t.jsonl = delivery.NewJSONLWriter(t.fw, true)
		return nil
	}
	header := t.t.Names()
	if t.extra {
		header = append(header, "merknad")
	}
	var err error
	t.csv, err = delivery.NewCSVWriter(t.fw, header, csvOptions(t.d.source))
	return err
}

// markExtraColumn gives one table of one delivery an unknown extra column,
// which the pipeline must ignore with a warning.
func markExtraColumn(outs []*deliveryOut, key *answerKey) error {
	for _, d := range outs {
		if d.source == "nir" && d.id == "20161231T230000" {
			t := d.table("norskopplaering")
			t.extra = true
			key.add(d, t.t.File, 1, "merknad", "warning", FaultExtraCol)
			return nil
		}
	}
	return errors.New("demo: no delivery for the extra column")
}

// close finishes every file of the delivery and writes its manifest.
func (d *deliveryOut) close() (DeliverySummary, error) {
	s := DeliverySummary{Source: d.source, ID: d.id, Rows: map[string]int64{}}
	m := delivery.Manifest{Source: d.source, DeliveryID: d.id, ExtractedAt: d.at.Format(time.RFC3339)}
	for _, t := range contract.OfSource(d.source) {
		to := d.tables[t.Name]
		if to.err != nil {
			return s, to.err
		}
		if err := to.start(); err != nil {
			return s, err
		}
		if to.csv != nil {
			if err := to.csv.Flush(); err != nil {
				return s, err
			}
		} else if err := to.jsonl.Close(); err != nil {
			return s, err
		}
		to.fw.SetRows(to.rows)
		f, err := to.fw.Close()
		if err != nil {
			return s, fmt.Errorf("demo: closing %s: %w", t.File, err)
		}
		m.Files = append(m.Files, f)
		s.Rows[t.File] = to.rows
	}
	return s, delivery.WriteManifest(d.dir, m)
}

// corruptManifest makes the manifest of d disagree with its file's sha256,
// as a delivery cut short in transfer would.
func corruptManifest(d *deliveryOut, key *answerKey) error {
	m, err := delivery.ReadManifest(d.dir)
	if err != nil {
		return err
	}
	f := &m.Files[len(m.Files)-1]
	f.SHA256 = strings.Repeat("0", 8) + f.SHA256[8:]
	key.add(d, f.Name, 0, "", "reject", FaultChecksum)
	return delivery.WriteManifest(d.dir, m)
}

// redrop copies one delivery byte for byte into <out>/redrop/, to be dropped
// into the inbox again after it has been loaded once.
func redrop(out string, outs []*deliveryOut, key *answerKey) error {
	for _, d := range outs {
		if d.source != "tolk" || d.id != "20161231T230000" {
			continue
		}
		dst := filepath.Join(out, "redrop", d.source, d.id)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		entries, err := os.ReadDir(d.dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(d.dir, e.Name()))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
				return err
			}
		}
		key.add(d, "", 0, "", "redrop", FaultRedelivery)
		return nil
	}
	return errors.New("demo: no delivery to drop twice")
}
