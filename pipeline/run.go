package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"integstat/extract/tolkdb"
	"integstat/load/marts"
	"integstat/load/warehouse"
)

// RunOptions configures a run: what to ingest and whether to build. The
// commands `integstat run` and `integstat ingest` and the scheduler's job
// kinds all describe their work with it, so a run means the same wherever
// it starts.
type RunOptions struct {
	// Ingest says where deliveries come from: IngestOptions.Inbox for
	// file deliveries (limited to IngestOptions.Sources when set), and
	// TolkDSN for a read of the interpreter register. Neither: no ingest.
	Ingest   IngestOptions
	TolkDSN  string
	TolkFull bool // read the whole interpreter register, not only the changes

	// Build, when set, computes the new data states, tests, protects and
	// publishes the marts (releasing the candidate as Build.Release says)
	// after the ingest, and records the build in the ledger. Its
	// Warehouse and Log default to the ingest's.
	Build *marts.Options

	// Stage, when set, is told as each stage begins, with what the run
	// did so far (the ingest's counts when the build begins), for progress
	// lines.
	Stage func(Stage, *RunResult)
}

// Stage names a stage of a run.
type Stage string

// The stages of a run, in order.
const (
	StageIngest Stage = "ingest"
	StageBuild  Stage = "build"
)

// RunResult says what a run did.
type RunResult struct {
	Ingest *IngestSummary // nil when nothing was ingested
	Build  *marts.Result  // nil when no build ran or it failed early; its Outcome is the ledger's
}

// Run does one run: ingest, then build, record and release. A delivery
// refused at ingest (its id loaded before with other content) does not
// stop the build of what is loaded; the run then returns ErrRefused after
// the build. Any other ingest error stops the run before the build, and a
// failed build is recorded in the ledger with its reason and returned; in
// both cases the published marts are those of before.
func Run(ctx context.Context, opt RunOptions) (*RunResult, error) {
	start := time.Now()
	res := &RunResult{}
	var refused error
	if opt.Ingest.Inbox != "" || opt.TolkDSN != "" {
		opt.stage(StageIngest, res)
		sum, err := ingestAll(ctx, opt)
		res.Ingest = sum
		switch {
		case errors.Is(err, ErrRefused):
			refused = err
		case err != nil:
			if opt.Build != nil {
				// The ledger shows why nothing was published.
				rec := warehouse.Build{Started: start, AsOf: opt.Build.AsOf}
				err = record(ctx, opt.Ingest.Warehouse, rec, nil, err)
			}
			return res, err
		}
	}
	if opt.Build != nil {
		opt.stage(StageBuild, res)
		b := *opt.Build
		if b.Warehouse == nil {
			b.Warehouse = opt.Ingest.Warehouse
		}
		if b.Log == nil {
			b.Log = opt.Ingest.Log
		}
		built, err := build(ctx, b)
		res.Build = built
		if err != nil {
			return res, err
		}
	}
	return res, refused
}

func (opt RunOptions) stage(s Stage, sofar *RunResult) {
	if opt.Stage != nil {
		opt.Stage(s, sofar)
	}
}

// ingestAll loads the pending file deliveries and, with a DSN, a read of
// the interpreter register, summing their counts.
func ingestAll(ctx context.Context, opt RunOptions) (*IngestSummary, error) {
	sum := &IngestSummary{}
	var err error
	if opt.Ingest.Inbox != "" {
		if sum, err = Ingest(ctx, opt.Ingest); sum == nil {
			return nil, err
		}
	}
	if err == nil && opt.TolkDSN != "" {
		src, serr := tolkdb.New(opt.TolkDSN, tolkdb.Options{Full: opt.TolkFull, Logger: opt.Ingest.Log})
		if serr != nil {
			return sum, serr
		}
		dbOpt := opt.Ingest
		dbOpt.Sources = nil
		db, derr := IngestDB(ctx, dbOpt, src)
		if db != nil {
			sum.add(db)
		}
		err = derr
	}
	return sum, err
}

// add counts o's work into s.
func (s *IngestSummary) add(o *IngestSummary) {
	s.Loaded += o.Loaded
	s.Skipped += o.Skipped
	s.Rejected += o.Rejected
	s.Refused += o.Refused
	s.Rows += o.Rows
	s.Quarantined += o.Quarantined
}

// build builds the marts and records the build in the ledger, whatever
// its outcome.
func build(ctx context.Context, opt marts.Options) (*marts.Result, error) {
	rec := warehouse.Build{Started: time.Now(), AsOf: opt.AsOf}
	res, err := marts.Build(ctx, opt)
	return res, record(ctx, opt.Warehouse, rec, res, err)
}

// record completes rec with what a build did (res, nil when it did not
// run or failed early) or why it failed (err), adds it to the ledger and
// returns err, joined with the ledger's error if it could not be written.
func record(ctx context.Context, wh *warehouse.Warehouse, rec warehouse.Build, res *marts.Result, err error) error {
	if res != nil {
		for _, st := range res.States {
			rec.States++
			rec.Rows += st.Rows
		}
		rec.Publication = res.Publication
	}
	rec.Finished = time.Now()
	if err != nil {
		rec.Outcome, rec.Detail = warehouse.BuildFailed, err.Error()
	} else {
		rec.Outcome = res.Outcome()
	}
	if rerr := wh.RecordBuild(context.WithoutCancel(ctx), rec); rerr != nil {
		return errors.Join(err, fmt.Errorf("recording the build: %w", rerr))
	}
	return err
}
