package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"integstat/demo"
	"integstat/demo/calibration"
	"integstat/extract/reference"
)

func init() {
	register(command{
		name:    "figures",
		summary: "compute the published national figures straight from an inbox and compare with IMDi's",
		run:     runFigures,
	})
}

func runFigures(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("figures", stderr)
	inbox := fs.String("inbox", "", "inbox `directory` of deliveries (<inbox>/<source>/<delivery_id>/)")
	key := fs.String("answer-key", "", "a demo set's answer key `file`: leave out the rows and deliveries it names as bad first")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *inbox == "" {
		return fmt.Errorf("%w: --inbox is required", errUsage)
	}
	if *key != "" {
		tmp, err := os.MkdirTemp("", "integstat-figures-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := demo.StripFaults(*inbox, *key, tmp); err != nil {
			return err
		}
		*inbox = tmp
	}
	figs, rerr := calibration.Reproduce(ctx, *inbox, nil) // on an error, the figures before it
	fmt.Fprintf(stdout, "%-38s %4s %-10s %10s %12s  %s\n", "indicator", "year", "as of", "published", "computed", "")
	bad := 0
	for _, f := range figs {
		mark := "ok"
		if !f.OK() {
			mark = "DIFFERS"
			bad++
		}
		asOf := "newest"
		if !f.AsOf.IsZero() {
			asOf = f.AsOf.Format("2006-01-02")
		}
		shown := f.Computed.Value
		if f.Kind == reference.KindPercent {
			shown *= 100
		}
		fmt.Fprintf(stdout, "%-38s %4d %-10s %10g %12.3f  %s\n", f.Indicator, f.Year, asOf, f.Value, shown, mark)
	}
	if rerr != nil {
		return rerr
	}
	fmt.Fprintf(stdout, "\n%d of %d published figures reproduced\n", len(figs)-bad, len(figs))
	if bad > 0 {
		return fmt.Errorf("%d published figures not reproduced", bad)
	}
	return nil
}
