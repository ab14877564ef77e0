package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"integstat/internal/peak"
	"integstat/load/marts"
	"integstat/load/protect"
	"integstat/load/releases"
	"integstat/pipeline"
)

func init() {
	register(command{
		name:    "run",
		summary: "the main job: ingest pending deliveries, compute the new data states, test, protect and publish the marts",
		run:     runRun,
	})
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) (rerr error) {
	fs := newFlagSet("run", stderr)
	in := addIngestFlags(fs)
	whDir := fs.String("warehouse", "", "warehouse `directory` (made if absent)")
	wait := fs.Bool("wait", false, "wait for the warehouse lock held by another process (a scheduled job) instead of refusing")
	asOf := fs.String("as-of", "", "publish the figures as known at the end of this `date` (YYYY-MM-DD); default: the newest")
	threshold := fs.Int("threshold", 4, "suppress counts of persons from 1 to `n` below national level")
	minDen := fs.Int("min-denominator", 10, "suppress shares and means over fewer than `n` persons below national level")
	minWidth := fs.Int("min-width", protect.DefaultMinWidth, "the least `width` of the range a reader can narrow a suppressed count down to from everything published")
	keep := fs.Int("keep", 5, "keep the newest `n` publications")
	memory := fs.String("memory", "2GB", "DuckDB memory `limit` for the build (it spills to disk beyond it)")
	release := fs.String("release", "auto", "when the verified candidate becomes current: `auto` (at once unless held), manual (integstat release) or calendar (the schedule's release calendar)")
	hold := addHoldFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := applyConfig(fs, *in.config); err != nil {
		return err
	}
	if *whDir == "" {
		return fmt.Errorf("%w: --warehouse is required", errUsage)
	}
	mode, err := releases.ParseMode(*release)
	if err != nil {
		return fmt.Errorf("%w: --release: %v", errUsage, err)
	}
	var day time.Time
	if *asOf != "" {
		if day, err = time.Parse(time.DateOnly, *asOf); err != nil {
			return fmt.Errorf("%w: --as-of %q is not a date YYYY-MM-DD", errUsage, *asOf)
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	wh, closeWh, err := openLocked(ctx, *whDir, "integstat run", *wait)
	if err != nil {
		return err
	}
	defer closeWh()
	start := time.Now()
	opt := pipeline.RunOptions{Ingest: pipeline.IngestOptions{Warehouse: wh, Log: log}}
	if in.any() {
		if opt, _, err = in.options(wh, log); err != nil {
			return err
		}
	}
	opt.Build = &marts.Options{AsOf: day, Keep: *keep, Memory: *memory, Release: mode, Hold: *hold,
		Protect: protect.Options{Threshold: *threshold, MinDenominator: *minDen, MinWidth: *minWidth}}
	var bstart time.Time
	printIngest := func(sum *pipeline.IngestSummary) {
		fmt.Fprintf(stdout, "run:       %d deliveries loaded, %d skipped, %d rejected, %d refused; %d rows read, %d quarantined (%.1f s)\n",
			sum.Loaded, sum.Skipped, sum.Rejected, sum.Refused, sum.Rows, sum.Quarantined, time.Since(start).Seconds())
	}
	printed := false
	opt.Stage = func(s pipeline.Stage, sofar *pipeline.RunResult) {
		switch s {
		case pipeline.StageIngest:
			fmt.Fprintf(stdout, "run: [1/3] ingest\n")
		case pipeline.StageBuild:
			if sofar.Ingest != nil {
				printIngest(sofar.Ingest)
				printed = true
			}
			bstart = time.Now()
			fmt.Fprintf(stdout, "run: [2/3] data states and [3/3] publication\n")
		}
	}
	run, err := pipeline.Run(ctx, opt)
	if run.Ingest != nil && !printed {
		printIngest(run.Ingest) // the ingest failed: no build began
	}
	res := run.Build
	if res != nil {
		for _, st := range res.States {
			fmt.Fprintf(stdout, "run:       state %-9s %s: %7d figures, %5d suppressed (%.1f s)\n",
				st.Source, st.Date.Format(time.DateOnly), st.Rows, st.Suppressed, st.Duration.Seconds())
		}
		for _, t := range res.Tests {
			if !t.Passed() {
				fmt.Fprintf(stdout, "run:       data test FAILED %s (%s): %d rows\n", t.Test.Name, t.Test.Path, t.Failing)
			}
		}
	}
	// A refused delivery (an id loaded before with other content) is
	// reported and makes the run fail, after the marts are built from what
	// is loaded.
	if err != nil && !(errors.Is(err, pipeline.ErrRefused) && res != nil) {
		return err // a failed data test is named in err, with its count only
	}
	refused := err
	defer func() {
		if refused != nil && rerr == nil {
			rerr = refused
		}
	}()
	if res.Unchanged {
		fmt.Fprintf(stdout, "run: nothing new; the newest publication is %s (%s; build %.1f s)\n", res.Publication, res.Outcome(), time.Since(bstart).Seconds())
		return nil
	}
	asOfText := "newest state"
	if !day.IsZero() {
		asOfText = "as of " + day.Format(time.DateOnly)
	}
	fmt.Fprintf(stdout, "run: candidate %s (%s, data to %s): %d figures, %d data states computed, %d data tests passed (build %.1f s)\n",
		res.Publication, asOfText, res.AsOf.Format(time.DateOnly), res.Figures, len(res.States), len(res.Tests), time.Since(bstart).Seconds())
	printReleaseOutcome(stdout, res, mode)
	if res.Previous != "" {
		d, err := releases.Between(ctx, wh.Dir, res.Previous, res.Publication)
		if err == nil {
			err = d.Write(stdout, "text")
		}
		if err != nil {
			fmt.Fprintf(stdout, "run: no diff against %s: %v\n", res.Previous, err)
		}
	}
	fmt.Fprintf(stdout, "run: marts in %s; total %.1f s, peak memory %.0f MiB\n", wh.Marts(), time.Since(start).Seconds(), peak.MiB(peak.RSS()))
	return nil
}

// printReleaseOutcome says whether the candidate went live and, if not,
// what makes it go live.
func printReleaseOutcome(w io.Writer, res *marts.Result, mode releases.Mode) {
	switch {
	case res.Released:
		fmt.Fprintf(w, "run: released %s: it is current\n", res.Publication)
	case len(res.Held) > 0:
		fmt.Fprintf(w, "run: candidate %s is HELD by %d warnings; look at integstat diff, then release it with integstat release %s\n", res.Publication, len(res.Held), res.Publication)
		for _, h := range res.Held {
			fmt.Fprintf(w, "run:       warning: %s\n", h)
		}
	case mode == releases.Calendar:
		fmt.Fprintf(w, "run: candidate %s waits for the next release of the calendar (integstat schedule --list)\n", res.Publication)
	default:
		fmt.Fprintf(w, "run: candidate %s waits; release it with integstat release\n", res.Publication)
	}
}

// addHoldFlags defines the flags of the checks that hold a candidate.
func addHoldFlags(fs *flag.FlagSet) *marts.HoldRules {
	d := marts.DefaultHoldRules
	r := &marts.HoldRules{}
	fs.Float64Var(&r.ChangeShare, "hold-change-share", d.ChangeShare, "hold a candidate in which a kommune figure moves by more than this `share` of the released one …")
	fs.Int64Var(&r.ChangePersons, "hold-change-persons", d.ChangePersons, "… and by at least `n` persons")
	fs.Float64Var(&r.DropShare, "hold-drop-share", d.DropShare, "hold a candidate resting on a delivery whose rows drop by more than this `share` against the source's previous delivery")
	fs.Float64Var(&r.QuarantineShare, "hold-quarantine-share", d.QuarantineShare, "hold a candidate resting on a delivery that quarantined more than this `share` of its rows")
	return r
}
