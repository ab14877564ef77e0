package validate

import (
	"hash/maphash"
	"slices"

	"integstat/extract/contract"
	"integstat/extract/delivery"
)

// Reading is the whole row check of one reading of one table of a
// delivery, in its fixed order: every column's form and the kommune codes
// on the row's date (CheckForm), then the primary key against the other
// rows of the delivery, then the identity numbers against the delivery's
// persons (CheckRefs). Goroutines that read parts of the table share it,
// each with a RowCheck of its own.
//
// Duplicate keys are found in two ways at once. While reading, a key that
// repeats one of the current run of rows sharing the first key column (a
// person's rows, which come together) is caught at once. Every key also
// goes to a DupFinder, which finds the exact duplicates over the whole
// table when the reading is done (Exact); where the two disagree (Missed),
// the table is read again with the exact lines known (ReadingOptions.Known).
type Reading struct {
	v        *Table
	persons  *PersonSet
	collect  bool    // add the accepted rows' numbers to persons
	known    []int64 // lines of the duplicate rows when known before reading
	finder   *DupFinder
	byRun    bool // the finder takes one entry per run of the first key column
	runSeeds [2]maphash.Seed
	idCols   []int // identity-number columns, for collect
	refCol   int   // the one column CheckRefs checks, -1 if none or several
	key0     int   // the first key column (contract.Table.FirstKey)
	spillDir string
	rows     int64
}

// ReadingOptions configures a Reading.
type ReadingOptions struct {
	// Persons is the delivery's set of persons: filled from the rows of
	// its list of persons (contract.Table.Persons), read first, and
	// checked against by the tables whose numbers must name them.
	Persons *PersonSet
	// Known lists the lines of the duplicate rows when an earlier reading
	// found them (ascending); nil finds them.
	Known []int64
	// SpillDir is where the DupFinder spills key hashes (the warehouse's
	// restricted area: they are of personal data); Rows sizes it.
	SpillDir string
	Rows     int64
	// ByRun lets the DupFinder take one entry per run of rows sharing the
	// first key column instead of one per row: for files whose rows come
	// grouped, read in order by whole runs (a CSV file read in chunks cut
	// between runs).
	ByRun bool
}

// Reading begins a reading of the table's rows.
func (v *Table) Reading(opt ReadingOptions) (*Reading, error) {
	r := &Reading{v: v, persons: opt.Persons, collect: !v.RefersToPersons(), known: opt.Known, refCol: -1, key0: v.t.FirstKey(),
		spillDir: opt.SpillDir, rows: opt.Rows}
	for i, c := range v.t.Cols {
		if c.Type == contract.IDNumber {
			r.idCols = append(r.idCols, i)
		}
	}
	if v.RefersToPersons() && len(r.idCols) == 1 {
		r.refCol = r.idCols[0]
	}
	if opt.Known == nil && v.HasKey() {
		f, err := NewDupFinder(opt.SpillDir, opt.Rows)
		if err != nil {
			return nil, err
		}
		r.finder = f
		r.byRun = opt.ByRun && r.key0 >= 0
		r.runSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	}
	return r, nil
}

// Collects reports whether the accepted rows' numbers go into the persons
// (the table is not checked against them): the caller adds them in the
// rows' order, and empties the set before the table is read again.
func (r *Reading) Collects() bool { return r.collect }

// Exact returns the exact duplicates the DupFinder found over the whole
// reading (see ByRun), and false when it did not look for them (the lines
// were known, or the table has no key).
func (r *Reading) Exact() ([]int64, bool, error) {
	if r.finder == nil {
		return nil, false, nil
	}
	find := r.finder.Duplicates
	if r.byRun {
		find = r.finder.Repeats
	}
	dups, err := find()
	return dups, true, err
}

// Close removes the DupFinder's spill.
func (r *Reading) Close() error {
	if r.finder == nil {
		return nil
	}
	return r.finder.Close()
}

// maxRun is how many keys of a run are compared one by one before they go
// into a map.
const maxRun = 64

// RowCheck checks rows for one goroutine of a Reading.
type RowCheck struct {
	r     *Reading
	check *Checker
	spill *KeySpill
	// run holds the keys of the current run of rows that share the first
	// key column (a person's rows): a key repeated within it (the usual
	// duplicate, a row repeated next to itself) is caught while reading;
	// the DupFinder finds the others. A long run goes on in runSet.
	runKey  string
	run     [][2]uint64
	runSet  map[[2]uint64]struct{}
	lastRef string // the last number CheckRefs accepted
	// Dups counts the duplicates caught while reading; DupLines holds
	// their lines when the finder goes by runs. The caller takes them.
	Dups     int64
	DupLines []int64
}

// NewRowCheck returns a RowCheck for one goroutine.
func (r *Reading) NewRowCheck() (*RowCheck, error) {
	c := &RowCheck{r: r, check: r.v.Checker(), runSet: make(map[[2]uint64]struct{})}
	if r.finder != nil {
		s, err := r.finder.Spill()
		if err != nil {
			return nil, err
		}
		c.spill = s
	}
	return c, nil
}

// Check judges the row on line: nil when it passes, or the first Problem.
// A row that passes claims its key; a later row with the key is a
// Duplicate.
func (c *RowCheck) Check(line int64, values []string) (*Problem, error) {
	r := c.r
	p := c.check.CheckForm(values)
	if p == nil && r.v.HasKey() {
		dup, err := c.dup(line, values)
		if err != nil {
			return nil, err
		}
		if dup {
			p = r.v.Duplicate()
		}
	}
	if p == nil && (r.refCol < 0 || values[r.refCol] != c.lastRef) {
		// A person's rows come together: one look-up for the run.
		if p = r.v.CheckRefs(values, r.persons); p == nil && r.refCol >= 0 {
			c.lastRef = values[r.refCol]
		}
	}
	return p, nil
}

// Parsed returns the typed values of the last row Check passed (see
// Checker.Parsed).
func (c *RowCheck) Parsed() *delivery.Parsed { return c.check.Parsed() }

// Numbers appends to out the identity numbers of a row Check passed, when
// the Reading collects them (Collects), and returns out.
func (c *RowCheck) Numbers(values []string, out []string) []string {
	if !c.r.collect {
		return out
	}
	for _, i := range c.r.idCols {
		if values[i] != "" {
			out = append(out, values[i])
		}
	}
	return out
}

// NewRun forgets the current run: call it where the rows read stop being
// consecutive (a new chunk).
func (c *RowCheck) NewRun() { c.newRun("") }

// dup reports whether the row on line repeats the key of an earlier row
// that claimed it, as far as can be told now; every claim goes to the
// spill for the exact answer.
func (c *RowCheck) dup(line int64, values []string) (bool, error) {
	r := c.r
	if r.known != nil || r.finder == nil {
		_, found := slices.BinarySearch(r.known, line)
		return found, nil
	}
	h := r.v.KeyHash(values)
	if !r.byRun {
		if err := c.spill.Add(h, line); err != nil {
			return false, err
		}
	}
	if k := values[r.key0]; k != c.runKey {
		c.newRun(k)
		if r.byRun {
			h := [2]uint64{maphash.String(r.runSeeds[0], k), maphash.String(r.runSeeds[1], k)}
			if err := c.spill.Add(h, line); err != nil {
				return false, err
			}
		}
	}
	dup := slices.Contains(c.run, h)
	if !dup && len(c.run) == maxRun {
		_, dup = c.runSet[h]
	}
	switch {
	case dup:
		c.Dups++
		if r.byRun {
			c.DupLines = append(c.DupLines, line)
		}
	case len(c.run) < maxRun:
		c.run = append(c.run, h)
	default:
		c.runSet[h] = struct{}{}
	}
	return dup, nil
}

// newRun starts a run of rows whose first key column is k.
func (c *RowCheck) newRun(k string) {
	c.runKey, c.run = k, c.run[:0]
	if len(c.runSet) > 0 {
		clear(c.runSet)
	}
}
