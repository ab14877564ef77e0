// Package demo generates the demo registers: synthetic deliveries of the
// three sources (NIR, settlement, interpreters), in exactly the format of
// ../shared/spec/sources.md, calibrated so that the indicators of
// indicators.md reproduce the figures IMDi published for 2014–2017. The real
// registers hold personal data we never have in development; these stand in
// for them in the demo, the tests and the benchmarks.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"integstat/extract/contract"
	"integstat/extract/delivery"
)

// Options says what to generate.
type Options struct {
	Out     string  // output directory: inbox/, answer-key/ and redrop/ are made in it
	Seed    uint64  // the same seed gives byte-identical deliveries
	Scale   float64 // 1 reproduces the published figures; 10 and 100 give 10× and 100× the persons
	BadRate float64 // share of rows followed by a planted bad row; 0 plants no faults at all
	// TolkPostgres, when set, also writes the interpreter register into
	// that PostgreSQL database (tables tolk and tolk_sprak, native types).
	TolkPostgres string
	Log          *slog.Logger
}

// DefaultBadRate is the rate of planted faults in the demo set.
const DefaultBadRate = 0.0005

// Summary tells what was written.
type Summary struct {
	Deliveries []DeliverySummary
	Replicas   int
	Faults     int
	Duration   time.Duration
}

// DeliverySummary counts the rows of one delivery's files.
type DeliverySummary struct {
	Source, ID string
	Rows       map[string]int64
}

// schedule lists the deliveries of the demo set: a snapshot of every source
// at 23:00 on 31 December 2013–2017, and of NIR also at 23:00 on the last
// day of February 2015–2018.
func schedule() []struct {
	source string
	at     time.Time
} {
	var out []struct {
		source string
		at     time.Time
	}
	add := func(src string, y int, m time.Month, d int) {
		out = append(out, struct {
			source string
			at     time.Time
		}{src, time.Date(y, m, d, 23, 0, 0, 0, delivery.Oslo)})
	}
	for y := 2013; y <= 2017; y++ {
		for _, s := range contract.Sources {
			add(s, y, time.December, 31)
		}
	}
	for y := 2015; y <= 2018; y++ {
		add("nir", y, time.March, 0) // day 0 of March: the last day of February
	}
	// The corrupt delivery: a settlement snapshot at midsummer 2015 whose
	// manifest will not match (planted only when faults are on).
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// Generate writes the demo registers into opt.Out.
func Generate(ctx context.Context, opt Options) (*Summary, error) {
	start := time.Now()
	if opt.Scale <= 0 {
		return nil, errors.New("demo: scale must be positive")
	}
	if opt.BadRate < 0 || opt.BadRate > 0.5 {
		return nil, errors.New("demo: bad rate must be between 0 and 0.5")
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	inbox := filepath.Join(opt.Out, "inbox")
	if _, err := os.Stat(inbox); err == nil {
		return nil, fmt.Errorf("demo: %s already exists; remove it or choose another --out", inbox)
	}
	key := &answerKey{}
	var outs []*deliveryOut
	open := func(src string, at time.Time) error {
		d, err := openDelivery(inbox, src, at, opt, key)
		if err != nil {
			return err
		}
		outs = append(outs, d)
		return nil
	}
	for _, s := range schedule() {
		if err := open(s.source, s.at); err != nil {
			return nil, err
		}
	}
	var corrupt *deliveryOut
	if opt.BadRate > 0 {
		if err := open("bosetting", time.Date(2015, time.June, 30, 23, 0, 0, 0, delivery.Oslo)); err != nil {
			return nil, err
		}
		corrupt = outs[len(outs)-1]
		if err := markExtraColumn(outs, key); err != nil {
			return nil, err
		}
	}

	var pg *tolkDB
	if opt.TolkPostgres != "" {
		var err error
		if pg, err = openTolkDB(ctx, opt.TolkPostgres); err != nil {
			return nil, err
		}
		defer pg.close()
	}
	// Each replica is a population of its own, calibrated to the published
	// figures times factor; memory holds one replica at a time, so it does
	// not grow with the scale.
	reps := int(math.Ceil(opt.Scale - 1e-9))
	factor := opt.Scale / float64(reps)
	ids := newIDAllocator()
	for rep := 0; rep < reps; rep++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		w := newWorld(opt.Seed, uint64(rep), ids)
		m, err := buildModels(w, factor, log)
		if err != nil {
			return nil, err
		}
		for _, d := range outs {
			if err := m.emit(d); err != nil {
				return nil, fmt.Errorf("demo: %s/%s: %w", d.source, d.id, err)
			}
		}
		if pg != nil {
			if err := m.tolk.writePostgres(ctx, pg); err != nil {
				return nil, err
			}
		}
		log.Info("replica written", "replica", rep+1, "of", reps)
	}

	sum := &Summary{Replicas: reps}
	for _, d := range outs {
		ds, err := d.close()
		if err != nil {
			return nil, err
		}
		sum.Deliveries = append(sum.Deliveries, ds)
	}
	if corrupt != nil {
		if err := corruptManifest(corrupt, key); err != nil {
			return nil, err
		}
		if err := redrop(opt.Out, outs, key); err != nil {
			return nil, err
		}
	}
	if err := key.write(filepath.Join(opt.Out, "answer-key")); err != nil {
		return nil, fmt.Errorf("demo: writing answer key: %w", err)
	}
	sum.Faults = len(key.rows)
	if err := os.WriteFile(filepath.Join(opt.Out, ".complete"), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return nil, err
	}
	sum.Duration = time.Since(start)
	return sum, nil
}
