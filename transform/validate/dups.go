package validate

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"integstat/extract/delivery"
	"integstat/extract/files"
)

// DupFinder finds, after a table has been read, every row whose primary key
// an earlier row had, in memory that does not grow with the rows: each row
// that claims a key (it passed Table.CheckForm) adds its KeyHash and line
// to a KeySpill, which spreads them over bucket files by hash; Duplicates
// then reads one bucket at a time and keeps, per hash, the first line.
//
// The ingest stage uses it to check the duplicates it found while reading
// (rows repeated next to each other, the usual case) against the exact
// answer, and reads the table again only when the two differ. Like Check's
// in-memory set it compares 128-bit hashes: two different keys collide with
// probability 2^-128, among n keys at most n²/2^129 (4·10^-22 for 5·10^8).
type DupFinder struct {
	dir     string
	buckets int
	spills  []*KeySpill
}

// spillEntryBytes is the size of one spilled key: hash and line.
const spillEntryBytes = 24

// bucketEntries is about how many keys one bucket holds: reading and
// sorting it takes about 48 bytes a key, some 50 MiB.
const bucketEntries = 1 << 20

// spillPrefix begins the name of a DupFinder's directory.
const spillPrefix = ".keys-"

// CleanSpills removes what DupFinders of a run that crashed left in dir.
// It assumes no DupFinder is open there (the warehouse lock's job).
func CleanSpills(dir string) error {
	spills, err := filepath.Glob(filepath.Join(dir, spillPrefix+"*"))
	if err != nil {
		return err
	}
	for _, p := range spills {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("key spill: %w", err)
		}
	}
	return nil
}

// NewDupFinder spills under a new directory in dir (the warehouse's
// restricted area: the hashes are of personal data) for a table of about
// rows rows, which sets the number of buckets.
func NewDupFinder(dir string, rows int64) (*DupFinder, error) {
	d, err := os.MkdirTemp(dir, spillPrefix)
	if err != nil {
		return nil, fmt.Errorf("key spill: %w", err)
	}
	b := int(min(max(rows/bucketEntries+1, 1), 4096))
	return &DupFinder{dir: d, buckets: b}, nil
}

// newFinder returns a DupFinder as NewDupFinder does, with one KeySpill of
// it, for a reading by one goroutine.
func newFinder(dir string, rows int64) (*DupFinder, *KeySpill, error) {
	f, err := NewDupFinder(dir, rows)
	if err != nil {
		return nil, nil, err
	}
	s, err := f.Spill()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, s, nil
}

// Duplicates returns the lines of the rows whose key an earlier row that
// passed CheckForm had (never nil), from one reading of the rows: read
// calls its function for every row in line order (a malformed record,
// with its RowError, claims no key). The ingest stage asks it of a list of
// persons before it links their numbers, so that only the rows the row
// check accepts link. spillDir and rows are NewDupFinder's.
func (v *Table) Duplicates(spillDir string, rows int64, read func(files.RowFunc) error) ([]int64, error) {
	if !v.HasKey() {
		return []int64{}, nil
	}
	f, s, err := newFinder(spillDir, rows)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	err = read(func(line int64, values []string, _ string, rowErr *delivery.RowError) error {
		if rowErr != nil || v.CheckForm(values) != nil {
			return nil
		}
		return s.Add(v.KeyHash(values), line)
	})
	if err != nil {
		return nil, err
	}
	dups, err := f.Duplicates()
	if dups == nil && err == nil {
		dups = []int64{}
	}
	return dups, err
}

// KeySpill takes the keys of one goroutine's rows. Lines need not come in
// order.
type KeySpill struct {
	f     *DupFinder
	files []*os.File
	ws    []*bufio.Writer
	buf   [spillEntryBytes]byte
}

// Spill returns a new KeySpill of the finder, for one goroutine. Call it
// before Duplicates.
func (f *DupFinder) Spill() (*KeySpill, error) {
	s := &KeySpill{f: f}
	f.spills = append(f.spills, s)
	for b := range f.buckets {
		file, err := os.OpenFile(filepath.Join(f.dir, strconv.Itoa(len(f.spills))+"-"+strconv.Itoa(b)), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
		if err != nil {
			return nil, fmt.Errorf("key spill: %w", err)
		}
		s.files = append(s.files, file)
		s.ws = append(s.ws, bufio.NewWriterSize(file, 16<<10))
	}
	return s, nil
}

// bucket returns the bucket of hash h.
func (f *DupFinder) bucket(h [2]uint64) int {
	return int((h[0] >> 32) * uint64(f.buckets) >> 32)
}

// Add records that the row on line claims the key with hash h.
func (s *KeySpill) Add(h [2]uint64, line int64) error {
	binary.LittleEndian.PutUint64(s.buf[0:], h[0])
	binary.LittleEndian.PutUint64(s.buf[8:], h[1])
	binary.LittleEndian.PutUint64(s.buf[16:], uint64(line))
	if _, err := s.ws[s.f.bucket(h)].Write(s.buf[:]); err != nil {
		return fmt.Errorf("key spill: %w", err)
	}
	return nil
}

// Duplicates returns, in increasing order, the lines of the rows whose key
// a row on an earlier line claimed too: all of a key's lines but its first.
// Two buckets at a time are read and sorted side by side. The
// spills are used up; Close removes them.
func (f *DupFinder) Duplicates() ([]int64, error) { return f.find(false) }

// Repeats returns, in increasing order, the lines of every entry whose
// hash another entry has too: all of a hash's lines, its first included.
// The ingest stage spills one entry per run of rows sharing a value and
// asks which values came in more than one run. The spills are used up.
func (f *DupFinder) Repeats() ([]int64, error) { return f.find(true) }

// find returns the lines of Duplicates, or with all those of Repeats.
func (f *DupFinder) find(all bool) ([]int64, error) {
	for _, s := range f.spills {
		for _, w := range s.ws {
			if err := w.Flush(); err != nil {
				return nil, fmt.Errorf("key spill: %w", err)
			}
		}
	}
	const par = 2
	found := make([][]int64, par)
	errs := make([]error, par)
	var wg sync.WaitGroup
	for g := range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			var entries []spillEntry
			var halves []uint64
			for b := g; b < f.buckets; b += par {
				var err error
				if buf, entries, err = f.readBucket(b, buf, entries); err != nil {
					errs[g] = err
					return
				}
				found[g], halves = appendDuplicates(found[g], entries, halves, all)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	dups := slices.Concat(found...)
	slices.Sort(dups)
	return dups, nil
}

// spillEntry is one spilled key.
type spillEntry struct {
	h    [2]uint64
	line int64
}

// readBucket reads bucket b of every spill into entries, reusing buf and
// entries.
func (f *DupFinder) readBucket(b int, buf []byte, entries []spillEntry) ([]byte, []spillEntry, error) {
	buf = buf[:0]
	for _, s := range f.spills {
		fi, err := s.files[b].Stat()
		if err != nil {
			return buf, entries, fmt.Errorf("key spill: %w", err)
		}
		n := len(buf)
		buf = slices.Grow(buf, int(fi.Size()))[:n+int(fi.Size())]
		if _, err := s.files[b].ReadAt(buf[n:], 0); err != nil {
			return buf, entries, fmt.Errorf("key spill: %w", err)
		}
	}
	entries = entries[:0]
	for e := buf; len(e) >= spillEntryBytes; e = e[spillEntryBytes:] {
		entries = append(entries, spillEntry{
			h:    [2]uint64{binary.LittleEndian.Uint64(e), binary.LittleEndian.Uint64(e[8:])},
			line: int64(binary.LittleEndian.Uint64(e[16:])),
		})
	}
	return buf, entries, nil
}

// appendDuplicates appends to dups the lines of every entry but the first
// (by line) of each hash, with all the first's too when the hash repeats.
// It sorts the first halves of the hashes, which is
// quick, and sorts whole entries only for halves that repeat.
func appendDuplicates(dups []int64, entries []spillEntry, halves []uint64, all bool) ([]int64, []uint64) {
	halves = halves[:0]
	for _, e := range entries {
		halves = append(halves, e.h[0])
	}
	slices.Sort(halves)
	repeated := map[uint64]bool{}
	for i := 1; i < len(halves); i++ {
		if halves[i] == halves[i-1] {
			repeated[halves[i]] = true
		}
	}
	if len(repeated) == 0 {
		return dups, halves
	}
	var cand []spillEntry
	for _, e := range entries {
		if repeated[e.h[0]] {
			cand = append(cand, e)
		}
	}
	slices.SortFunc(cand, func(a, b spillEntry) int {
		if c := cmp.Compare(a.h[1], b.h[1]); c != 0 {
			return c
		}
		if c := cmp.Compare(a.h[0], b.h[0]); c != 0 {
			return c
		}
		return cmp.Compare(a.line, b.line)
	})
	for i := 1; i < len(cand); i++ {
		if cand[i].h == cand[i-1].h {
			if all && (i == 1 || cand[i-2].h != cand[i-1].h) {
				dups = append(dups, cand[i-1].line)
			}
			dups = append(dups, cand[i].line)
		}
	}
	return dups, halves
}

// Close removes the spill files.
func (f *DupFinder) Close() error {
	var errs []error
	for _, s := range f.spills {
		for _, file := range s.files {
			errs = append(errs, file.Close())
		}
	}
	f.spills = nil
	errs = append(errs, os.RemoveAll(f.dir))
	return errors.Join(errs...)
}
