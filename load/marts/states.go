package marts

import (
	"slices"
	"strings"
	"time"

	"integstat/extract/delivery"
	"integstat/load/warehouse"
)

// State is one data state of one source: the source's data as known at
// the end of Date (all its deliveries extracted by then). Its values are
// stored in the history with data_per = Date.
type State struct {
	Source string
	Date   time.Time // the civil date (UTC midnight) whose end the state is taken at
	// Deliveries are the ids the state is read from, oldest first: the
	// newest full snapshot extracted by the end of Date and the incremental
	// deliveries (database reads) after it, up to the end of Date.
	Deliveries []string
}

// Day is the civil date of t in Europe/Oslo, as UTC midnight: deliveries are
// dated where they are extracted.
func Day(t time.Time) time.Time {
	y, m, d := t.In(delivery.Oslo).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// States derives every data state from the loaded deliveries: one per
// source and date on which the source had a delivery extracted. A delivery
// loaded late (older than one loaded before it) makes a state of its own
// date and changes no later state, because later states read newer
// snapshots.
func States(ds []warehouse.DeliveryLoad) []State {
	bySource := map[string][]warehouse.DeliveryLoad{}
	for _, d := range ds {
		bySource[d.Source] = append(bySource[d.Source], d)
	}
	var out []State
	sources := make([]string, 0, len(bySource))
	for s := range bySource {
		sources = append(sources, s)
	}
	slices.Sort(sources)
	for _, s := range sources {
		list := bySource[s]
		slices.SortFunc(list, func(a, b warehouse.DeliveryLoad) int { return strings.Compare(a.ID, b.ID) })
		var days []time.Time
		for _, d := range list {
			if day := Day(d.Extracted); !slices.ContainsFunc(days, day.Equal) {
				days = append(days, day)
			}
		}
		slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
		for _, day := range days {
			st := State{Source: s, Date: day}
			base := -1 // the newest full snapshot by the end of day
			for i, d := range list {
				if !Day(d.Extracted).After(day) && !d.Incremental {
					base = i
				}
			}
			for i, d := range list {
				if i >= base && (base < 0 || i == base || d.Incremental) && !Day(d.Extracted).After(day) {
					st.Deliveries = append(st.Deliveries, d.ID)
				}
			}
			out = append(out, st)
		}
	}
	return out
}

// Newest returns, for each source, its newest state on or before asOf
// (zero: the newest of all).
func Newest(states []State, asOf time.Time) map[string]State {
	out := map[string]State{}
	for _, st := range states {
		if !asOf.IsZero() && st.Date.After(asOf) {
			continue
		}
		if cur, ok := out[st.Source]; !ok || st.Date.After(cur.Date) {
			out[st.Source] = st
		}
	}
	return out
}
