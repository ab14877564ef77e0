package publish

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// ledgerName is the release ledger in publications/: one JSON object per
// line, each a Release, in the order they were made.
const ledgerName = "releases.jsonl"

// Release is one entry of the release ledger: a publication made current.
type Release struct {
	ID       string    `json:"id"`   // the publication released
	At       time.Time `json:"at"`   // when it became current
	By       string    `json:"by"`   // who released it ("auto", "calendar", or a person)
	Note     string    `json:"note"` // why
	Rollback bool      `json:"rollback,omitempty"`
}

// Complete syncs the draft and renames it to publications/<id>: it is now a
// candidate, complete and verified by the caller, but not current. Release
// makes it current.
func (d *Draft) Complete() error {
	if d.state != building {
		return fmt.Errorf("publish: complete %s: the draft is not being built", d.id)
	}
	if err := syncTree(d.Dir()); err != nil {
		return fmt.Errorf("publish: complete %s: %w", d.id, err)
	}
	if err := os.Rename(d.Dir(), d.final()); err != nil {
		return fmt.Errorf("publish: complete %s: %w", d.id, err)
	}
	d.state = renamed
	if err := syncPath(filepath.Join(d.warehouse, pubsName)); err != nil {
		return fmt.Errorf("publish: complete %s: %w", d.id, err)
	}
	d.state = finished
	return nil
}

// MakeCurrent releases the complete publication r.ID: it appends r to the
// release ledger and syncs it, then points DIR/marts at the publication
// with one atomic rename. The ledger is written first, so a crash between
// the two leaves the old release current and the ledger ahead of it; Clean
// then completes the switch. r.At is set to now if zero.
func MakeCurrent(warehouseDir string, r Release) error {
	ids, err := List(warehouseDir)
	if err != nil {
		return err
	}
	if !slices.Contains(ids, r.ID) {
		return fmt.Errorf("publish: release %s: no such complete publication", r.ID)
	}
	if err := adoptCurrent(warehouseDir); err != nil {
		return fmt.Errorf("publish: release %s: %w", r.ID, err)
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	r.At = r.At.UTC().Truncate(time.Millisecond)
	if err := appendLedger(warehouseDir, r); err != nil {
		return fmt.Errorf("publish: release %s: %w", r.ID, err)
	}
	if err := point(warehouseDir, r.ID, false); err != nil {
		return fmt.Errorf("publish: release %s: %w", r.ID, err)
	}
	slog.Info("publish: released", "id", r.ID, "by", r.By)
	return nil
}

// Releases reads the release ledger, oldest first. A last line cut short by
// a crash is ignored: its release never became current.
func Releases(warehouseDir string) ([]Release, error) {
	f, err := os.Open(filepath.Join(warehouseDir, pubsName, ledgerName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publish: releases: %w", err)
	}
	defer f.Close()
	var out []Release
	var bad error
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if bad != nil {
			return nil, bad // a bad line that is not the last
		}
		var r Release
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || !validID(r.ID) {
			bad = fmt.Errorf("publish: releases: %s line %d is not a release", ledgerName, n)
			continue
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("publish: releases: %w", err)
	}
	return out, nil
}

// CurrentAt is the release that was current at t: the last ledger entry
// made at or before t, or nil if nothing was released by then.
func CurrentAt(rs []Release, t time.Time) *Release {
	var cur *Release
	for i := range rs {
		if rs[i].At.After(t) {
			break
		}
		cur = &rs[i]
	}
	return cur
}

// appendLedger appends r to the ledger and syncs it to disk. A torn last
// line left by a crash is cut off first, so that r starts a line.
func appendLedger(warehouseDir string, r Release) error {
	path := filepath.Join(warehouseDir, pubsName, ledgerName)
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if n := len(b); n > 0 && b[n-1] != '\n' {
		last := 0
		for i := n - 1; i >= 0; i-- {
			if b[i] == '\n' {
				last = i + 1
				break
			}
		}
		if err := os.Truncate(path, int64(last)); err != nil {
			return err
		}
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncPath(filepath.Join(warehouseDir, pubsName))
}

// adoptCurrent records the current publication in the ledger when the
// ledger does not know it: a warehouse published before there was a
// ledger. Its time is that of the publication's directory.
func adoptCurrent(warehouseDir string) error {
	cur, err := Current(warehouseDir)
	if err != nil || cur == "" {
		return err
	}
	rs, err := Releases(warehouseDir)
	if err != nil {
		return err
	}
	if len(rs) > 0 {
		return nil
	}
	at := time.Now()
	if fi, err := os.Stat(Dir(warehouseDir, cur)); err == nil {
		at = fi.ModTime()
	}
	return appendLedger(warehouseDir, Release{ID: cur, At: at.UTC().Truncate(time.Millisecond), Note: "current before the release ledger"})
}

// rollForward completes a release a crash interrupted: when the ledger's
// last release is a complete publication other than the current one, marts
// is pointed at it.
func rollForward(warehouseDir string) error {
	rs, err := Releases(warehouseDir)
	if err != nil || len(rs) == 0 {
		return err
	}
	last := rs[len(rs)-1].ID
	cur, err := Current(warehouseDir)
	if err != nil || cur == last {
		return err
	}
	ids, err := List(warehouseDir)
	if err != nil || !slices.Contains(ids, last) {
		return err
	}
	slog.Warn("publish: completing a release a crash interrupted", "id", last, "was", cur)
	return point(warehouseDir, last, false)
}

// Prune removes the oldest publications that were never released, so that
// keep of them remain (DefaultKeep if keep < 1). A publication that was
// ever released, or is current, is never removed.
func Prune(warehouseDir string, keep int) error {
	if keep < 1 {
		keep = DefaultKeep
	}
	ids, err := List(warehouseDir)
	if err != nil {
		return err
	}
	cur, err := Current(warehouseDir)
	if err != nil {
		return err
	}
	rs, err := Releases(warehouseDir)
	if err != nil {
		return err
	}
	released := map[string]bool{cur: true}
	for _, r := range rs {
		released[r.ID] = true
	}
	var candidates []string
	for _, id := range ids {
		if !released[id] {
			candidates = append(candidates, id)
		}
	}
	for i := 0; i < len(candidates)-keep; i++ {
		if err := os.RemoveAll(Dir(warehouseDir, candidates[i])); err != nil {
			return err
		}
	}
	return nil
}
