package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/extract/files"
	"integstat/load/warehouse"
	"integstat/transform/store"
	"integstat/transform/validate"
)

// chunkBytes is the size of the chunks of a CSV file that workers parse,
// validate and turn into Arrow records side by side: large enough that a
// chunk's hand-offs cost nothing next to its rows, small enough that the
// chunks in flight stay a few MiB.
var chunkBytes = 1 << 20

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
	v       *validate.Table
	rd      *validate.Reading // the row check of this reading
	persons *validate.PersonSet
	pc      int // the column naming the person (contract.PersonID), -1 for none
	key0    int // the first key column, -1 for a table without a key
	dict    store.Dictionaries
}

// batch is what one chunk of rows (or one builder's worth of rows read one
// by one) gives: counts, quarantine lines and numbers in line order, and
// Arrow records.
type batch struct {
	seq                int
	read, loaded, dups int64   // dups: duplicates found while reading
	dupLines           []int64 // their lines, when the finder goes by runs
	quar               []qline
	persons            []string
	recs               []arrow.RecordBatch
	err                error
}

// qline is one quarantine line.
type qline struct {
	line                           int64
	column, reason, detail, record string
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
		o.quar = append(o.quar, qline{line, rowErr.Column, rowErr.Reason, "", raw})
		return nil
	}
	p, err := w.rc.Check(line, values)
	if err != nil {
		return err
	}
	if p != nil {
		o.quar = append(o.quar, qline{line, p.Column, p.Reason, p.Detail, recordText(values)})
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

// chunk reads the records of one chunk of the CSV file; idx maps the file's
// columns to the contract's.
func (w *worker) chunk(cr *delivery.ChunkReader, c delivery.Chunk, seq int, idx []int, values []string) *batch {
	w.out = &batch{seq: seq}
	w.rc.NewRun()
	cr.Reset(c)
	for {
		line, fields, err := cr.Next()
		var re *delivery.RowError
		switch {
		case err == io.EOF:
			if r := w.b.Flush(); r != nil {
				w.out.recs = append(w.out.recs, r)
			}
			return w.finish()
		case errors.As(err, &re):
			err = w.row(re.Line, nil, cr.Raw(), re)
		case err != nil:
		default:
			for i, j := range idx {
				values[i] = fields[j]
			}
			err = w.row(line, values, "", nil)
		}
		if err != nil {
			w.out.err = err
			return w.finish()
		}
	}
}

// tableOut puts batches, in order, into the table's outputs.
type tableOut struct {
	t        *tableRun
	tl       *warehouse.TableLoad
	qw       *quarantine
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
		if err := o.qw.add(q.line, q.column, q.reason, q.detail, q.record); err != nil {
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

// errReread says that the table has duplicates that reading did not catch:
// it must be read again with their lines known.
type errReread struct{ dups []int64 }

func (e *errReread) Error() string { return "duplicates far apart: read again" }

// loadTable loads one table: every row judged, bad ones to quarantine, good
// ones to a Parquet partition. known lists the lines of the duplicate rows
// when they are known already (nil: find them); a CSV file's reading finds
// them by runs of the first key column (tableRun.byRun). When the table has
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
		t := &tableRun{in: in, d: d, tb: tb, v: v, rd: rd, persons: persons, pc: tb.ColumnOf(contract.PersonID), key0: -1,
			dict: in.dictionaries(tb, d.ID)}
		if len(tb.Key) > 0 {
			t.key0 = tb.Index(tb.Key[0])
		}
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

// dictionaries gives the columns of tb that are written from dictionaries:
// those whose accepted values validation confines to a short list (codes
// to the contract's, kommune numbers to the reference data's) and the
// delivery id. Writing them so costs a few index bytes a row instead of
// hashing every value.
func (in *ingester) dictionaries(tb *contract.Table, deliveryID string) store.Dictionaries {
	dict := store.Dictionaries{store.DeliveryIDColumn: {deliveryID}}
	for _, c := range tb.Cols {
		switch {
		case c.Personal:
		case c.Type == contract.Code:
			dict[c.Name] = c.Codes
		case c.Type == contract.Kommune:
			dict[c.Name] = in.kommuneCodes()
		}
	}
	return dict
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
	qw, err := newQuarantine(filepath.Join(in.opt.Warehouse.Quarantine(), d.Source, d.ID), tb.File)
	if err != nil {
		return tl, err
	}
	defer qw.abort()
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
	switch {
	case f.looked && t.rd.ByRun() && len(f.dups) > 0:
		// f.dups are the first lines of runs whose first key value came
		// in other runs too: read those runs again.
		t.in.log.Info("rows of one key value in several runs: reading them again", "source", t.d.Source, "delivery", t.d.ID, "file", tb.File, "runs", len(f.dups))
		all, err := t.splitRuns(dir, f.dups, out.dupLines)
		if err != nil {
			return tl, err
		}
		if all != nil {
			return tl, &errReread{dups: all}
		}
	case f.looked && !t.rd.ByRun() && int64(len(f.dups)) != out.dups:
		return tl, &errReread{dups: f.dups}
	}
	if _, err := pw.Close(); err != nil {
		return tl, err
	}
	return tl, qw.close()
}

// splitRuns reads again the runs of rows that begin on the lines in
// starts (ascending): all the runs of each first-key value that came in
// more than one. It finds their duplicates exactly, with a DupFinder of
// their own, and compares them with those found within runs (inRun, the
// lines of every duplicate reading found, ascending). It returns nil when
// they agree, so that reading found every duplicate, or else the lines of
// every duplicate of the table, for a reading with them known.
//
// A run is read as reading delimited it: from its first line, through the
// rows that fail their form checks (which claim no key), up to the first
// row that passes with another first-key value. A run that a chunk's end
// cut in two is read whole from its first part.
func (t *tableRun) splitRuns(dir string, starts, inRun []int64) ([]int64, error) {
	path := filepath.Join(dir, t.tb.File)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := delivery.NewCSVReader(f, t.tb.File)
	if err != nil {
		return nil, err
	}
	header := r.Header()
	idx, _, err := delivery.Columns(header, t.tb.Names())
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	offs, err := delivery.LineOffsets(f, starts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.tb.File, err)
	}
	finder, err := validate.NewDupFinder(t.in.opt.Warehouse.Restricted(), manifestRows(t.d, t.tb))
	if err != nil {
		return nil, err
	}
	defer finder.Close()
	spill, err := finder.Spill()
	if err != nil {
		return nil, err
	}
	var read []int64 // lines of the rows read again that claim a key
	values := make([]string, len(t.tb.Cols))
	last := int64(0) // the last line read
	var cr *delivery.CSVReader
	for k, start := range starts {
		if start <= last {
			continue // read with an earlier part of its run
		}
		if _, err := f.Seek(offs[k], io.SeekStart); err != nil {
			return nil, err
		}
		if cr == nil {
			cr = delivery.ResumeCSVReader(f, t.tb.File, header, start)
		} else {
			cr.Resume(f, start)
		}
		runKey := ""
		for {
			rec, err := cr.Next()
			var re *delivery.RowError
			if err == io.EOF || errors.As(err, &re) {
				if err == io.EOF {
					break
				}
				last = re.Line
				continue
			}
			if err != nil {
				return nil, err
			}
			for i, j := range idx {
				values[i] = rec.Fields[j]
			}
			if t.v.CheckForm(values) != nil {
				last = rec.Line
				continue
			}
			if k0 := values[t.key0]; runKey == "" {
				runKey = k0
			} else if k0 != runKey {
				break
			}
			last = rec.Line
			read = append(read, rec.Line)
			if err := spill.Add(t.v.KeyHash(values), rec.Line); err != nil {
				return nil, err
			}
		}
	}
	exact, err := finder.Duplicates()
	if err != nil {
		return nil, err
	}
	// The duplicates reading found among the rows read again, and the
	// others, which are exact: all rows of their first-key value were in
	// one run.
	var among, others []int64
	for _, l := range inRun {
		if _, ok := slices.BinarySearch(read, l); ok {
			among = append(among, l)
		} else {
			others = append(others, l)
		}
	}
	if slices.Equal(among, exact) {
		return nil, nil
	}
	all := append(others, exact...)
	slices.Sort(all)
	return all, nil
}

// readRows reads the table record by record from rows.
func (t *tableRun) readRows(ctx context.Context, rows rowSource, out *tableOut) error {
	w, err := t.newWorker()
	if err != nil {
		return err
	}
	defer w.b.Release()
	w.out = &batch{}
	err = rows(t.tb, func(line int64, values []string, raw string, rowErr *delivery.RowError) error {
		if err := w.row(line, values, raw, rowErr); err != nil {
			return err
		}
		if len(w.out.recs) > 0 {
			err := out.emit(w.finish())
			w.out = &batch{}
			if err != nil {
				return err
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	if r := w.b.Flush(); r != nil {
		w.out.recs = append(w.out.recs, r)
	}
	return out.emit(w.finish())
}

// readChunks reads the CSV file of the table in dir: one goroutine cuts it
// into chunks of whole records, a worker per core parses, validates,
// pseudonymises and builds each chunk's Arrow records, and this goroutine
// puts the chunks' results back in file order.
func (t *tableRun) readChunks(ctx context.Context, dir string, out *tableOut) error {
	f, err := os.Open(filepath.Join(dir, t.tb.File))
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := delivery.NewCSVReader(f, t.tb.File)
	if err != nil {
		return err
	}
	idx, extra, err := delivery.Columns(r.Header(), t.tb.Names())
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		t.in.log.Warn("unknown extra columns ignored", "source", t.d.Source, "delivery", t.d.ID, "file", t.tb.File, "columns", extra)
	}
	keyCol := -1
	if len(t.tb.Key) > 0 {
		keyCol = idx[t.tb.Index(t.tb.Key[0])]
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		seq int
		c   delivery.Chunk
	}
	n := runtime.GOMAXPROCS(0)
	jobs := make(chan job, n)
	results := make(chan *batch, n)
	// At most this many chunks between the splitter and the output, even
	// when one worker falls behind the others: memory stays a few MiB.
	inFlight := make(chan struct{}, 3*n)
	var splitErr error
	go func() {
		defer close(jobs)
		for seq := 0; ; seq++ {
			select {
			case inFlight <- struct{}{}:
			case <-ctx.Done():
				return
			}
			c, err := r.NextChunk(chunkBytes, keyCol)
			if err == io.EOF {
				return
			}
			if err != nil {
				splitErr = err
				return
			}
			select {
			case jobs <- job{seq, c}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range n {
		w, err := t.newWorker()
		if err != nil {
			cancel()
			for range jobs {
			}
			wg.Wait()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer w.b.Release()
			cr := delivery.NewChunkReader(r.Header(), t.tb.File)
			values := make([]string, len(t.tb.Cols))
			for j := range jobs {
				b := w.chunk(cr, j.c, j.seq, idx, values)
				if b.err == nil {
					b.err = ctx.Err()
				}
				select {
				case results <- b:
				case <-ctx.Done():
					for _, r := range b.recs {
						r.Release()
					}
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	pending := make(map[int]*batch)
	next := 0
	for b := range results {
		if err != nil {
			for _, r := range b.recs {
				r.Release()
			}
			continue
		}
		pending[b.seq] = b
		for {
			pb, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-inFlight
			if err = out.emit(pb); err != nil {
				cancel()
				break
			}
		}
	}
	for _, b := range pending {
		for _, r := range b.recs {
			r.Release()
		}
	}
	if err != nil {
		return err
	}
	if splitErr != nil {
		return fmt.Errorf("%s: %w", t.tb.File, splitErr)
	}
	return nil
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
