package pipeline

// Duplicates over runs: when rows of one first-key value came in several
// runs, the runs are read again and their duplicates found exactly.

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"integstat/extract/delivery"
	"integstat/extract/files"
	"integstat/transform/validate"
)

// errReread says that the table has duplicates that reading did not catch:
// it must be read again with their lines known.
type errReread struct{ dups []int64 }

func (e *errReread) Error() string { return "duplicates far apart: read again" }

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
	ct, err := files.OpenCSV(dir, t.tb)
	if err != nil {
		return nil, err
	}
	defer ct.Close()
	f, header, idx := ct.File, ct.Header, ct.Idx
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
