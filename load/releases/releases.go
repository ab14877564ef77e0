// Package releases decides which verified publication of a warehouse the
// portal shows. A build makes a candidate (package publish: a complete
// publication, not current); a release makes one current, at once (mode
// auto), when a person says so (integstat release) or at an announced time
// (the release calendar). Every release is recorded in the ledger of
// package publish and kept, so what was published on any date can be
// answered. A candidate whose checks warned is held: only a person naming
// it releases it.
package releases

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"integstat/load/publish"
)

// Mode says when a build's candidate is released.
type Mode string

// The release modes of `integstat run --release`.
const (
	Auto     Mode = "auto"     // at once, unless held
	Manual   Mode = "manual"   // by `integstat release`
	Calendar Mode = "calendar" // at the next announced time of the release calendar, unless held
)

// ParseMode checks a release mode; "" is Auto.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "":
		return Auto, nil
	case Auto, Manual, Calendar:
		return m, nil
	}
	return "", fmt.Errorf("release mode %q is not auto, manual or calendar", s)
}

// infoName is the file in a publication's directory describing it.
const infoName = "kandidat.json"

// Info describes a candidate: what it rests on and what its checks found.
type Info struct {
	ID         string            `json:"id"`
	Built      time.Time         `json:"built"`
	AsOf       string            `json:"as_of"`      // the publication's as-of date, YYYY-MM-DD
	States     map[string]string `json:"states"`     // per source, the date of its data state
	Deliveries string            `json:"deliveries"` // the deliveries it rests on
	Version    string            `json:"version"`    // the models and protection settings it was computed with
	Figures    int64             `json:"figures"`    // values in its indikator table
	Warnings   []string          `json:"warnings"`   // the checks that hold it; none: not held
}

// Held reports whether the candidate waits for a person.
func (i Info) Held() bool { return len(i.Warnings) > 0 }

// WriteInfo writes info into the draft directory dir of a publication,
// before it is completed.
func WriteInfo(dir string, info Info) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, infoName), append(b, '\n'), 0o640); err != nil {
		return fmt.Errorf("releases: %w", err)
	}
	return nil
}

// ReadInfo reads what a publication says of itself. A publication made
// before there were candidates has no info file; its table publikasjon
// gives what is known.
func ReadInfo(warehouseDir, id string) (Info, error) {
	b, err := os.ReadFile(filepath.Join(publish.Dir(warehouseDir, id), infoName))
	if err == nil {
		var info Info
		if err := json.Unmarshal(b, &info); err != nil {
			return Info{}, fmt.Errorf("releases: %s: %w", id, err)
		}
		return info, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Info{}, fmt.Errorf("releases: %w", err)
	}
	info := Info{ID: id}
	db, err := sql.Open("duckdb", filepath.Join(publish.Dir(warehouseDir, id), publish.PublishedFile)+"?access_mode=read_only")
	if err != nil {
		return info, fmt.Errorf("releases: %s: %w", id, err)
	}
	defer db.Close()
	var asOf time.Time
	if err := db.QueryRow(`SELECT as_of, bygget, leveranser, versjon FROM publikasjon`).Scan(&asOf, &info.Built, &info.Deliveries, &info.Version); err != nil {
		return info, fmt.Errorf("releases: %s: %w", id, err)
	}
	info.AsOf = asOf.Format(time.DateOnly)
	return info, nil
}

// Entry is one publication of a warehouse as `integstat releases` lists it.
type Entry struct {
	Info
	Status   string            // current, released (earlier), held, candidate
	Releases []publish.Release // every time it was made current, oldest first
}

// Statuses of an Entry.
const (
	StatusCurrent   = "current"
	StatusReleased  = "released"
	StatusHeld      = "held"
	StatusCandidate = "candidate"
)

// List describes every publication of the warehouse, oldest first.
func List(warehouseDir string) ([]Entry, error) {
	ids, err := publish.List(warehouseDir)
	if err != nil {
		return nil, err
	}
	cur, err := publish.Current(warehouseDir)
	if err != nil {
		return nil, err
	}
	rs, err := publish.Releases(warehouseDir)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(ids))
	for _, id := range ids {
		info, err := ReadInfo(warehouseDir, id)
		if err != nil {
			return nil, err
		}
		e := Entry{Info: info}
		for _, r := range rs {
			if r.ID == id {
				e.Releases = append(e.Releases, r)
			}
		}
		switch {
		case id == cur:
			e.Status = StatusCurrent
		case len(e.Releases) > 0:
			e.Status = StatusReleased
		case info.Held():
			e.Status = StatusHeld
		default:
			e.Status = StatusCandidate
		}
		out = append(out, e)
	}
	return out, nil
}

// Request asks for a release.
type Request struct {
	Candidate string // the publication to release; "": the newest candidate
	Rollback  string // make this earlier release current again instead
	By, Note  string
}

// Errors of Release.
var (
	ErrNoCandidate = errors.New("no candidate waiting to be released")
	ErrHeld        = errors.New("the newest candidate is held by its checks; name it to release it")
)

// Release makes a publication current as req asks and records it in the
// ledger. Without a name it releases the newest candidate (a publication
// never released, newer than the current release), unless that is held:
// a held candidate is only released by naming it, after a person has
// looked at its warnings. A rollback makes an earlier release current
// again, recorded as a release of its own. The caller holds the warehouse
// lock and has run publish.Clean.
func Release(warehouseDir string, req Request) (publish.Release, error) {
	entries, err := List(warehouseDir)
	if err != nil {
		return publish.Release{}, err
	}
	r := publish.Release{By: req.By, Note: req.Note}
	find := func(id string) *Entry {
		for i := range entries {
			if entries[i].ID == id {
				return &entries[i]
			}
		}
		return nil
	}
	switch {
	case req.Rollback != "":
		e := find(req.Rollback)
		if e == nil || len(e.Releases) == 0 {
			return r, fmt.Errorf("releases: rollback to %s: not an earlier release (see integstat releases)", req.Rollback)
		}
		if e.Status == StatusCurrent {
			return r, fmt.Errorf("releases: rollback to %s: it is the current release", req.Rollback)
		}
		r.ID, r.Rollback = e.ID, true
	case req.Candidate != "":
		e := find(req.Candidate)
		if e == nil {
			return r, fmt.Errorf("releases: %s: no such publication (see integstat releases)", req.Candidate)
		}
		if len(e.Releases) > 0 {
			return r, fmt.Errorf("releases: %s was released before; use --rollback to make it current again", req.Candidate)
		}
		r.ID = e.ID
	default:
		e := newestCandidate(entries)
		if e == nil {
			return r, fmt.Errorf("releases: %w", ErrNoCandidate)
		}
		if e.Held() {
			return r, fmt.Errorf("releases: %w: %s (%s)", ErrHeld, e.ID, strings.Join(e.Warnings, "; "))
		}
		r.ID = e.ID
	}
	if err := publish.MakeCurrent(warehouseDir, r); err != nil {
		return r, err
	}
	return r, nil
}

// newestCandidate is the newest publication never released that is newer
// than every release, or nil.
func newestCandidate(entries []Entry) *Entry {
	for i := len(entries) - 1; i >= 0; i-- {
		if len(entries[i].Releases) > 0 || entries[i].Status == StatusCurrent {
			return nil
		}
		return &entries[i]
	}
	return nil
}

// Waiting is the newest candidate waiting for release, held or not, or nil.
func Waiting(warehouseDir string) (*Entry, error) {
	entries, err := List(warehouseDir)
	if err != nil {
		return nil, err
	}
	return newestCandidate(entries), nil
}

// At is the id of the release that was current at t, or "" if none was.
func At(warehouseDir string, t time.Time) (string, error) {
	rs, err := publish.Releases(warehouseDir)
	if err != nil {
		return "", err
	}
	if r := publish.CurrentAt(rs, t); r != nil {
		return r.ID, nil
	}
	return "", nil
}

// SortedSources lists the sources of states in order.
func SortedSources(states map[string]string) []string {
	keys := make([]string, 0, len(states))
	for k := range states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return slices.Clip(keys)
}
