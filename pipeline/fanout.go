package pipeline

// Reading a table in parallel and in order: the file cut into chunks of
// whole records, a worker per core checking, pseudonymising and building
// each chunk's Arrow records, the results put back in file order; or, for
// JSON Lines and database reads, record by record through the same worker.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"integstat/extract/delivery"
	"integstat/extract/files"
)

// chunkBytes is the size of the chunks of a CSV file that workers parse,
// validate and turn into Arrow records side by side: large enough that a
// chunk's hand-offs cost nothing next to its rows, small enough that the
// chunks in flight stay a few MiB.
var chunkBytes = 1 << 20

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
	ct, err := files.OpenCSV(dir, t.tb)
	if err != nil {
		return err
	}
	defer ct.Close()
	r, idx := ct.Reader, ct.Idx
	if len(ct.Extra) > 0 {
		t.in.log.Warn("unknown extra columns ignored", "source", t.d.Source, "delivery", t.d.ID, "file", t.tb.File, "columns", ct.Extra)
	}
	keyCol := -1 // the file's column of the first key column: chunks end between its runs
	if k := t.tb.FirstKey(); k >= 0 {
		keyCol = idx[k]
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
