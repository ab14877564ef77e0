package warehouse

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"integstat/extract/delivery"
	"integstat/transform/pseudo"
)

// mergesHeader is the first line of the person merges file.
var mergesHeader = []string{"old", "new"}

// WriteMerges replaces the file of person-key merges (PersonMerges) with
// ms, atomically: a CSV file "old,new" with a line per merge, so that the
// marts and the research extracts count rows written under a person's
// earlier key as that person's (a protected identity found by a later
// link, above all). It holds pseudonyms only.
func (w *Warehouse) WriteMerges(ms []pseudo.Merge) error {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(mergesHeader)
	for _, m := range ms {
		cw.Write([]string{m.Old, m.New})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("warehouse: person merges: %w", err)
	}
	f, err := delivery.Create(filepath.Split(w.PersonMerges()))
	if err != nil {
		return fmt.Errorf("warehouse: person merges: %w", err)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Abort()
		return fmt.Errorf("warehouse: person merges: %w", err)
	}
	if _, err := f.Close(); err != nil {
		return fmt.Errorf("warehouse: person merges: %w", err)
	}
	return nil
}

// ReadMerges reads the file of person-key merges that WriteMerges wrote;
// a warehouse whose identity map never merged has none.
func (w *Warehouse) ReadMerges() ([]pseudo.Merge, error) {
	f, err := os.Open(w.PersonMerges())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("warehouse: person merges: %w", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("warehouse: person merges %s: %w", w.PersonMerges(), err)
	}
	var out []pseudo.Merge
	for _, r := range recs[min(1, len(recs)):] {
		if len(r) != 2 {
			return nil, fmt.Errorf("warehouse: person merges %s: a line of %d fields", w.PersonMerges(), len(r))
		}
		out = append(out, pseudo.Merge{Old: r[0], New: r[1]})
	}
	return out, nil
}
