package portal

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"integstat/load/publish"
)

// loadRelease loads publication id and marks its figures revised against
// the release before it, where there is one.
func (s *Server) loadRelease(ctx context.Context, id string) (*snapshot, error) {
	snap, err := loadSnapshot(ctx, martFile(s.opt.Warehouse, id), s.opt.MaxValues)
	if err != nil {
		return nil, err
	}
	rs, err := publish.Releases(s.opt.Warehouse)
	if err != nil {
		return nil, err
	}
	if prev := previousRelease(rs, id); prev != "" {
		if err := snap.markRevisions(ctx, martFile(s.opt.Warehouse, prev)); err != nil {
			return nil, err
		}
	}
	s.refreshFooter(snap, time.Now())
	return snap, nil
}

// previousRelease returns the release that was current just before id was
// first made current, "" if none: the release whose figures id revised.
func previousRelease(rs []publish.Release, id string) string {
	prev := ""
	for _, r := range rs {
		if r.ID == id {
			return prev
		}
		prev = r.ID
	}
	return ""
}

// markRevisions compares the current figures of s with those of the
// published mart at prevPath (the previous release) and says, on each value
// both publish, whether it was revised: a new value or a preliminary figure
// made final. Where either release suppressed the figure nothing is said,
// not even "not revised", which would give a suppressed value away; every
// previous value shown is one that release published.
func (s *snapshot) markRevisions(ctx context.Context, prevPath string) error {
	db, err := sql.Open("duckdb", prevPath+"?access_mode=read_only")
	if err != nil {
		return fmt.Errorf("serve: opening %s: %w", prevPath, err)
	}
	defer db.Close()
	type figure struct {
		verdi  *float64
		status string
	}
	prev := map[[4]string]figure{}
	rows, err := db.QueryContext(ctx, `SELECT indikator, CAST(aar AS VARCHAR), niva, region, verdi, status FROM indikator`)
	if err != nil {
		return fmt.Errorf("serve: %s: indikator: %w", prevPath, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k [4]string
		var f figure
		if err := rows.Scan(&k[0], &k[1], &k[2], &k[3], &f.verdi, &f.status); err != nil {
			return fmt.Errorf("serve: %s: indikator: %w", prevPath, err)
		}
		prev[k] = f
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("serve: %s: indikator: %w", prevPath, err)
	}
	yes, no := true, false
	for i := range s.current.values {
		v := &s.current.values[i]
		p, ok := prev[[4]string{v.Indicator, fmt.Sprint(v.Year), v.Level, v.Region}]
		if !ok || p.verdi == nil || v.Verdi == nil || p.status == ":" || v.Status == ":" {
			continue
		}
		if *p.verdi == *v.Verdi && p.status == v.Status {
			v.Revised = &no
			continue
		}
		v.Revised, v.Previous = &yes, p.verdi
		if p.status != v.Status {
			st := p.status
			v.PreviousStatus = &st
		}
	}
	return nil
}
