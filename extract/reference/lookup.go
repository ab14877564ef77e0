package reference

import (
	"cmp"
	"slices"
	"time"
)

// index holds the rows of Data by code, so that the per-record lookups
// (ValidOn on every row of a large delivery) do not scan every list.
type index struct {
	kommuner  map[string][]Kommune
	fylker    map[string][]Fylke
	changes   map[string][]Change // by Old
	changesTo map[string][]Change // by New
}

// index returns the index of d, building it on first use.
func (d *Data) index() *index {
	d.once.Do(func() {
		d.idx.kommuner = make(map[string][]Kommune)
		for _, k := range d.Kommuner {
			d.idx.kommuner[k.Code] = append(d.idx.kommuner[k.Code], k)
		}
		d.idx.fylker = make(map[string][]Fylke)
		for _, f := range d.Fylker {
			d.idx.fylker[f.Code] = append(d.idx.fylker[f.Code], f)
		}
		d.idx.changes = make(map[string][]Change)
		d.idx.changesTo = make(map[string][]Change)
		for _, c := range d.Changes {
			d.idx.changes[c.Old] = append(d.idx.changes[c.Old], c)
			d.idx.changesTo[c.New] = append(d.idx.changesTo[c.New], c)
		}
	})
	return &d.idx
}

// day returns the calendar date of t, in t's own location, as midnight UTC,
// the form in which the reference dates are parsed.
func day(t time.Time) time.Time {
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// validOn reports whether day t lies in [from, to), a zero to being open.
func validOn(from, to, t time.Time) bool {
	return !t.Before(from) && (to.IsZero() || t.Before(to))
}

// validOn reports whether k is valid on day t.
func (k Kommune) validOn(t time.Time) bool { return validOn(k.From, k.To, t) }

// validOn reports whether f is valid on day t.
func (f Fylke) validOn(t time.Time) bool { return validOn(f.From, f.To, t) }

// firstOn returns the first of rows valid on the date of t.
func firstOn[T interface{ validOn(time.Time) bool }](rows []T, t time.Time) (T, bool) {
	t = day(t)
	for _, r := range rows {
		if r.validOn(t) {
			return r, true
		}
	}
	var zero T
	return zero, false
}

// KommunerOn returns the kommuner valid on the date of t, sorted by code.
// For a date after the newest list it returns the codes still valid in it.
func (d *Data) KommunerOn(t time.Time) []Kommune {
	t = day(t)
	var out []Kommune
	for _, k := range d.Kommuner {
		if k.validOn(t) {
			out = append(out, k)
		}
	}
	slices.SortStableFunc(out, func(a, b Kommune) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// KommuneOn returns kommune code as it was on the date of t (its name and
// fylke then), and whether the code was valid on that date.
func (d *Data) KommuneOn(code string, t time.Time) (Kommune, bool) {
	return firstOn(d.index().kommuner[code], t)
}

// FylkeOn returns fylke code as it was on the date of t, and whether the code
// was valid on that date.
func (d *Data) FylkeOn(code string, t time.Time) (Fylke, bool) {
	return firstOn(d.index().fylker[code], t)
}

// ValidOn reports whether kommune code was valid on the date of t.
func (d *Data) ValidOn(code string, t time.Time) bool {
	_, ok := d.KommuneOn(code, t)
	return ok
}

// CodeAt returns the code or codes that kommune code, valid on the date of
// from, had become by the date of at, sorted: it follows the Changes that take
// effect after from and on or before at, transitively (0720 in 2016 became 0710
// in 2017 and 3804 in 2020). A split gives several codes; a code with no
// change gives itself, as does any code when at is not after from. It returns
// nil if code was not valid on from.
func (d *Data) CodeAt(code string, from, at time.Time) []string {
	from, at = day(from), day(at)
	if !d.ValidOn(code, from) {
		return nil
	}
	changes := d.index().changes
	// since is the date from which code is known to exist: a change applies
	// to it only if it takes effect after that date. The dates strictly
	// increase along a path, so the walk ends.
	type state struct {
		code  string
		since time.Time
	}
	var out []string
	todo := []state{{code, from}}
	for len(todo) > 0 {
		s := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		next := nextChanges(changes[s.code], s.since, at)
		if len(next) == 0 {
			out = append(out, s.code)
			continue
		}
		for _, c := range next {
			todo = append(todo, state{c.New, c.From})
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// nextChanges returns those of cs that take effect first after since and on
// or before at: the next step in a code's history (several for a split).
func nextChanges(cs []Change, since, at time.Time) []Change {
	var next []Change
	for _, c := range cs {
		if !c.From.After(since) || c.From.After(at) {
			continue
		}
		switch {
		case len(next) == 0 || c.From.Equal(next[0].From):
			next = append(next, c)
		case c.From.Before(next[0].From):
			next = append(next[:0], c)
		}
	}
	return next
}

// Newest returns the first day of the newest list: the latest date on which
// a kommune or fylke code, name or county came into force or a change took
// effect. Today's structure is the list in force from that day on; nothing
// assumes which year that is.
func (d *Data) Newest() time.Time {
	var newest time.Time
	for _, k := range d.Kommuner {
		newest = later(newest, k.From, k.To)
	}
	for _, f := range d.Fylker {
		newest = later(newest, f.From, f.To)
	}
	for _, c := range d.Changes {
		newest = later(newest, c.From)
	}
	return newest
}

// later returns the latest of ts.
func later(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}

// LastDay returns the last day on which kommune code was valid (Newest or
// later, the day itself, when it is still in use), and false for a code the
// lists never had.
func (d *Data) LastDay(code string) (time.Time, bool) {
	rows := d.index().kommuner[code]
	if len(rows) == 0 {
		return time.Time{}, false
	}
	var last time.Time
	for _, k := range rows {
		if k.To.IsZero() {
			return later(d.Newest(), k.From), true
		}
		last = later(last, k.To.AddDate(0, 0, -1))
	}
	return last, true
}

// ChangesFrom returns the changes that took kommune code away (mergers,
// splits, renumbering), oldest first.
func (d *Data) ChangesFrom(code string) []Change {
	return sortedChanges(d.index().changes[code])
}

// ChangesTo returns the changes that led to kommune code, oldest first.
func (d *Data) ChangesTo(code string) []Change {
	return sortedChanges(d.index().changesTo[code])
}

// sortedChanges returns a copy of cs by date, then old and new code.
func sortedChanges(cs []Change) []Change {
	out := slices.Clone(cs)
	slices.SortFunc(out, func(a, b Change) int {
		return cmp.Or(a.From.Compare(b.From), cmp.Compare(a.Old, b.Old), cmp.Compare(a.New, b.New))
	})
	return out
}
