package validate

// Duplicates over runs: whether a reading caught every duplicate key, and,
// when rows of one first-key value came in several runs, reading those runs
// again to find their duplicates exactly.

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"integstat/extract/delivery"
	"integstat/extract/files"
)

// Missed tells, once the RowChecks are done and Exact has looked, whether
// they caught every duplicate of the table: it returns nil when they did,
// or else the lines of every duplicate, ascending, for a new Reading with
// them Known. exact is Exact's answer; caught counts the duplicates the
// RowChecks caught (their Dups), and caughtLines are their lines in
// ascending order (their DupLines, in file order) when the reading goes by
// runs (ByRun). runs is how many runs it read again.
//
// A reading by runs has exact give the first lines of the runs whose
// first-key value came in other runs too; Missed reads those runs again
// from the table's CSV file in the delivery directory dir and finds their
// duplicates exactly. Otherwise exact are the duplicates, which include
// those caught: the two agree when they are as many.
func (r *Reading) Missed(dir string, exact []int64, caught int64, caughtLines []int64) (missed []int64, runs int, err error) {
	switch {
	case r.byRun && len(exact) > 0:
		missed, err = r.readRuns(dir, exact, caughtLines)
		return missed, len(exact), err
	case !r.byRun && int64(len(exact)) != caught:
		return exact, 0, nil
	}
	return nil, 0, nil
}

// readRuns reads again the runs of rows that begin on the lines in starts
// (ascending): all the runs of each first-key value that came in more than
// one. It finds their duplicates exactly, with a DupFinder of their own,
// and compares them with those caught within runs (inRun, the lines of
// every duplicate caught, ascending). It returns nil when they agree, so
// that reading caught every duplicate, or else the lines of every
// duplicate of the table.
//
// A run is read as a RowCheck delimits it: from its first line, through
// the rows that fail their form checks (which claim no key), up to the
// first row that passes with another first-key value. A run that a
// chunk's end cut in two is read whole from its first part.
func (r *Reading) readRuns(dir string, starts, inRun []int64) ([]int64, error) {
	tb := r.v.t
	ct, err := files.OpenCSV(dir, tb)
	if err != nil {
		return nil, err
	}
	defer ct.Close()
	f, header, idx := ct.File, ct.Reader.Header(), ct.Idx
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	offs, err := delivery.LineOffsets(f, starts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tb.File, err)
	}
	finder, spill, err := newFinder(r.spillDir, r.rows)
	if err != nil {
		return nil, err
	}
	defer finder.Close()
	var read []int64 // lines of the rows read again that claim a key
	values := make([]string, len(tb.Cols))
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
			cr = delivery.ResumeCSVReader(f, tb.File, header, start)
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
			if r.v.CheckForm(values) != nil {
				last = rec.Line
				continue
			}
			if k0 := values[r.key0]; runKey == "" {
				runKey = k0
			} else if k0 != runKey {
				break
			}
			last = rec.Line
			read = append(read, rec.Line)
			if err := spill.Add(r.v.KeyHash(values), rec.Line); err != nil {
				return nil, err
			}
		}
	}
	exact, err := finder.Duplicates()
	if err != nil {
		return nil, err
	}
	// The duplicates caught among the rows read again, and the others,
	// which are exact: all rows of their first-key value were in one run.
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
