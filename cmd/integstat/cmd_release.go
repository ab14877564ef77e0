package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"integstat/extract/delivery"
	"integstat/load/publish"
	"integstat/load/releases"
)

func init() {
	register(command{
		name:    "release",
		summary: "make the newest (or the named) verified candidate the current publication, or --rollback to an earlier release; recorded in the release ledger",
		run:     runRelease,
	})
	register(command{
		name:    "releases",
		summary: "list the releases and candidates of the marts: built, released, by whom, data state per source, model version, status",
		run:     runReleases,
	})
}

func runRelease(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("release", stderr)
	whDir := fs.String("warehouse", "", "warehouse `directory`")
	by := fs.String("by", "", "who releases (default: the OS user)")
	note := fs.String("note", "", "why, for the ledger")
	rollback := fs.String("rollback", "", "make the earlier release `ID` current again")
	wait := fs.Bool("wait", false, "wait for the warehouse lock held by another process instead of refusing")
	pos, err := parseWithArgs(fs, args, 1)
	if err != nil {
		return err
	}
	if *whDir == "" {
		return fmt.Errorf("%w: --warehouse is required", errUsage)
	}
	req := releases.Request{Rollback: *rollback, By: *by, Note: *note}
	if len(pos) == 1 {
		req.Candidate = pos[0]
	}
	if req.Candidate != "" && req.Rollback != "" {
		return fmt.Errorf("%w: name a candidate or --rollback, not both", errUsage)
	}
	if req.By == "" {
		if u, err := user.Current(); err == nil {
			req.By = u.Username
		}
	}
	_, closeWh, err := openLocked(ctx, *whDir, "integstat release", *wait)
	if err != nil {
		return err
	}
	defer closeWh()
	if err := publish.Clean(*whDir); err != nil {
		return err
	}
	r, err := releases.Release(*whDir, req)
	if err != nil {
		return err
	}
	what := "released"
	if r.Rollback {
		what = "rolled back to"
	}
	fmt.Fprintf(stdout, "release: %s %s at %s by %s; it is current\n", what, r.ID, r.At.Local().Format(time.DateTime), r.By)
	return nil
}

// parseWithArgs parses flags that may come before and after at most max
// positional arguments, which it returns.
func parseWithArgs(fs *flag.FlagSet, args []string, max int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		if len(pos) > max {
			return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
		}
		args = fs.Args()[1:]
	}
}

// releaseRow is one publication as `integstat releases` prints it.
type releaseRow struct {
	ID       string            `json:"id"`
	Status   string            `json:"status"`
	Built    string            `json:"built"`
	Released string            `json:"released"`
	By       string            `json:"by"`
	Note     string            `json:"note"`
	AsOf     string            `json:"as_of"`
	States   map[string]string `json:"states"`
	Version  string            `json:"version"`
	Figures  int64             `json:"figures"`
	Warnings []string          `json:"warnings"`
}

func runReleases(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("releases", stderr)
	whDir := fs.String("warehouse", "", "warehouse `directory`")
	format := fs.String("format", "text", "`text`, csv or json")
	at := fs.String("at", "", "print only the id of the release that was current at the end of this `date` (YYYY-MM-DD, Europe/Oslo)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *whDir == "" {
		return fmt.Errorf("%w: --warehouse is required", errUsage)
	}
	if *at != "" {
		day, err := time.ParseInLocation(time.DateOnly, *at, delivery.Oslo)
		if err != nil {
			return fmt.Errorf("%w: --at %q is not a date YYYY-MM-DD", errUsage, *at)
		}
		id, err := releases.At(*whDir, day.AddDate(0, 0, 1).Add(-time.Nanosecond))
		if err != nil {
			return err
		}
		if id == "" {
			return fmt.Errorf("nothing was released by the end of %s", *at)
		}
		fmt.Fprintln(stdout, id)
		return nil
	}
	entries, err := releases.List(*whDir)
	if err != nil {
		return err
	}
	rows := make([]releaseRow, 0, len(entries))
	for i := len(entries) - 1; i >= 0; i-- { // newest first
		e := entries[i]
		r := releaseRow{ID: e.ID, Status: e.Status, AsOf: e.AsOf, States: e.States, Version: e.Version, Figures: e.Figures, Warnings: e.Warnings}
		if !e.Built.IsZero() {
			r.Built = e.Built.Local().Format(time.DateTime)
		}
		if n := len(e.Releases); n > 0 {
			last := e.Releases[n-1]
			r.Released, r.By, r.Note = last.At.Local().Format(time.DateTime), last.By, last.Note
			if last.Rollback {
				r.Note = strings.TrimSpace("rollback " + r.Note)
			}
		}
		rows = append(rows, r)
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		w := csv.NewWriter(stdout)
		w.Write([]string{"id", "status", "built", "released", "by", "note", "as_of", "states", "version", "figures", "warnings"})
		for _, r := range rows {
			w.Write([]string{r.ID, r.Status, r.Built, r.Released, r.By, r.Note, r.AsOf, statesText(r.States), r.Version,
				fmt.Sprint(r.Figures), strings.Join(r.Warnings, "; ")})
		}
		w.Flush()
		return w.Error()
	case "text":
	default:
		return fmt.Errorf("%w: --format %q is not text, csv or json", errUsage, *format)
	}
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "no publication yet (integstat run makes one)")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tstatus\tbuilt\treleased\tby\tdata states\tmodel version\tnote / warnings")
	for _, r := range rows {
		what := r.Note
		if len(r.Warnings) > 0 {
			what = strings.Join(r.Warnings, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Status, r.Built, dash(r.Released), dash(r.By), statesText(r.States), r.Version, what)
	}
	return tw.Flush()
}

// statesText writes the data state per source as "bosetting=2024-05-31 nir=…".
func statesText(states map[string]string) string {
	var parts []string
	for _, k := range releases.SortedSources(states) {
		parts = append(parts, k+"="+states[k])
	}
	return strings.Join(parts, " ")
}

// dash stands for an empty field in a table.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
