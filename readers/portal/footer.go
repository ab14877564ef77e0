package portal

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"integstat/extract/delivery"
	"integstat/load/warehouse"
)

// footer is what every page says at its foot of how current the figures are:
// each source's newest data state and whether its next delivery is overdue,
// and the next announced release. It depends on the clock, so the server
// works it out again on every reload tick and drops the snapshot's cached
// answers when it changes.
type footer struct {
	Sources     []sourceFreshness
	NextRelease string // the next release of the calendar, Europe/Oslo; "" when none is announced
}

// sourceFreshness is one source at the foot of a page.
type sourceFreshness struct {
	Source  string
	Newest  string // the date of its newest data state in the publication
	Overdue bool   // no delivery within its cadence since that state
}

// loadStates reads the newest data state of each source from tilstand.
func (s *snapshot) loadStates(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT kilde, max(data_per) FROM tilstand GROUP BY kilde ORDER BY kilde`)
	if err != nil {
		return err
	}
	defer rows.Close()
	s.states = map[string]time.Time{}
	for rows.Next() {
		var src string
		var d time.Time
		if err := rows.Scan(&src, &d); err != nil {
			return err
		}
		s.states[src] = d
	}
	return rows.Err()
}

// footerAt works out the footer of snap at now. A source is overdue when its
// newest state is older than its cadence (Options.Cadence, else
// warehouse.DefaultCadence): the portal shows what the publication rests on,
// not the warehouse's ledger, which it never opens.
func (s *Server) footerAt(snap *snapshot, now time.Time) *footer {
	cadence := s.opt.Cadence
	if cadence == nil {
		cadence = warehouse.DefaultCadence
	}
	f := &footer{}
	var sources []string
	for src := range cadence {
		sources = append(sources, src)
	}
	slices.Sort(sources)
	for _, src := range sources {
		d, ok := snap.states[src]
		sf := sourceFreshness{Source: src, Overdue: !ok || now.Sub(d.AddDate(0, 0, 1)) > cadence[src]}
		if ok {
			sf.Newest = d.Format(time.DateOnly)
		}
		f.Sources = append(f.Sources, sf)
	}
	if s.opt.NextRelease != nil {
		if n := s.opt.NextRelease(now); !n.IsZero() {
			f.NextRelease = n.In(delivery.Oslo).Format("2006-01-02 15:04")
		}
	}
	return f
}

// refreshFooter sets the footer of snap for now and, when it changed, drops
// the answers cached with the old one.
func (s *Server) refreshFooter(snap *snapshot, now time.Time) {
	f := s.footerAt(snap, now)
	if old := snap.footer.Load(); old != nil && slices.Equal(old.Sources, f.Sources) && old.NextRelease == f.NextRelease {
		return
	}
	snap.footer.Store(f)
	snap.cache.reset()
}

// sourceLabels name the sources for readers.
var sourceLabels = map[string]text{
	"nir":       {"introduksjonsprogram og opplæring (NIR)", "introduction programme and training (NIR)"},
	"bosetting": {"bosetting", "settlement"},
	"tolk":      {"tolkeregisteret", "interpreter register"},
}

// Label names the source in language l.
func (f sourceFreshness) Label(l lang) string {
	if t, ok := sourceLabels[f.Source]; ok {
		return t.in(l)
	}
	return f.Source
}
