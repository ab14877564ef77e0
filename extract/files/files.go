// Package files finds the file deliveries waiting in an inbox and decides,
// against what was loaded before, what to do with each: load it, skip it
// (already loaded, same content), refuse it (same id, other content), or
// reject it (incomplete or corrupt). It reads no row: a delivery is judged
// whole, before anything of it is loaded.
package files

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"integstat/extract/contract"
	"integstat/extract/delivery"
)

// Arrival is one delivery directory found in the inbox (the delivery
// format itself is package delivery; a loaded one, warehouse.DeliveryLoad).
type Arrival struct {
	Source    string
	ID        string
	Dir       string
	Extracted time.Time         // from the delivery id, Europe/Oslo
	Manifest  delivery.Manifest // set when the delivery verified
	Digest    string            // sha256 over the manifest's files, names and checksums: the content's identity
}

// Action says what to do with a delivery.
type Action int

// The actions Plan decides between.
const (
	Load   Action = iota + 1 // new: verify passed, not loaded before
	Skip                     // loaded before with the same content
	Refuse                   // loaded before under this id with other content: refuse loudly
	Reject                   // incomplete or corrupt: load nothing, leave it where it is
)

var actionNames = map[Action]string{Load: "load", Skip: "skip", Refuse: "refuse", Reject: "reject"}

// String names the action for logs and the ledger.
func (a Action) String() string { return actionNames[a] }

// Decision is what Plan decided for one delivery, and why.
type Decision struct {
	Arrival
	Action Action
	// Late is set for a delivery older than one already loaded from its
	// source: it is loaded into its own partition of history, and does not
	// change the newer state.
	Late bool
	Err  error // the reason for Refuse and Reject
}

// Registry is what the warehouse remembers of loaded deliveries.
type Registry interface {
	// Loaded returns the digest a delivery was loaded with, if it was.
	Loaded(source, id string) (digest string, ok bool, err error)
	// Newest returns the newest delivery id loaded from source ("" if none).
	Newest(source string) (string, error)
}

// Scan lists the delivery directories of every known source in inbox,
// in delivery-id order (oldest first; sources in the contract's order
// within one id). Other entries are ignored: a stray file is not a delivery.
func Scan(inbox string) ([]Arrival, error) {
	var out []Arrival
	for _, src := range contract.Sources {
		entries, err := os.ReadDir(filepath.Join(inbox, src))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("inbox %s: %w", inbox, err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				// A link to a delivery directory counts as the directory.
				st, err := os.Stat(filepath.Join(inbox, src, e.Name()))
				if err != nil || !st.IsDir() {
					continue
				}
			}
			t, err := delivery.ParseDeliveryID(e.Name())
			if err != nil {
				continue // not a delivery id: ignored, as a temporary upload directory would be
			}
			out = append(out, Arrival{Source: src, ID: e.Name(), Dir: filepath.Join(inbox, src, e.Name()), Extracted: t})
		}
	}
	order := map[string]int{}
	for i, s := range contract.Sources {
		order[s] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return order[out[i].Source] < order[out[j].Source]
	})
	return out, nil
}

// Digest identifies a delivery's content by its manifest: the source, id,
// and each file's name, row count and sha256, in order. Verify has checked
// that the files match the manifest, so equal digests mean equal content.
func Digest(m delivery.Manifest) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", m.Source, m.DeliveryID)
	files := append([]delivery.File(nil), m.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00%s\x00", f.Name, f.Rows, f.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Plan verifies every delivery in inbox and decides what to do with it.
// A delivery that fails verification is rejected with the report of every
// mismatch (file, expected and found); one already loaded with the same
// digest is skipped; one loaded before with another digest is refused.
func Plan(inbox string, reg Registry) ([]Decision, error) {
	ds, err := Scan(inbox)
	if err != nil {
		return nil, err
	}
	var out []Decision
	newest := map[string]string{}
	for _, d := range ds {
		dec := Decision{Arrival: d}
		m, err := delivery.Verify(d.Dir)
		if err != nil {
			dec.Action, dec.Err = Reject, err
			out = append(out, dec)
			continue
		}
		dec.Manifest, dec.Digest = m, Digest(m)
		prev, loaded, err := reg.Loaded(d.Source, d.ID)
		if err != nil {
			return nil, err
		}
		switch {
		case loaded && prev == dec.Digest:
			dec.Action = Skip
		case loaded:
			dec.Action = Refuse
			dec.Err = fmt.Errorf("delivery %s/%s was loaded before with other content (digest %.12s, now %.12s): refused; a corrected delivery needs a new delivery id",
				d.Source, d.ID, prev, dec.Digest)
		default:
			dec.Action = Load
			n, ok := newest[d.Source]
			if !ok {
				if n, err = reg.Newest(d.Source); err != nil {
					return nil, err
				}
				newest[d.Source] = n
			}
			dec.Late = n != "" && d.ID < n
		}
		out = append(out, dec)
	}
	return out, nil
}
