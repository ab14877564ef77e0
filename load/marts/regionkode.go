package marts

import (
	"database/sql/driver"
	"slices"
	"strings"
	"time"

	"integstat/extract/reference"
)

// regionKode is one row of region_kode: a region code of any year of the
// reference data, with its names, validity, the codes before and after it
// and where its territory lies today.
type regionKode struct {
	niva, code, name string
	names, forms     []string
	from, to         time.Time // to zero: in today's list
	fylke            string
	preds, succs     []string
	today, earlier   []string
}

// values is r as a row of ref_region_kode.
func (r regionKode) values() []driver.Value {
	var to, fylke any
	if !r.to.IsZero() {
		to = r.to
	}
	if r.fylke != "" {
		fylke = r.fylke
	}
	return []driver.Value{r.niva, r.code, r.name, r.names, r.forms, r.from, to, fylke, r.preds, r.succs, r.today, r.earlier}
}

// regionKodeRows returns the rows of ref_region_kode: the nation, every fylke
// and every kommune code the reference data has, 2013 to today's list.
func regionKodeRows(ref *reference.Data) [][]driver.Value {
	newest := ref.Newest()
	kommuner, byCode := collectCodes(ref.Kommuner, "kommune", func(k reference.Kommune) (string, string, string, time.Time, time.Time) {
		return k.Code, k.Name, k.Fylke, k.From, k.To
	})
	for _, r := range kommuner {
		for _, c := range ref.ChangesTo(r.code) {
			r.preds = appendNew(r.preds, c.Old)
		}
		for _, c := range ref.ChangesFrom(r.code) {
			r.succs = appendNew(r.succs, c.New)
		}
		if r.to.IsZero() {
			r.today = []string{r.code}
		} else if last, ok := ref.LastDay(r.code); ok {
			r.today = ref.CodeAt(r.code, last, newest)
		}
	}
	linkEarlier(kommuner, byCode)

	// Fylker: their territory is that of their kommuner; a fylke ends in
	// another where a kommune change on the day the one ended or the other
	// began leads from one to the other.
	fylker, fylkeBy := collectCodes(ref.Fylker, "fylke", func(f reference.Fylke) (string, string, string, time.Time, time.Time) {
		return f.Code, f.Name, "", f.From, f.To
	})
	fylkeOf := func(code string, on time.Time) string {
		if k, ok := ref.KommuneOn(code, on); ok {
			return k.Fylke
		}
		return ""
	}
	for _, c := range ref.Changes {
		from, to := fylkeBy[fylkeOf(c.Old, c.From.AddDate(0, 0, -1))], fylkeBy[fylkeOf(c.New, c.From)]
		if from == nil || to == nil || from == to || !(from.to.Equal(c.From) || to.from.Equal(c.From)) {
			continue
		}
		from.succs = appendNew(from.succs, to.code)
		to.preds = appendNew(to.preds, from.code)
	}
	for _, f := range fylker {
		if f.to.IsZero() {
			f.today = []string{f.code}
			continue
		}
		for _, k := range ref.Kommuner {
			if k.Fylke != f.code {
				continue
			}
			last := k.To.AddDate(0, 0, -1)
			if k.To.IsZero() {
				last = newest
			}
			for _, c := range ref.CodeAt(k.Code, last, newest) {
				f.today = appendNew(f.today, fylkeOf(c, newest))
			}
		}
		slices.Sort(f.today)
	}
	linkEarlier(fylker, fylkeBy)

	first := newest
	for _, k := range kommuner {
		if k.from.Before(first) {
			first = k.from
		}
	}
	rows := [][]driver.Value{regionKode{niva: "land", code: "0", name: "Norge", names: []string{"Norge"},
		forms: []string{"Norge"}, from: first, today: []string{"0"}}.values()}
	for _, r := range append(fylker, kommuner...) {
		slices.Sort(r.preds)
		slices.Sort(r.succs)
		rows = append(rows, r.values())
	}
	return rows
}

// collectCodes gathers the validity intervals of a reference list by code,
// in the list's order: a code's first interval gives its start, its last its
// end, name and fylke (parent, for a kommune).
func collectCodes[T any](list []T, niva string, fields func(T) (code, name, parent string, from, to time.Time)) ([]*regionKode, map[string]*regionKode) {
	var out []*regionKode
	byCode := map[string]*regionKode{}
	for _, x := range list {
		code, name, parent, from, to := fields(x)
		r := byCode[code]
		if r == nil {
			r = &regionKode{niva: niva, code: code, from: from}
			byCode[code] = r
			out = append(out, r)
		}
		r.name, r.to, r.fylke = name, to, parent
		r.addName(name)
	}
	return out, byCode
}

// addName records name, and each of its language forms, as names of r.
func (r *regionKode) addName(name string) {
	r.names = appendNew(r.names, name)
	r.forms = appendNew(r.forms, name)
	for _, part := range strings.Split(name, " - ") {
		r.forms = appendNew(r.forms, strings.TrimSpace(part))
	}
}

// linkEarlier gives each region in use today the codes, other than its own,
// whose territory today lies at least partly in it.
func linkEarlier(regions []*regionKode, byCode map[string]*regionKode) {
	for _, r := range regions {
		for _, t := range r.today {
			if to := byCode[t]; to != nil && to != r {
				to.earlier = appendNew(to.earlier, r.code)
			}
		}
	}
	for _, r := range regions {
		slices.Sort(r.earlier)
	}
}

// appendNew appends v to s unless s holds it.
func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
