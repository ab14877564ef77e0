package pipeline

import (
	"context"
	"errors"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/extract/files"
	"integstat/load/warehouse"
	"integstat/transform/store"
	"integstat/transform/validate"
)

// ingestZstdLevel is the zstd level of the ingest's Parquet: the fastest.
// Level 3 (zstd's default, and DuckDB's) makes timer.csv's partition 7 %
// smaller for 4 % more of the ingest's CPU; the partitions are read a few
// times by the marts and kept, and the ingest runs on every delivery.
const ingestZstdLevel = 1

// tableRun is one reading of one table of a delivery: what its rows share.
// Workers only read it.
type tableRun struct {
	in      *ingester
	d       files.Decision
	tb      *contract.Table
	rd      *validate.Reading // the row check of this reading
	persons *validate.PersonSet
	pc      int // the column naming the person (contract.PersonID), -1 for none
	dict    store.Dictionaries
}

// errReread says that the table has duplicates that reading did not catch
// (validate.Reading.Missed): it must be read again with their lines known.
type errReread struct{ dups []int64 }

func (e *errReread) Error() string { return "duplicates far apart: read again" }

// batch is what one chunk of rows (or one builder's worth of rows read one
// by one) gives: counts, quarantine lines and numbers in line order, and
// Arrow records.
type batch struct {
	seq                int
	read, loaded, dups int64   // dups: duplicates found while reading
	dupLines           []int64 // their lines, when the finder goes by runs
	quar               []validate.Bad
	persons            []string
	recs               []arrow.RecordBatch
	err                error
}

// worker turns rows into a batch. Each goroutine has its own.
type worker struct {
	t                *tableRun
	b                *store.Builder
	rc               *validate.RowCheck
	lastNum, lastKey string
	near             int32 // the identity map's position of lastNum (see PersonKeyNear)
	out              *batch
}

func (t *tableRun) newWorker() (*worker, error) {
	rc, err := t.rd.NewRowCheck()
	if err != nil {
		return nil, err
	}
	return &worker{t: t, b: store.NewDictBuilder(t.tb, 1<<16, t.dict), rc: rc, near: -1}, nil
}

// row judges one record: a malformed one, or one the row check finds a
// problem with, goes to quarantine; any other is pseudonymised and
// appended.
func (w *worker) row(line int64, values []string, raw string, rowErr *delivery.RowError) error {
	o, t := w.out, w.t
	o.read++
	if rowErr != nil {
		o.quar = append(o.quar, validate.BadRecord(line, rowErr, raw))
		return nil
	}
	p, err := w.rc.Check(line, values)
	if err != nil {
		return err
	}
	if p != nil {
		o.quar = append(o.quar, validate.BadRow(line, p, values))
		return nil
	}
	o.persons = w.rc.Numbers(values, o.persons)
	person := ""
	if t.pc >= 0 && values[t.pc] != "" {
		// Rows of one person come together (timer has dozens per person),
		// so remembering the last key saves most of the keyed hashing.
		if values[t.pc] != w.lastNum {
			w.lastNum, w.lastKey = values[t.pc], t.in.ids.PersonKeyNear(t.in.opt.Key, values[t.pc], &w.near)
		}
		person = w.lastKey
	}
	if err := w.b.AppendParsed(values, w.rc.Parsed(), person, t.d.ID, line); err != nil {
		return err
	}
	o.loaded++
	if w.b.Full() {
		o.recs = append(o.recs, w.b.Flush())
	}
	return nil
}

// finish moves the duplicates the row check caught into the batch and
// returns it.
func (w *worker) finish() *batch {
	w.out.dups, w.out.dupLines = w.rc.Dups, w.rc.DupLines
	w.rc.Dups, w.rc.DupLines = 0, nil
	return w.out
}

// tableOut puts batches, in order, into the table's outputs.
type tableOut struct {
	t        *tableRun
	tl       *warehouse.TableLoad
	qw       *validate.Quarantine
	recs     chan<- arrow.RecordBatch
	dups     int64
	dupLines []int64 // the lines of dups, in order, when the finder goes by runs
}

func (o *tableOut) emit(b *batch) error {
	defer func() {
		for _, r := range b.recs {
			if r != nil {
				r.Release()
			}
		}
	}()
	if b.err != nil {
		return b.err
	}
	for _, q := range b.quar {
		if err := o.qw.Add(q); err != nil {
			return err
		}
	}
	for _, n := range b.persons {
		o.t.persons.Add(n)
	}
	for i, r := range b.recs {
		o.recs <- r
		b.recs[i] = nil
	}
	o.tl.Read += b.read
	o.tl.Loaded += b.loaded
	o.tl.Quarantine += b.read - b.loaded
	o.dups += b.dups
	o.dupLines = append(o.dupLines, b.dupLines...)
	return nil
}

// loadTable loads one table: every row judged, bad ones to quarantine, good
// ones to a Parquet partition. known lists the lines of the duplicate rows
// when they are known already (nil: find them); a CSV file's reading finds
// them by runs of the first key column (validate.Reading.ByRun). When the table has
// duplicates far from the rows they repeat, which reading does not catch,
// the table is read again with the exact list.
func (in *ingester) loadTable(ctx context.Context, d files.Decision, tb *contract.Table, vopt validate.Options, persons *validate.PersonSet, rows rowSource, dir string, known []int64) (warehouse.TableLoad, error) {
	v := validate.New(tb, in.ref, d.Extracted, vopt)
	for {
		rd, err := v.Reading(validate.ReadingOptions{Persons: persons, Known: known, SpillDir: in.opt.Warehouse.Restricted(),
			Rows: manifestRows(d, tb), ByRun: dir != "" && tb.Format == "csv"})
		if err != nil {
			return warehouse.TableLoad{Table: tb.Name}, err
		}
		t := &tableRun{in: in, d: d, tb: tb, rd: rd, persons: persons, pc: tb.ColumnOf(contract.PersonID),
			dict: store.DictionariesFor(tb, d.ID, in.kommuneCodes())}
		tl, err := t.load(ctx, rows, dir)
		if cerr := rd.Close(); err == nil {
			err = cerr
		}
		var re *errReread
		if !errors.As(err, &re) {
			return tl, err
		}
		in.log.Info("duplicate keys far apart: reading the table again", "source", d.Source, "delivery", d.ID, "file", tb.File, "duplicates", len(re.dups))
		known = re.dups
		if rd.Collects() {
			// Only this table's rows add numbers that matter (NIR's
			// personer, read first); the next reading adds them again.
			persons.Reset()
		}
	}
}

// manifestRows is the row count the manifest gives for tb's file, 0 if none.
func manifestRows(d files.Decision, tb *contract.Table) int64 {
	for _, f := range d.Manifest.Files {
		if f.Name == tb.File {
			return f.Rows
		}
	}
	return 0
}

// load reads the table once: from the CSV file in dir in parallel chunks,
// or, without dir or for other formats, record by record from rows.
func (t *tableRun) load(ctx context.Context, rows rowSource, dir string) (warehouse.TableLoad, error) {
	in, d, tb := t.in, t.d, t.tb
	tl := warehouse.TableLoad{Table: tb.Name}
	pw, err := store.Create(in.opt.Warehouse.Parquet(), d.Source, tb.Name, d.ID, store.DictSchema(tb, t.dict), store.Options{KeyID: in.opt.Key.ID(), ZstdLevel: ingestZstdLevel})
	if err != nil {
		return tl, err
	}
	defer pw.Abort()
	qw, err := validate.NewQuarantine(in.opt.Warehouse.QuarantineFile(d.Source, d.ID, tb.File), tb.File)
	if err != nil {
		return tl, err
	}
	defer qw.Abort()
	// Parquet encoding runs beside everything else: records go to a writer
	// goroutine, at most two waiting, so memory stays bounded.
	recs := make(chan arrow.RecordBatch, 2)
	written := make(chan error, 1)
	go func() {
		var err error
		for r := range recs {
			if err == nil {
				err = pw.Write(r)
			}
			r.Release()
		}
		written <- err
	}()
	var closeOnce sync.Once
	finish := func() error {
		var err error
		closeOnce.Do(func() {
			close(recs)
			err = <-written
		})
		return err
	}
	defer finish()
	out := &tableOut{t: t, tl: &tl, qw: qw, recs: recs}
	if dir != "" && tb.Format == "csv" {
		err = t.readChunks(ctx, dir, out)
	} else {
		err = t.readRows(ctx, rows, out)
	}
	// The exact duplicates are found while the writer encodes the last
	// records.
	type found struct {
		dups   []int64
		looked bool
		err    error
	}
	exact := make(chan found, 1)
	if err == nil {
		go func() {
			dups, looked, err := t.rd.Exact()
			exact <- found{dups, looked, err}
		}()
	} else {
		close(exact)
	}
	if werr := finish(); err == nil {
		err = werr
	}
	f := <-exact
	if err == nil {
		err = f.err
	}
	if err != nil {
		return tl, err
	}
	if f.looked {
		missed, runs, err := t.rd.Missed(dir, f.dups, out.dups, out.dupLines)
		if err != nil {
			return tl, err
		}
		if runs > 0 {
			t.in.log.Info("rows of one key value in several runs: read again", "source", t.d.Source, "delivery", t.d.ID, "file", tb.File, "runs", runs)
		}
		if missed != nil {
			return tl, &errReread{dups: missed}
		}
	}
	if _, err := pw.Close(); err != nil {
		return tl, err
	}
	return tl, qw.Close()
}

// kommuneCodes lists every kommune code of the reference data: the codes a
// kommune column's accepted values come from.
func (in *ingester) kommuneCodes() []string {
	codes := make([]string, len(in.ref.Kommuner))
	for i, k := range in.ref.Kommuner {
		codes[i] = k.Code
	}
	return codes
}
