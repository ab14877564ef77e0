package marts

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"integstat/load/protect"
)

// queryer runs queries: *sql.DB and *sql.Conn.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type figKey struct {
	ind, level, region string
	year               int
	day                time.Time
}

// AttackPublished attacks a published mart: for every data state and year
// of its indikator_historikk it takes what is published (status ':' is
// suppressed) and the true values from the analysis mart's
// indikator_historikk (analysis), and returns the suppressed figures that
// leak (protect.AttackWith with the default options: derived exactly, or
// narrowed by integer reasoning below the required width) from the
// published ones through the regional
// hierarchy, the catalogue's category relations and the links between
// indicators (a share's nevner is the count it is over, complements). A protected
// publication yields none; figures only the unsuppressed national figures
// give away are returned apart (see Attack).
func AttackPublished(ctx context.Context, published, analysis queryer, cat []Indicator) (derivable, unavoidable []Figure, err error) {
	return AttackPublishedWith(ctx, published, analysis, cat, protect.Options{})
}

// AttackPublishedWith is AttackPublished with the protection options the
// publication was built with: which cells the primary rules suppress, and
// how wide their ranges must stay (protect.Options.MinWidth).
func AttackPublishedWith(ctx context.Context, published, analysis queryer, cat []Indicator, opt protect.Options) (derivable, unavoidable []Figure, err error) {
	q := `SELECT indikator, aar, niva, region, data_per, coalesce(verdi, 0), teller, nevner, status FROM indikator_historikk`
	source := map[string]string{}
	for _, c := range cat {
		source[c.ID] = c.Source
	}
	suppressed := map[figKey]bool{}
	if err := scanFigures(ctx, published, q, func(k figKey, f Figure, status string) {
		suppressed[k] = status == ":"
	}); err != nil {
		return nil, nil, fmt.Errorf("marts: attack: published: %w", err)
	}
	type group struct {
		source string
		day    time.Time
	}
	states := map[group][]Figure{}
	if err := scanFigures(ctx, analysis, q, func(k figKey, f Figure, _ string) {
		s, ok := suppressed[k]
		if !ok {
			return
		}
		f.Protected = s
		g := group{source[f.Indicator], k.day}
		states[g] = append(states[g], f)
	}); err != nil {
		return nil, nil, fmt.Errorf("marts: attack: analysis: %w", err)
	}
	for _, figs := range states {
		d, u := Attack(figs, cat, opt)
		derivable = append(derivable, d...)
		unavoidable = append(unavoidable, u...)
	}
	sums, err := TodaySumLeaks(ctx, published)
	if err != nil {
		return nil, nil, err
	}
	return append(derivable, sums...), unavoidable, nil
}

// todaySumLeaks finds the published sums of today's structure that give
// a suppressed figure away: a sum (indikator_dagens_inndeling) is the sum
// of the kommune figures of its year's codes (koder) in the same data
// state, so a sum shown while one of its parts is suppressed reveals that
// part, or the sum of the suppressed parts, by subtraction.
const todaySumLeaks = `
SELECT DISTINCT d.indikator, d.aar, d.niva, d.region, d.data_per,
       CAST(0 AS DOUBLE), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), d.status
FROM indikator_dagens_inndeling d,
     unnest(string_split(d.koder, ',')) AS k(kode)
JOIN indikator_historikk h
  ON h.indikator = d.indikator AND h.aar = d.aar AND h.data_per = d.data_per
 AND h.niva = 'kommune' AND h.region = k.kode
WHERE d.status NOT IN (':', '.') AND h.status = ':'
ORDER BY ALL`

// TodaySumLeaks checks today's structure in a published mart: a sum of
// today's kommune is in the model as the sum of its parts, and such a sum
// can undo a suppression only when it is published while a part is
// suppressed (a published sum of published parts adds nothing; a
// suppressed sum is one more unknown in its one equation). It returns the
// sums that are (none: the builder suppresses a sum with a suppressed
// part).
func TodaySumLeaks(ctx context.Context, published queryer) ([]Figure, error) {
	var out []Figure
	if err := scanFigures(ctx, published, todaySumLeaks, func(_ figKey, f Figure, _ string) {
		out = append(out, f)
	}); err != nil {
		return nil, fmt.Errorf("marts: attack: today's structure: %w", err)
	}
	return out, nil
}

func scanFigures(ctx context.Context, db queryer, q string, fn func(figKey, Figure, string)) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f Figure
		var day time.Time
		var t, n sql.NullInt64
		var status string
		if err := rows.Scan(&f.Indicator, &f.Year, &f.Level, &f.Region, &day, &f.Value, &t, &n, &status); err != nil {
			return err
		}
		if t.Valid {
			f.Teller = &t.Int64
		}
		if n.Valid {
			f.Nevner = &n.Int64
		}
		fn(figKey{f.Indicator, f.Level, f.Region, f.Year, day}, f, status)
	}
	return rows.Err()
}
