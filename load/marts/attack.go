package marts

import (
	"context"
	"database/sql"
	"fmt"
	"time"
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
// can be derived exactly from the published ones through the regional
// hierarchy, the catalogue's category relations and the links between
// indicators (a share's nevner is the count it is over, complements). A protected
// publication yields none; figures only the unsuppressed national figures
// give away are returned apart (see Attack).
func AttackPublished(ctx context.Context, published, analysis queryer, cat []Indicator) (derivable, unavoidable []Figure, err error) {
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
		d, u := Attack(figs, cat)
		derivable = append(derivable, d...)
		unavoidable = append(unavoidable, u...)
	}
	return derivable, unavoidable, nil
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
