package releases

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the DuckDB driver for database/sql

	"integstat/load/publish"
)

// Change is one published figure that differs between two publications.
// It comes from the published marts only, so a suppressed figure has no
// value in it: a cell newly suppressed or newly shown is named, never its
// hidden value.
type Change struct {
	Kind       string   `json:"kind"` // changed, suppressed, shown, status (only the status changed), added, gone, year_added, year_gone
	Indicator  string   `json:"indikator"`
	Year       int      `json:"aar"`
	Level      string   `json:"niva"`
	Region     string   `json:"region"`
	RegionName string   `json:"region_navn"`
	From       *float64 `json:"fra"` // nil where suppressed or absent
	To         *float64 `json:"til"`
	FromCount  *int64   `json:"fra_teller"` // the persons (count or numerator) where published
	ToCount    *int64   `json:"til_teller"`
	Final      bool     `json:"endelig"` // preliminary before, final now
}

// Abs is the absolute change of a changed value, 0 otherwise.
func (c Change) Abs() float64 {
	if c.From == nil || c.To == nil {
		return 0
	}
	return math.Abs(*c.To - *c.From)
}

// Rel is the relative change of a changed value (Inf from zero), 0 otherwise.
func (c Change) Rel() float64 {
	if c.From == nil || c.To == nil {
		return 0
	}
	if *c.From == 0 {
		return math.Inf(1)
	}
	return math.Abs(*c.To-*c.From) / math.Abs(*c.From)
}

// Persons is how many persons the change moves (the count or numerator),
// 0 where either side is not published.
func (c Change) Persons() int64 {
	if c.FromCount == nil || c.ToCount == nil {
		return 0
	}
	d := *c.ToCount - *c.FromCount
	if d < 0 {
		d = -d
	}
	return d
}

// Diff is what changes from one publication to another.
type Diff struct {
	From, To string
	Changes  []Change
	Warnings []string // the checks on the change that hold the candidate
}

// Compare reads the current figures (table indikator) of two published
// marts and lists every cell that differs.
func Compare(ctx context.Context, fromFile, toFile string) ([]Change, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("releases: diff: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("releases: diff: %w", err)
	}
	defer conn.Close()
	for alias, f := range map[string]string{"fra": fromFile, "til": toFile} {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("ATTACH '%s' AS %s (READ_ONLY)", strings.ReplaceAll(f, "'", "''"), alias)); err != nil {
			return nil, fmt.Errorf("releases: diff: %w", err)
		}
	}
	rows, err := conn.QueryContext(ctx, `
		WITH j AS (
			SELECT coalesce(t.indikator, f.indikator) AS indikator, coalesce(t.aar, f.aar) AS aar,
			       coalesce(t.niva, f.niva) AS niva, coalesce(t.region, f.region) AS region,
			       coalesce(t.region_navn, f.region_navn) AS region_navn,
			       f.verdi AS fv, t.verdi AS tv, f.teller AS ft, t.teller AS tt,
			       f.status AS fs, t.status AS ts, f.indikator IS NULL AS added, t.indikator IS NULL AS gone
			FROM fra.indikator f FULL JOIN til.indikator t
			  ON f.indikator = t.indikator AND f.aar = t.aar AND f.niva = t.niva AND f.region = t.region)
		SELECT CASE
		         WHEN added THEN 'added'
		         WHEN gone THEN 'gone'
		         WHEN ts = ':' AND fs <> ':' THEN 'suppressed'
		         WHEN fs = ':' AND ts <> ':' THEN 'shown'
		         WHEN fv IS DISTINCT FROM tv THEN 'changed'
		         ELSE 'status' END AS kind,
		       indikator, aar, niva, region, region_navn,
		       CASE WHEN fs = ':' THEN NULL ELSE fv END, CASE WHEN ts = ':' THEN NULL ELSE tv END,
		       CASE WHEN fs = ':' THEN NULL ELSE ft END, CASE WHEN ts = ':' THEN NULL ELSE tt END,
		       coalesce(fs = 'p' AND ts = '', false)
		FROM j
		WHERE added OR gone OR fs IS DISTINCT FROM ts OR fv IS DISTINCT FROM tv
		ORDER BY indikator, niva, aar, region`)
	if err != nil {
		return nil, fmt.Errorf("releases: diff: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Kind, &c.Indicator, &c.Year, &c.Level, &c.Region, &c.RegionName, &c.From, &c.To, &c.FromCount, &c.ToCount, &c.Final); err != nil {
			return nil, fmt.Errorf("releases: diff: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("releases: diff: %w", err)
	}
	years, err := conn.QueryContext(ctx, `
		WITH f AS (SELECT DISTINCT indikator, niva, aar FROM fra.indikator),
		     t AS (SELECT DISTINCT indikator, niva, aar FROM til.indikator)
		SELECT CASE WHEN f.aar IS NULL THEN 'year_added' ELSE 'year_gone' END,
		       coalesce(t.indikator, f.indikator), coalesce(t.aar, f.aar), coalesce(t.niva, f.niva)
		FROM f FULL JOIN t USING (indikator, niva, aar)
		WHERE f.aar IS NULL OR t.aar IS NULL
		ORDER BY 2, 4, 3`)
	if err != nil {
		return nil, fmt.Errorf("releases: diff: %w", err)
	}
	defer years.Close()
	for years.Next() {
		var c Change
		if err := years.Scan(&c.Kind, &c.Indicator, &c.Year, &c.Level); err != nil {
			return nil, fmt.Errorf("releases: diff: %w", err)
		}
		out = append(out, c)
	}
	return out, years.Err()
}

// Summary is what changes in one indicator at one level.
type Summary struct {
	Indicator  string   `json:"indikator"`
	Level      string   `json:"niva"`
	Counts     Counts   `json:"antall"`
	YearsAdded []int    `json:"aar_lagt_til"`
	YearsGone  []int    `json:"aar_borte"`
	Largest    []Change `json:"storste_endringer"` // by absolute change, then by relative change
}

// Counts counts the changes of a Summary by kind.
type Counts struct {
	Changed    int `json:"endret"`
	Suppressed int `json:"nylig_skjult"`
	Shown      int `json:"nylig_vist"`
	Final      int `json:"foreløpig_til_endelig"`
	Added      int `json:"lagt_til"`
	Gone       int `json:"borte"`
}

// largest is how many of the largest changes a Summary names, by each measure.
const largest = 3

// Summarise groups changes per indicator and level.
func Summarise(changes []Change) []Summary {
	type key struct{ ind, lvl string }
	by := map[key]*Summary{}
	var keys []key
	for _, c := range changes {
		k := key{c.Indicator, c.Level}
		s := by[k]
		if s == nil {
			s = &Summary{Indicator: c.Indicator, Level: c.Level}
			by[k] = s
			keys = append(keys, k)
		}
		if c.Final {
			s.Counts.Final++
		}
		switch c.Kind {
		case "changed":
			s.Counts.Changed++
		case "suppressed":
			s.Counts.Suppressed++
		case "shown":
			s.Counts.Shown++
		case "added":
			s.Counts.Added++
		case "gone":
			s.Counts.Gone++
		case "year_added":
			s.YearsAdded = append(s.YearsAdded, c.Year)
		case "year_gone":
			s.YearsGone = append(s.YearsGone, c.Year)
		}
	}
	var out []Summary
	for _, k := range keys {
		s := by[k]
		var ch []Change
		for _, c := range changes {
			if c.Indicator == k.ind && c.Level == k.lvl && c.Kind == "changed" {
				ch = append(ch, c)
			}
		}
		sort.SliceStable(ch, func(i, j int) bool { return ch[i].Abs() > ch[j].Abs() })
		s.Largest = append(s.Largest, ch[:min(largest, len(ch))]...)
		rest := ch[min(largest, len(ch)):]
		sort.SliceStable(rest, func(i, j int) bool { return rest[i].Rel() > rest[j].Rel() })
		s.Largest = append(s.Largest, rest[:min(largest, len(rest))]...)
		out = append(out, *s)
	}
	return out
}

// Write writes d as readable text, or as csv (one line per changed cell)
// or json (the summaries and warnings).
func (d Diff) Write(w io.Writer, format string) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"kind", "indikator", "aar", "niva", "region", "region_navn", "fra", "til", "endelig"})
		for _, c := range d.Changes {
			cw.Write([]string{c.Kind, c.Indicator, strconv.Itoa(c.Year), c.Level, c.Region, c.RegionName, num(c.From), num(c.To), strconv.FormatBool(c.Final)})
		}
		cw.Flush()
		return cw.Error()
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			From     string    `json:"fra"`
			To       string    `json:"til"`
			Warnings []string  `json:"advarsler"`
			Summary  []Summary `json:"endringer"`
		}{d.From, d.To, nonNil(d.Warnings), nonNil(Summarise(d.Changes))})
	case "", "text":
	default:
		return fmt.Errorf("releases: diff: format %q is not text, csv or json", format)
	}
	fmt.Fprintf(w, "What changes from %s to %s\n", d.From, d.To)
	for _, h := range d.Warnings {
		fmt.Fprintf(w, "  WARNING (holds the candidate): %s\n", h)
	}
	sums := Summarise(d.Changes)
	if len(sums) == 0 {
		fmt.Fprintln(w, "  no published figure changes")
		return nil
	}
	for _, s := range sums {
		var parts []string
		for _, p := range []struct {
			n    int
			what string
		}{{s.Counts.Changed, "changed"}, {s.Counts.Final, "preliminary → final"}, {s.Counts.Suppressed, "newly suppressed"},
			{s.Counts.Shown, "newly shown"}, {s.Counts.Added, "added"}, {s.Counts.Gone, "gone"}} {
			if p.n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
			}
		}
		if len(s.YearsAdded) > 0 {
			parts = append(parts, fmt.Sprintf("years added %v", s.YearsAdded))
		}
		if len(s.YearsGone) > 0 {
			parts = append(parts, fmt.Sprintf("years gone %v", s.YearsGone))
		}
		fmt.Fprintf(w, "  %s (%s): %s\n", s.Indicator, s.Level, strings.Join(parts, ", "))
		for _, c := range s.Largest {
			rel := "new from 0"
			if r := c.Rel(); !math.IsInf(r, 1) {
				rel = fmt.Sprintf("%+.1f %%", 100*(*c.To-*c.From)/math.Abs(*c.From))
			}
			fmt.Fprintf(w, "      %d %s %s: %s → %s (%s)\n", c.Year, c.Region, c.RegionName, num(c.From), num(c.To), rel)
		}
	}
	return nil
}

// num writes a published value, or "" for none.
func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', 6, 64)
}

// nonNil makes a nil slice an empty one, so JSON shows [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Between compares two publications of a warehouse. from defaults to the
// current release, to to the newest candidate waiting for release.
func Between(ctx context.Context, warehouseDir, from, to string) (Diff, error) {
	if from == "" {
		cur, err := publish.Current(warehouseDir)
		if err != nil {
			return Diff{}, err
		}
		if cur == "" {
			return Diff{}, fmt.Errorf("releases: diff: nothing released yet; name the publications to compare")
		}
		from = cur
	}
	if to == "" {
		w, err := Waiting(warehouseDir)
		if err != nil {
			return Diff{}, err
		}
		if w == nil {
			return Diff{}, fmt.Errorf("releases: diff: %w; name the publications to compare", ErrNoCandidate)
		}
		to = w.ID
	}
	d := Diff{From: from, To: to}
	for _, id := range []string{from, to} {
		if _, err := os.Stat(filepath.Join(publish.Dir(warehouseDir, id), publish.PublishedFile)); err != nil {
			return d, fmt.Errorf("releases: diff: publication %s: %w", id, err)
		}
	}
	info, err := ReadInfo(warehouseDir, to)
	if err != nil {
		return d, err
	}
	d.Warnings = info.Warnings
	d.Changes, err = Compare(ctx, filepath.Join(publish.Dir(warehouseDir, from), publish.PublishedFile), filepath.Join(publish.Dir(warehouseDir, to), publish.PublishedFile))
	return d, err
}
