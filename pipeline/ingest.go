// Package pipeline orchestrates a run: the stages from the inbox to the
// marts, and what they record in the warehouse.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/extract/files"
	"integstat/extract/reference"
	"integstat/load/warehouse"
	"integstat/transform/pseudo"
	"integstat/transform/store"
	"integstat/transform/validate"
)

// IngestOptions configures the ingest stage.
type IngestOptions struct {
	Inbox          string
	Warehouse      *warehouse.Warehouse
	Key            *pseudo.Key
	AllowSynthetic bool // accept synthetic identity numbers (demo and tests)
	Log            *slog.Logger
	// Sources limits the run to the deliveries of these sources (nir,
	// bosetting, tolk), for jobs scheduled per source; empty means all.
	Sources []string
}

// IngestSummary counts what a run of the ingest stage did.
type IngestSummary struct {
	Loaded, Skipped, Rejected, Refused int
	Rows, Quarantined                  int64
}

// newIngester readies the loading of deliveries into opt.Warehouse: its
// identity map (or a new one) and the reference data.
func newIngester(opt IngestOptions) (*ingester, error) {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := cleanTemp(opt.Warehouse); err != nil {
		return nil, err
	}
	path := opt.Warehouse.IdentityMap()
	ids := pseudo.NewIdentityMap()
	if _, err := os.Stat(path); err == nil {
		if ids, err = pseudo.LoadIdentityMap(path); err != nil {
			return nil, err
		}
	}
	return &ingester{opt: opt, ref: reference.MustLoad(), ids: ids, mapPath: path, log: log}, nil
}

// cleanTemp removes what a run that crashed left under temporary names
// (Parquet parts, quarantine files): nothing of it is visible as output,
// and the deliveries it belonged to are not in the ledger, so they load
// again. It assumes no other run is writing (the warehouse lock's job).
func cleanTemp(wh *warehouse.Warehouse) error {
	if _, err := store.CleanTemp(wh.Parquet()); err != nil {
		return err
	}
	if err := validate.CleanSpills(wh.Restricted()); err != nil {
		return err
	}
	return filepath.WalkDir(wh.Quarantine(), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if n := d.Name(); strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp-") {
			return os.Remove(p)
		}
		return nil
	})
}

// ingestMemoryLimit is the soft limit of the Go heap while Ingest runs
// (unless GOMEMLIMIT sets one): the stage's peak memory stays under 1 GiB
// whatever the scale.
const ingestMemoryLimit = 768 << 20

// ingestGCPercent is the GOGC of an ingest under ingestMemoryLimit.
const ingestGCPercent = 200

// ErrRefused reports deliveries refused because their id was loaded before
// with other content.
var ErrRefused = errors.New("deliveries refused")

// Ingest loads every pending delivery of the inbox: it verifies each whole,
// validates every row (bad rows to quarantine, with file, line, column and
// reason), links identity numbers to persons, pseudonymises, and writes one
// Parquet partition per delivery and table. A delivery is recorded in the
// ledger only after all its files are in place, so a crash at any point
// leaves it to be loaded again, over its own partial files.
func Ingest(ctx context.Context, opt IngestOptions) (*IngestSummary, error) {
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		// No GOMEMLIMIT: keep the heap under ingestMemoryLimit, which the
		// ingest's live memory (a few hundred MB at scale 100) leaves room
		// for, instead of letting it grow to twice the live heap.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(ingestMemoryLimit))
		// Under that limit the collector may let the heap grow to three
		// times the live heap: the rows stream through short-lived
		// buffers, and collecting them a third as often saves several per
		// cent of the ingest's time. The limit still bounds the heap.
		if os.Getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(ingestGCPercent))
		}
	}
	in, err := newIngester(opt)
	if err != nil {
		return nil, err
	}
	wh, log := opt.Warehouse, in.log
	plan, err := files.Plan(opt.Inbox, wh)
	if err != nil {
		return nil, err
	}
	sum := &IngestSummary{}
	for _, d := range plan {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		if len(opt.Sources) > 0 && !slices.Contains(opt.Sources, d.Source) {
			continue
		}
		switch d.Action {
		case files.Skip:
			sum.Skipped++
			log.Info("delivery already loaded, skipped", "source", d.Source, "delivery", d.ID)
			if err := wh.Event(ctx, d.Source, d.ID, d.Action.String(), "loaded before with the same content"); err != nil {
				return sum, err
			}
		case files.Reject:
			sum.Rejected++
			log.Error("delivery rejected, nothing loaded; it stays in the inbox", "source", d.Source, "delivery", d.ID, "reason", d.Err)
			if err := wh.Event(ctx, d.Source, d.ID, d.Action.String(), d.Err.Error()); err != nil {
				return sum, err
			}
		case files.Refuse:
			sum.Refused++
			log.Error("delivery refused", "source", d.Source, "delivery", d.ID, "reason", d.Err)
			if err := wh.Event(ctx, d.Source, d.ID, d.Action.String(), d.Err.Error()); err != nil {
				return sum, err
			}
		case files.Load:
			start := time.Now()
			rec, err := in.load(ctx, d)
			if err != nil {
				return sum, fmt.Errorf("%s/%s: %w", d.Source, d.ID, err)
			}
			sum.Loaded++
			var read, q int64
			for _, t := range rec.Tables {
				read += t.Read
				q += t.Quarantine
			}
			sum.Rows += read
			sum.Quarantined += q
			log.Info("delivery loaded", "source", d.Source, "delivery", d.ID, "late", d.Late,
				"rows", read, "quarantined", q, "seconds", time.Since(start).Seconds())
		}
	}
	if sum.Refused > 0 {
		return sum, fmt.Errorf("%w: %d delivery id(s) loaded before with other content", ErrRefused, sum.Refused)
	}
	return sum, nil
}

// rowSource yields the records of one table of a delivery.
type rowSource func(tb *contract.Table, fn files.RowFunc) error

// fileRows reads the tables of a delivery directory; unknown extra columns
// are logged and ignored.
func (in *ingester) fileRows(d files.Decision) rowSource {
	return func(tb *contract.Table, fn files.RowFunc) error {
		extra, err := files.EachRow(d.Dir, tb, fn)
		if len(extra) > 0 {
			in.log.Warn("unknown extra columns ignored", "source", d.Source, "delivery", d.ID, "file", tb.File, "columns", extra)
		}
		return err
	}
}

type ingester struct {
	opt     IngestOptions
	ref     *reference.Data
	ids     *pseudo.IdentityMap
	mapPath string
	log     *slog.Logger
	// incremental marks the deliveries this ingester loads as changes
	// since the previous one (database reads), not full snapshots.
	incremental bool
}

// load loads one verified delivery and records it.
func (in *ingester) load(ctx context.Context, d files.Decision) (warehouse.DeliveryLoad, error) {
	return in.loadFromDir(ctx, d, in.fileRows(d), d.Dir)
}

// loadFrom loads the tables of one delivery of d.Source from rows and
// records the delivery.
func (in *ingester) loadFrom(ctx context.Context, d files.Decision, rows rowSource) (warehouse.DeliveryLoad, error) {
	return in.loadFromDir(ctx, d, rows, "")
}

// loadFromDir is loadFrom; with dir set, the CSV files in dir are read in
// parallel chunks instead of through rows.
func (in *ingester) loadFromDir(ctx context.Context, d files.Decision, rows rowSource, dir string) (warehouse.DeliveryLoad, error) {
	rec := warehouse.DeliveryLoad{Source: d.Source, ID: d.ID, Digest: d.Digest, KeyID: in.opt.Key.ID(), Extracted: d.Extracted, Late: d.Late, Incremental: in.incremental}
	vopt := validate.Options{AllowSynthetic: in.opt.AllowSynthetic}
	// First the links between numbers (a D-number and the fødselsnummer
	// that replaced it, a DUF number and an identity number), so that every
	// row of the delivery gets the person key of the whole person. A row
	// links only if the row check accepts its form and key, so its
	// duplicates are found first (validate.Table.Duplicates).
	var known []int64 // the duplicates of the list of persons
	if tb, ok := contract.PersonsOf(d.Source); ok {
		v := validate.New(tb, in.ref, d.Extracted, vopt)
		dups, err := v.Duplicates(in.opt.Warehouse.Restricted(), manifestRows(d, tb), func(fn files.RowFunc) error { return rows(tb, fn) })
		if err != nil {
			return rec, err
		}
		known = dups
		person, other := tb.NumberColumns()
		err = rows(tb, func(line int64, values []string, raw string, rowErr *delivery.RowError) error {
			if rowErr != nil || v.CheckForm(values) != nil {
				return nil
			}
			if _, dup := slices.BinarySearch(dups, line); dup {
				return nil
			}
			b := ""
			if other >= 0 {
				b = values[other]
			}
			return in.ids.Link(values[person], b)
		})
		if err != nil {
			return rec, err
		}
	}
	if err := in.ids.Save(in.mapPath); err != nil {
		return rec, err
	}
	if err := in.opt.Warehouse.WriteMerges(in.ids.Merges(in.opt.Key)); err != nil {
		return rec, err
	}
	persons := &validate.PersonSet{}
	for _, tb := range contract.OfSource(d.Source) {
		var dups []int64
		if tb.Persons {
			persons.Grow(int(manifestRows(d, tb)) * 9 / 8)
			dups = known
		}
		start := time.Now()
		tl, err := in.loadTable(ctx, d, tb, vopt, persons, rows, dir, dups)
		if err != nil {
			return rec, fmt.Errorf("%s: %w", tb.File, err)
		}
		in.log.Debug("table loaded", "source", d.Source, "delivery", d.ID, "file", tb.File,
			"rows", tl.Read, "quarantined", tl.Quarantine, "seconds", time.Since(start).Seconds())
		persons.Freeze() // the next tables' workers share it
		rec.Tables = append(rec.Tables, tl)
	}
	return rec, in.opt.Warehouse.Record(ctx, rec)
}
