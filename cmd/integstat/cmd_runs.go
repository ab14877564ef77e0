package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"integstat/load/releases"
	"integstat/load/warehouse"
)

func init() {
	register(command{
		name:    "runs",
		summary: "show the warehouse's ledger: deliveries loaded (rows read, loaded, quarantined), builds of the marts, scheduled job runs, and deliveries skipped, refused or rejected",
		run:     runRuns,
	})
}

func runRuns(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("runs", stderr)
	whDir := fs.String("warehouse", "", "warehouse `directory`")
	limit := fs.Int("n", 50, "show at most `n` of each (0: all)")
	cadenceFlag := fs.String("cadence", "", "expected delivery `cadence` per source, e.g. nir=31d,bosetting=1d,tolk=7d (those are the defaults)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cadence, err := warehouse.ParseCadence(*cadenceFlag)
	if err != nil {
		return fmt.Errorf("%w: --cadence: %v", errUsage, err)
	}
	if *whDir == "" {
		return fmt.Errorf("%w: --warehouse is required", errUsage)
	}
	wh, err := warehouse.Open(ctx, *whDir)
	if err != nil {
		return err
	}
	defer wh.Close()
	ds, es, err := wh.History(ctx, *limit)
	if err != nil {
		return err
	}
	all, err := wh.Deliveries(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Sources: newest delivery and expected cadence\n%-10s %-26s %-8s %s\n", "source", "newest delivery extracted", "cadence", "")
	for _, f := range warehouse.Fresh(all, cadence, time.Now()) {
		newest, state := "none", "fresh"
		if !f.Newest.IsZero() {
			newest = f.Newest.Local().Format("2006-01-02 15:04:05")
		}
		if f.Overdue {
			state = "OVERDUE"
		}
		fmt.Fprintf(stdout, "%-10s %-26s %-8s %s\n", f.Source, newest, cadenceText(f.Cadence), state)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "Deliveries loaded (newest first)\n%-10s %-16s %-20s %12s %12s %11s %-5s %s\n",
		"source", "delivery", "loaded at", "read", "loaded", "quarantined", "late", "key id")
	for _, d := range ds {
		late := ""
		if d.Late {
			late = "late"
		}
		fmt.Fprintf(stdout, "%-10s %-16s %-20s %12d %12d %11d %-5s %s\n", d.Source, d.ID,
			d.LoadedAt.Local().Format("2006-01-02 15:04:05"), d.Read, d.Loaded, d.Quarantined, late, d.KeyID)
	}
	builds, err := wh.Builds(ctx, *limit)
	if err != nil {
		return err
	}
	newestFirst(stdout, "Builds of the marts", len(builds), "%-20s %8s %-10s %7s %10s %-10s %s\n",
		"started", "seconds", "as of", "states", "figures", "outcome", "publication / reason")
	for _, b := range builds {
		asOf := "newest"
		if !b.AsOf.IsZero() {
			asOf = b.AsOf.Format("2006-01-02")
		}
		what := b.Publication
		if b.Outcome == warehouse.BuildFailed {
			what = b.Detail
		}
		fmt.Fprintf(stdout, "%-20s %8.1f %-10s %7d %10d %-10s %s\n", b.Started.Local().Format("2006-01-02 15:04:05"),
			b.Finished.Sub(b.Started).Seconds(), asOf, b.States, b.Rows, b.Outcome, what)
	}
	if err := writeSuppression(ctx, stdout, wh, builds); err != nil {
		return err
	}
	if err := writeReleaseState(stdout, *whDir); err != nil {
		return err
	}
	jobs, err := wh.JobRuns(ctx, *limit)
	if err != nil {
		return err
	}
	newestFirst(stdout, "Scheduled job runs", len(jobs), "%-20s %8s %-18s %-20s %-16s %8s %12s %11s %s\n",
		"started", "seconds", "job", "reason", "outcome", "attempts", "rows", "quarantined", "detail / error")
	for _, j := range jobs {
		secs := "-"
		if !j.Finished.IsZero() {
			secs = fmt.Sprintf("%.1f", j.Finished.Sub(j.Started).Seconds())
		}
		fmt.Fprintf(stdout, "%-20s %8s %-18s %-20s %-16s %8d %12d %11d %s\n", j.Started.Local().Format("2006-01-02 15:04:05"),
			secs, j.Job, j.Reason, j.Outcome, j.Attempts, j.Rows, j.Quarantined, j.Detail)
	}
	newestFirst(stdout, "Deliveries not loaded", len(es), "")
	for _, e := range es {
		fmt.Fprintf(stdout, "%s  %-9s %s/%s: %s\n", e.At.Local().Format("2006-01-02 15:04:05"), e.Action, e.Source, e.ID, e.Detail)
	}
	// Research extracts (package research): the warehouse's audit log.
	return writeExtracts(ctx, stdout, wh, *limit)
}

// newestFirst starts a section of the report that lists rows newest
// first: a blank line, the title, the columns' names in header (a format
// with the columns as its arguments; none when empty) and "none" when the
// section has no rows.
func newestFirst(w io.Writer, title string, rows int, header string, columns ...any) {
	fmt.Fprintf(w, "\n%s (newest first)\n", title)
	if header != "" {
		fmt.Fprintf(w, header, columns...)
	}
	if rows == 0 {
		fmt.Fprintln(w, "none")
	}
}

// writeExtracts writes the warehouse's audit log of research extracts
// (at most limit): when, project, approval, outcome, rows, spec hash and
// key id, then the registration and the quasi-identifier union k was
// checked against, then each output file's checksum.
func writeExtracts(ctx context.Context, w io.Writer, wh *warehouse.Warehouse, limit int) error {
	es, err := wh.Extracts(ctx, limit)
	if err != nil {
		return err
	}
	newestFirst(w, "Research extracts", len(es), "%-20s %-20s %-20s %-9s %10s %10s %-16s %-16s %s\n",
		"at", "project", "approval", "outcome", "rows", "suppressed", "spec hash", "key id", "data state / reason")
	for _, e := range es {
		what := e.DataState
		if e.Outcome != warehouse.ExtractDelivered {
			what = e.Detail
		}
		fmt.Fprintf(w, "%-20s %-20s %-20s %-9s %10d %10d %-16.16s %-16s %s\n", e.At.Local().Format("2006-01-02 15:04:05"),
			e.Project, e.Approval, e.Outcome, e.Rows, e.Suppressed, e.SpecHash, e.KeyID, what)
		if e.Registration != "" || e.QIUnion != "" {
			fmt.Fprintf(w, "    registration %s; k checked over the project's quasi-identifiers %s\n", e.Registration, e.QIUnion)
		}
		for _, n := range slices.Sorted(maps.Keys(e.Checksums)) {
			fmt.Fprintf(w, "    %s  %s\n", e.Checksums[n], n)
		}
	}
	return nil
}

// writeSuppression shows, for the publication of each build listed
// (once per publication), the share of current figures about persons
// below national level that is suppressed, per source and level: what
// protection costs, and how it moves from build to build.
func writeSuppression(ctx context.Context, w io.Writer, wh *warehouse.Warehouse, builds []warehouse.Build) error {
	var pubs []string
	seen := map[string]bool{}
	for _, b := range builds {
		if b.Publication != "" && b.Outcome != warehouse.BuildFailed && !seen[b.Publication] {
			seen[b.Publication] = true
			pubs = append(pubs, b.Publication)
		}
	}
	sup, err := wh.SuppressionOf(ctx, pubs)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nSuppressed below national level, current figures about persons (dagens: today's structure)\n%-30s %-10s %-8s %9s %10s %9s %9s %7s\n",
		"publication", "source", "level", "rows", "suppressed", "primary", "secondary", "share")
	n := 0
	for _, p := range pubs {
		for _, s := range sup[p] {
			fmt.Fprintf(w, "%-30s %-10s %-8s %9d %10d %9d %9d %6.1f%%\n", p, s.Source, s.Level, s.Rows, s.Suppressed, s.Primary, s.Suppressed-s.Primary, s.Share())
			n++
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "none recorded")
		return nil
	}
	return writeSuppressionByIndicator(ctx, w, wh, pubs[0])
}

// writeSuppressionByIndicator shows, for the newest publication listed,
// the suppressed share of each indicator that has any suppressed, per
// source and level: where protection costs most.
func writeSuppressionByIndicator(ctx context.Context, w io.Writer, wh *warehouse.Warehouse, publication string) error {
	byInd, err := wh.SuppressionByIndicator(ctx, publication)
	if err != nil || len(byInd) == 0 {
		return err
	}
	fmt.Fprintf(w, "\nSuppressed per indicator in %s (indicators with none suppressed left out)\n%-10s %-8s %-28s %9s %10s %9s %9s %7s\n",
		publication, "source", "level", "indicator", "rows", "suppressed", "primary", "secondary", "share")
	for _, s := range byInd {
		if s.Suppressed > 0 {
			fmt.Fprintf(w, "%-10s %-8s %-28s %9d %10d %9d %9d %6.1f%%\n", s.Source, s.Level, s.Indicator, s.Rows, s.Suppressed, s.Primary, s.Suppressed-s.Primary, s.Share())
		}
	}
	return nil
}

// writeReleaseState says which release is current and which candidate
// waits, with the warnings that hold it.
func writeReleaseState(w io.Writer, dir string) error {
	entries, err := releases.List(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nReleases (integstat releases lists them all)\n")
	for _, e := range entries {
		if e.Status == releases.StatusCurrent && len(e.Releases) > 0 {
			r := e.Releases[len(e.Releases)-1]
			fmt.Fprintf(w, "current   %s released %s by %s\n", e.ID, r.At.Local().Format(time.DateTime), dash(r.By))
		}
	}
	waiting, err := releases.Waiting(dir)
	switch {
	case err != nil:
		return err
	case waiting == nil:
		fmt.Fprintln(w, "waiting   none")
	case waiting.Held():
		fmt.Fprintf(w, "waiting   %s HELD (integstat diff shows what changes):\n", waiting.ID)
		for _, h := range waiting.Warnings {
			fmt.Fprintf(w, "          warning: %s\n", h)
		}
	default:
		fmt.Fprintf(w, "waiting   %s\n", waiting.ID)
	}
	return nil
}

// cadenceText writes a cadence in days where it is whole days.
func cadenceText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
