package intruder

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strings"
)

// Load reads everything a publication shows that the attack uses, from
// publisert.duckdb (db): the catalogue, every row of indikator_historikk
// (all data states), indikator (the newest state of each indicator) and
// indikator_dagens_inndeling. Rows with status '.' (a figure that cannot
// be stated, such as a sum over a split kommune) publish no number and hide
// none, so they are left out.
func Load(ctx context.Context, db *sql.DB) ([]Row, map[string]Def, error) {
	cat := map[string]Def{}
	rs, err := db.QueryContext(ctx, `SELECT indikator, kilde, type, CAST(om_personer AS VARCHAR), CAST(additiv AS VARCHAR) FROM indikator_katalog`)
	if err != nil {
		return nil, nil, fmt.Errorf("intruder: catalogue: %w", err)
	}
	for rs.Next() {
		var ind, src, kind, pers, add string
		if err := rs.Scan(&ind, &src, &kind, &pers, &add); err != nil {
			rs.Close()
			return nil, nil, fmt.Errorf("intruder: catalogue: %w", err)
		}
		cat[ind] = Def{Source: src, Kind: Kind(kind), Persons: yes(pers), Additive: yes(add)}
	}
	rs.Close()
	queries := []string{
		`SELECT CAST(data_per AS VARCHAR), indikator, aar, niva, region, status = ':', verdi, teller, nevner, NULL
		 FROM indikator_historikk WHERE status <> '.'`,
		`SELECT CAST((SELECT max(h.data_per) FROM indikator_historikk h WHERE h.indikator = i.indikator) AS VARCHAR),
		        indikator, aar, niva, region, status = ':', verdi, teller, nevner, NULL
		 FROM indikator i WHERE status <> '.'`,
		`SELECT CAST(data_per AS VARCHAR), indikator, aar, 'dagens', region, status = ':', verdi, teller, nevner, koder
		 FROM indikator_dagens_inndeling WHERE status <> '.'`,
	}
	var rows []Row
	for _, q := range queries {
		rs, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, nil, fmt.Errorf("intruder: %w", err)
		}
		for rs.Next() {
			var r Row
			var v sql.NullFloat64
			var t, n sql.NullInt64
			var koder sql.NullString
			if err := rs.Scan(&r.State, &r.Indicator, &r.Year, &r.Level, &r.Region, &r.Suppressed, &v, &t, &n, &koder); err != nil {
				rs.Close()
				return nil, nil, fmt.Errorf("intruder: %w", err)
			}
			if v.Valid {
				r.Verdi = new(big.Rat).SetFloat64(v.Float64)
			}
			if t.Valid {
				r.Teller = big.NewRat(t.Int64, 1)
			}
			if n.Valid {
				r.Nevner = big.NewRat(n.Int64, 1)
			}
			if koder.Valid {
				r.SumOf = strings.Split(koder.String, ",")
			}
			rows = append(rows, r)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, nil, fmt.Errorf("intruder: %w", err)
		}
	}
	return rows, cat, nil
}

func yes(s string) bool { return s == "true" || s == "J" }
