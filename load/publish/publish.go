// Package publish makes the marts of a warehouse public all at once.
//
// Readers (the statistics portal, analysts) open DIR/marts/publisert.duckdb
// and DIR/marts/analyse.duckdb. Both must switch from one publication to the
// next together, and a crash must never leave a mix or half a file behind.
// So DIR/marts is a symbolic link to a directory holding one complete
// publication:
//
//	marts -> publications/20261126T142233.123Z-3f9a0c
//	publications/
//	  releases.jsonl                    the release ledger (release.go)
//	  20261120T101500.000Z-91ab2e/      an earlier release, kept for good
//	  20261126T142233.123Z-3f9a0c/      the current one
//	    publisert.duckdb
//	    analyse.duckdb
//	  .tmp-20261127T080000.000Z-77c1d0/ a draft being built (invisible)
//
// A publication is built in a draft directory ([Begin]), synced and renamed
// to its final name ([Draft.Complete]), and then a new link is renamed over
// DIR/marts ([MakeCurrent]): rename(2) replaces the link atomically, so a reader that
// resolves marts/ sees the old publication or the new one, never a mix. A
// reader that already has a file open keeps reading it, even after the old
// publication is pruned, because removing a directory does not disturb open
// files.
//
// Every function here assumes the caller holds the warehouse lock: no two
// processes publish into one warehouse at the same time.
package publish

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultKeep is how many publications Prune keeps when asked to keep 0 or
// fewer: enough to step back a few publications after a mistake.
const DefaultKeep = 5

const (
	martsName    = "marts"
	pubsName     = "publications"
	draftPrefix  = ".tmp-"       // drafts inside publications/
	linkPrefix   = ".marts.tmp-" // temporary links (and a moved-aside old marts/) in DIR
	idTimeLayout = "20060102T150405.000Z"
	migratedTag  = "migrated" // the suffix of a publication made from an old marts/ directory
)

// The files of a publication.
const (
	PublishedFile = "publisert.duckdb" // for the portal: protected figures only
	AnalysisFile  = "analyse.duckdb"   // restricted: unsuppressed figures and pseudonymised microdata
)

// Dir is the directory of publication id in the warehouse at warehouseDir.
func Dir(warehouseDir, id string) string { return filepath.Join(warehouseDir, pubsName, id) }

// CurrentDir is the current publication's directory as readers open it: a
// symbolic link that MakeCurrent replaces atomically, so a reader
// that resolves it gets the old publication or the new one, never a mix.
func CurrentDir(warehouseDir string) string { return filepath.Join(warehouseDir, martsName) }

// Draft is a publication being built; nothing of it is visible until
// Complete, and it is current once MakeCurrent releases it.
type Draft struct {
	warehouse string
	id        string
	state     draftState
}

type draftState int

const (
	building draftState = iota // the files are in the draft directory
	renamed                    // complete under publications/<id>, not yet current
	finished                   // committed or aborted
)

// Begin migrates an old marts directory if there is one and creates an
// empty draft directory, publications/.tmp-<id>/ (mode 0750), for the
// builder to write the new publication into. The caller should have called
// Clean first and must hold the warehouse lock.
func Begin(warehouseDir string) (*Draft, error) {
	if err := migrate(warehouseDir); err != nil {
		return nil, err
	}
	id, err := newID(warehouseDir, time.Now(), "")
	if err != nil {
		return nil, err
	}
	d := &Draft{warehouse: warehouseDir, id: id}
	if err := os.Mkdir(d.Dir(), 0o750); err != nil {
		return nil, fmt.Errorf("publish: draft: %w", err)
	}
	return d, nil
}

// ID is the publication's id: the UTC time Begin chose it plus a random
// suffix, so that ids sort in the order they were made.
func (d *Draft) ID() string { return d.id }

// Dir is the directory the builder writes the publication's files into.
func (d *Draft) Dir() string {
	return filepath.Join(d.warehouse, pubsName, draftPrefix+d.id)
}

// final is where the publication lives once complete.
func (d *Draft) final() string { return Dir(d.warehouse, d.id) }

// Abort removes the draft; the marts are untouched. After a Complete (or
// the tests' Commit) that failed past its rename, Abort removes the
// complete publication too, unless it became current.
func (d *Draft) Abort() error {
	switch d.state {
	case finished:
		return fmt.Errorf("publish: abort %s: the draft is already committed or aborted", d.id)
	case renamed:
		cur, err := Current(d.warehouse)
		if err != nil {
			return fmt.Errorf("publish: abort %s: %w", d.id, err)
		}
		if cur == d.id {
			return fmt.Errorf("publish: abort %s: it is already the current publication", d.id)
		}
		if err := os.RemoveAll(d.final()); err != nil {
			return fmt.Errorf("publish: abort %s: %w", d.id, err)
		}
	default:
		if err := os.RemoveAll(d.Dir()); err != nil {
			return fmt.Errorf("publish: abort %s: %w", d.id, err)
		}
	}
	d.state = finished
	return nil
}

// Current is the id of the publication DIR/marts points at, or "" when
// nothing has been published yet (no marts, or marts still a plain
// directory from before this package).
func Current(warehouseDir string) (id string, err error) {
	marts := CurrentDir(warehouseDir)
	fi, err := os.Lstat(marts)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("publish: current: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		return "", nil
	}
	target, err := os.Readlink(marts)
	if err != nil {
		return "", fmt.Errorf("publish: current: %w", err)
	}
	dir, id := filepath.Split(target)
	if filepath.Clean(dir) != pubsName || !validID(id) {
		return "", fmt.Errorf("publish: current: %s links to %q, which is not a publication", marts, target)
	}
	return id, nil
}

// List returns the ids of the complete publications, oldest first. Drafts
// are not listed.
func List(warehouseDir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(warehouseDir, pubsName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publish: list: %w", err)
	}
	var ids []string
	for _, e := range entries { // ReadDir sorts by name, and ids sort by time
		if e.IsDir() && validID(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// Clean repairs what a crashed run left behind, so that the next run starts
// from a published state. It
//   - points DIR/marts at the newest publication if marts is missing or an
//     empty plain directory while publications exist (a crash in the middle
//     of replacing a plain directory where the atomic exchange is unavailable,
//     after which warehouse.Open may have recreated marts empty);
//   - removes temporary links (DIR/.marts.tmp-*) and drafts
//     (publications/.tmp-*);
//   - completes a release a crash interrupted: the ledger names it but
//     marts still points at the one before (MakeCurrent);
//   - records the current publication in the release ledger if the
//     warehouse was published before there was one.
//
// Complete publications that were never made current are candidates and
// stay (Prune removes the oldest of them).
//
// Clean must run with the warehouse lock held by the caller, before Begin:
// it would otherwise remove the draft of a run in progress.
func Clean(warehouseDir string) error {
	if err := restore(warehouseDir); err != nil {
		return fmt.Errorf("publish: clean: %w", err)
	}
	if err := removePrefixed(warehouseDir, linkPrefix); err != nil {
		return fmt.Errorf("publish: clean: %w", err)
	}
	pubs := filepath.Join(warehouseDir, pubsName)
	if err := removePrefixed(pubs, draftPrefix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("publish: clean: %w", err)
	}
	if err := adoptCurrent(warehouseDir); err != nil {
		return fmt.Errorf("publish: clean: %w", err)
	}
	if err := rollForward(warehouseDir); err != nil {
		return fmt.Errorf("publish: clean: %w", err)
	}
	return nil
}

// restore points DIR/marts at the newest publication when marts is missing
// or an empty plain directory and there are publications.
func restore(warehouseDir string) error {
	marts := CurrentDir(warehouseDir)
	fi, err := os.Lstat(marts)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case !fi.IsDir():
		return nil
	default:
		if empty, err := isEmptyDir(marts); err != nil || !empty {
			return err
		}
	}
	ids, err := List(warehouseDir)
	if err != nil || len(ids) == 0 {
		return err
	}
	slog.Warn("publish: marts was missing after a crash; pointing it at the newest publication", "id", ids[len(ids)-1])
	return point(warehouseDir, ids[len(ids)-1], false)
}

// removePrefixed removes every entry of dir whose name starts with prefix.
func removePrefixed(dir, prefix string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// point makes DIR/marts a link to publications/<id>. A link is replaced by
// rename(2). A plain directory cannot be replaced by a link with rename, so
// it is exchanged with the new link atomically (renameat2 RENAME_EXCHANGE)
// and then removed; where the exchange is unavailable it is moved aside and
// the link renamed in, which leaves marts missing for an instant (Clean
// repairs a crash in that instant). A plain directory with files in it is
// only replaced when migrating says so: they would be lost otherwise.
func point(warehouseDir, id string, migrating bool) error {
	marts := CurrentDir(warehouseDir)
	tmp := filepath.Join(warehouseDir, linkPrefix+randomHex(6))
	if err := os.Symlink(filepath.Join(pubsName, id), tmp); err != nil {
		return err
	}
	fi, err := os.Lstat(marts)
	if err == nil && fi.IsDir() {
		if !migrating {
			if empty, err := isEmptyDir(marts); err != nil || !empty {
				os.Remove(tmp)
				if err == nil {
					err = fmt.Errorf("%s is a directory with files in it, not migrated by Begin: was it recreated while the draft was built? (the caller must hold the warehouse lock)", marts)
				}
				return err
			}
		}
		err = exchange(tmp, marts)
		if errors.Is(err, errors.ErrUnsupported) {
			err = moveAside(marts, tmp)
			tmp += ".old"
		}
		if err != nil {
			os.Remove(tmp)
			return err
		}
		// tmp is now the old directory.
		if err := syncPath(warehouseDir); err != nil {
			return err
		}
		return os.RemoveAll(tmp)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, marts); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncPath(warehouseDir)
}

// moveAside replaces the directory marts by the link at tmp in two renames,
// moving the directory to tmp+".old"; if the second rename fails, the
// directory is put back.
func moveAside(marts, tmp string) error {
	if err := os.Rename(marts, tmp+".old"); err != nil {
		return err
	}
	if err := os.Rename(tmp, marts); err != nil {
		os.Rename(tmp+".old", marts)
		return err
	}
	return nil
}

// migrate turns a plain, non-empty DIR/marts (warehouses from before this
// package) into a publication of its own: its files are hard-linked (copied
// where linking fails) into a draft, the draft is synced and renamed to
// publications/<time>-migrated, and marts is exchanged atomically for a link
// to it. An empty or missing marts is left for MakeCurrent to replace.
func migrate(warehouseDir string) error {
	marts := CurrentDir(warehouseDir)
	pubs := filepath.Join(warehouseDir, pubsName)
	if err := os.MkdirAll(pubs, 0o750); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	fi, err := os.Lstat(marts)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("publish: migrate: %w", err)
	}
	if !fi.IsDir() {
		return nil
	}
	if empty, err := isEmptyDir(marts); err != nil || empty {
		return err
	}
	id, err := newID(warehouseDir, fi.ModTime(), migratedTag)
	if err != nil {
		return err
	}
	draft := filepath.Join(pubs, draftPrefix+id)
	if err := linkTree(marts, draft); err != nil {
		return fmt.Errorf("publish: migrate %s: %w", marts, err)
	}
	if err := syncTree(draft); err != nil {
		return fmt.Errorf("publish: migrate %s: %w", marts, err)
	}
	if err := os.Rename(draft, filepath.Join(pubs, id)); err != nil {
		return fmt.Errorf("publish: migrate %s: %w", marts, err)
	}
	if err := syncPath(pubs); err != nil {
		return fmt.Errorf("publish: migrate %s: %w", marts, err)
	}
	if err := point(warehouseDir, id, true); err != nil {
		return fmt.Errorf("publish: migrate %s: %w", marts, err)
	}
	slog.Info("publish: moved the plain marts directory into a publication", "id", id)
	return nil
}

// linkTree recreates the tree src at dst with hard links to src's files,
// copying a file where a link cannot be made.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case e.IsDir():
			return os.Mkdir(to, 0o750)
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		}
		if os.Link(p, to) == nil {
			return nil
		}
		return copyFile(p, to)
	})
}

// copyFile copies the regular file src to the new file dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// newID makes a publication id from t, later than every publication there
// is (so ids sort in the order they were made even if the clock steps back),
// with suffix, or a random one if suffix is "".
func newID(warehouseDir string, t time.Time, suffix string) (string, error) {
	t = t.UTC().Truncate(time.Millisecond)
	ids, err := List(warehouseDir)
	if err != nil {
		return "", err
	}
	if len(ids) > 0 {
		last, err := time.Parse(idTimeLayout, ids[len(ids)-1][:len(idTimeLayout)])
		if err != nil {
			return "", fmt.Errorf("publish: id: %w", err)
		}
		if !t.After(last) {
			t = last.Add(time.Millisecond)
		}
	}
	if suffix == "" {
		suffix = randomHex(3)
	}
	return t.Format(idTimeLayout) + "-" + suffix, nil
}

// validID reports whether name is a publication id: the time layout, a
// dash and a suffix of lower-case letters and digits.
func validID(name string) bool {
	n := len(idTimeLayout)
	if len(name) < n+2 || name[n] != '-' {
		return false
	}
	if _, err := time.Parse(idTimeLayout, name[:n]); err != nil {
		return false
	}
	for _, c := range name[n+1:] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// randomHex returns n random bytes in hexadecimal.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// isEmptyDir reports whether the directory dir has no entries.
func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if err == io.EOF {
		return true, nil
	}
	return false, err
}

// syncTree syncs every file and directory under root to disk, so that a
// power failure after the rename cannot leave a publication with holes.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.Type()&fs.ModeSymlink != 0 {
			return err
		}
		return syncPath(p)
	})
}

// syncPath syncs the file or directory p to disk; for a directory that
// makes the renames in it durable.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", p, err)
	}
	return nil
}
