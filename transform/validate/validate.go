// Package validate checks the rows of a delivery against their source
// contract (package contract) and says why a row that breaks it goes to
// quarantine. The ingest stage makes one Table per table of a delivery and
// calls Check for every row, then CheckRefs for the rows that refer to a
// person. README.md lists the rules, the order they run in and every reason.
//
// A Problem never holds the value that broke the contract: the values are
// personal data and quarantine reasons end up in reports and logs.
package validate

import (
	"fmt"
	"math"
	"time"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/extract/reference"
	"integstat/internal/civil"
	"integstat/transform/ident"
)

// Reasons a row is quarantined for. The first six are the kinds of fault the
// demo generator plants and must equal its Fault* texts.
const (
	ReasonIDNumber  = "invalid identity number"
	ReasonCode      = "unknown code"
	ReasonDate      = "unparseable date"
	ReasonKommune   = "kommune not valid on the row's date"
	ReasonRequired  = "required field empty"
	ReasonDuplicate = "duplicate primary key"

	ReasonDUF       = "invalid DUF number"
	ReasonTimestamp = "unparseable timestamp"
	ReasonMonth     = "unparseable month"
	ReasonBool      = "invalid boolean"
	ReasonDecimal   = "invalid decimal"
	ReasonInteger   = "invalid integer"
	ReasonRange     = "integer out of range"
	ReasonCountry   = "invalid country code"
	ReasonLanguage  = "invalid language code"
	ReasonPerson    = "unknown person"
)

// Problem is why a row is quarantined: the column at fault (empty for a
// primary-key problem), one of the Reason constants, and a detail that says
// more without repeating the value.
type Problem struct {
	Column, Reason, Detail string
}

// Error returns "column: reason (detail)", leaving out the empty parts.
func (p *Problem) Error() string {
	s := p.Reason
	if p.Column != "" {
		s = p.Column + ": " + s
	}
	if p.Detail != "" {
		s += " (" + p.Detail + ")"
	}
	return s
}

// Options configures validation.
type Options struct {
	// AllowSynthetic accepts Skatteetaten's synthetic identity numbers
	// (month + 80). Off by default so production data cannot carry test
	// persons; the demo and the tests turn it on.
	AllowSynthetic bool
}

// refStart is the first day the reference municipality lists cover. A row
// dated earlier has its kommune checked against the list of this day, as the
// demo generator does (demo/world.go, refDay): the lists start in 2013 and
// the one change of codes between 2010 and 2013 is not in them.
var refStart = time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)

// Table validates the rows of one table of one delivery. It remembers the
// primary keys it has accepted, so use one Table per table and delivery,
// from one goroutine.
type Table struct {
	t     *contract.Table
	idOpt ident.Options
	json  bool // values come from JSON Lines: booleans are true/false
	// periods holds when each kommune code of ref was valid.
	periods map[string][]period
	// extractedDay and refStartDay are the extraction date and refStart
	// in days since the epoch.
	extractedDay, refStartDay int64
	kommunes                  []int  // indices of the Kommune columns
	kdate                     int    // index of the KommuneDate column, -1 for the extraction date
	kdateWhich                string // names the KommuneDate column's day in a Detail
	// changed is the index of endret_tidspunkt in a table whose kommune
	// codes are checked on the extraction date (a person's residence), or
	// -1: a code valid when the row last changed is accepted too, since a
	// register does not rewrite every residence when kommuner merge.
	changed int
	persons []int // indices of the identity-number columns CheckRefs checks
	keys    keySet
}

// New returns a validator for the rows of table t in a delivery extracted at
// extracted (only its calendar date, in its own location, matters). ref is
// the reference data kommune codes are checked against.
func New(t *contract.Table, ref *reference.Data, extracted time.Time, opt Options) *Table {
	v := &Table{
		t:            t,
		periods:      kommunePeriods(ref),
		idOpt:        ident.Options{AllowSynthetic: opt.AllowSynthetic},
		json:         t.Format == "jsonl",
		extractedDay: epochDay(extracted),
		refStartDay:  epochDay(refStart),
		kdate:        -1,
		changed:      -1,
		keys:         newKeySet(t),
	}
	if t.KommuneDate != "" {
		v.kdate = t.Index(t.KommuneDate)
		v.kdateWhich = "the row's " + t.KommuneDate
	} else if i := t.ColumnOf(contract.ChangedAt); i >= 0 {
		v.changed = i
	}
	for i, c := range t.Cols {
		if c.Type == contract.Kommune {
			v.kommunes = append(v.kommunes, i)
		}
		if c.Type == contract.IDNumber && refersToPersoner(t) {
			v.persons = append(v.persons, i)
		}
	}
	return v
}

// CheckForm runs the checks of a row's own values: every column's form,
// column by column in contract order, then every kommune code on the row's
// date; it returns nil or the first problem found. JSON Lines booleans may
// come as "true"/"false" or as the CSV dialect's "J"/"N". The whole row
// check, with the key and the references, is a Reading's. CheckForm,
// KeyHash and CheckRefs only read the Table, so many goroutines may call
// them at once.
func (v *Table) CheckForm(values []string) *Problem {
	if len(values) != len(v.t.Cols) {
		panic(fmt.Sprintf("validate: %s has %d columns, got %d values", v.t.File, len(v.t.Cols), len(values)))
	}
	for i := range v.t.Cols {
		if p := v.checkColumn(&v.t.Cols[i], values[i]); p != nil {
			return p
		}
	}
	return v.checkKommunes(values)
}

// checkKommunes checks the row's kommune codes on its date; the columns
// have passed their form checks.
func (v *Table) checkKommunes(values []string) *Problem {
	if len(v.kommunes) > 0 {
		day, which := v.kommuneDay(values)
		for _, i := range v.kommunes {
			if p := v.checkKommune(v.t.Cols[i].Name, values[i], day, which); p != nil {
				if v.validWhenChanged(values, values[i]) {
					continue
				}
				if v.changed >= 0 && p.Detail == "no such code on "+which {
					p.Detail += " nor on the day the row last changed"
				}
				return p
			}
		}
	}
	return nil
}

// Checker runs CheckForm for one goroutine and remembers the last row that
// passed. Rows next to each other mostly repeat values (a person's rows
// share the number, often the kommune and the month), and a value that
// passed in the same column of the previous row passes again: its check is
// skipped. Likewise the kommune codes when they and the columns that set
// their day are unchanged. The answers are CheckForm's.
type Checker struct {
	v    *Table
	last []string // the last row that passed
	ok   bool     // last holds a row
	day  []int    // the columns the kommune check reads: codes and dates
	out  parsedRow
}

// Checker returns a new Checker of the Table.
func (v *Table) Checker() *Checker {
	c := &Checker{v: v, last: make([]string, len(v.t.Cols)),
		out: parsedRow{Parsed: delivery.NewParsed(len(v.t.Cols)), clock: civil.NewClock(delivery.Oslo)}}
	c.day = append(c.day, v.kommunes...)
	for _, i := range []int{v.kdate, v.changed} {
		if i >= 0 {
			c.day = append(c.day, i)
		}
	}
	return c
}

// CheckForm is Table.CheckForm.
func (c *Checker) CheckForm(values []string) *Problem {
	v := c.v
	if len(values) != len(v.t.Cols) {
		panic(fmt.Sprintf("validate: %s has %d columns, got %d values", v.t.File, len(v.t.Cols), len(values)))
	}
	for i := range v.t.Cols {
		if c.ok && values[i] == c.last[i] {
			continue // and its typed value is the last row's
		}
		if p := v.parseColumn(&v.t.Cols[i], values[i], &c.out, i); p != nil {
			c.ok = false // the typed values are no longer all the last row's
			return p
		}
	}
	same := c.ok
	for _, i := range c.day {
		same = same && values[i] == c.last[i]
	}
	if !same {
		if p := v.checkKommunes(values); p != nil {
			c.ok = false
			return p
		}
	}
	copy(c.last, values)
	c.ok = true
	return nil
}

// Parsed returns the typed values of the last row CheckForm passed, by
// contract column: its dates and months as day numbers, timestamps as
// microseconds (UTC, read as Oslo time), decimals and integers. The Checker
// reuses it for the next row.
func (c *Checker) Parsed() *delivery.Parsed { return c.out.Parsed }

// KeyHash returns the 128-bit hash of the row's primary key under the
// Table's seeds (the zero hash for a table without a key), the form in
// which Check remembers keys.
func (v *Table) KeyHash(values []string) [2]uint64 { return v.keys.hash(values) }

// HasKey reports whether the table has a primary key to check.
func (v *Table) HasKey() bool { return len(v.keys.cols) > 0 }

// Duplicate is the Problem of a row whose primary key an earlier accepted
// row of the delivery had.
func (v *Table) Duplicate() *Problem {
	return &Problem{Reason: ReasonDuplicate, Detail: v.keys.detail}
}

// checkColumn checks one value against its column's own form.
func (v *Table) checkColumn(c *contract.Column, s string) *Problem {
	return v.parseColumn(c, s, nil, 0)
}

// parsedRow is where parseColumn puts typed values: a Checker's.
type parsedRow struct {
	*delivery.Parsed
	clock *civil.Clock // reads timestamps as Oslo time
}

// parseColumn is checkColumn that, when out is not nil, also puts the
// typed value of a date, month, timestamp (read as Oslo time), decimal or
// integer into column i of out, marking it had or not.
func (v *Table) parseColumn(c *contract.Column, s string, out *parsedRow, i int) *Problem {
	if out != nil {
		out.Has[i] = false
	}
	if s == "" {
		if c.Required {
			return &Problem{Column: c.Name, Reason: ReasonRequired}
		}
		return nil
	}
	bad := func(reason, detail string) *Problem {
		return &Problem{Column: c.Name, Reason: reason, Detail: detail}
	}
	switch c.Type {
	case contract.IDNumber:
		if err := ident.Validate(s, v.idOpt); err != nil {
			return bad(ReasonIDNumber, err.Error())
		}
	case contract.DUF:
		if err := ident.ValidDUF(s); err != nil {
			return bad(ReasonDUF, err.Error())
		}
	case contract.Code:
		for _, code := range c.Codes {
			if s == code {
				return nil
			}
		}
		return bad(ReasonCode, codesDetail(c.Codes))
	case contract.Date:
		y, m, d, p := delivery.ParseDate(s)
		if p != "" {
			return bad(ReasonDate, p)
		}
		if out != nil {
			out.Int[i], out.Has[i] = civil.Days(y, m, d), true
		}
	case contract.Timestamp:
		var clock *civil.Clock
		if out != nil {
			clock = out.clock
		}
		us, p := delivery.ParseTimestamp(s, clock)
		if p != "" {
			return bad(ReasonTimestamp, p)
		}
		if out != nil {
			out.Int[i], out.Has[i] = us, true
		}
	case contract.Month:
		y, m, p := delivery.ParseMonth(s)
		if p != "" {
			return bad(ReasonMonth, p)
		}
		if out != nil {
			out.Int[i], out.Has[i] = civil.Days(y, m, 1), true
		}
	case contract.Bool:
		if _, err := delivery.ParseBool(s, v.json); err != nil {
			return bad(ReasonBool, err.Error())
		}
	case contract.Decimal:
		f, err := delivery.ParseDecimal(s)
		if err != nil {
			return bad(ReasonDecimal, err.Error())
		}
		if out != nil {
			out.Float[i], out.Has[i] = f, true
		}
	case contract.Integer:
		n, p := delivery.ParseInteger(s)
		if p != "" {
			return bad(ReasonInteger, p)
		}
		if n < int64(c.Min) || c.Max != 0 && n > int64(c.Max) {
			return bad(ReasonRange, rangeDetail(c))
		}
		if out != nil {
			out.Int[i], out.Has[i] = n, true
		}
	case contract.Country:
		if !letters(s, 3, 'A', 'Z') {
			return bad(ReasonCountry, "want three capital letters (ISO 3166-1 alpha-3)")
		}
	case contract.Language:
		if !letters(s, 3, 'a', 'z') {
			return bad(ReasonLanguage, "want three small letters (ISO 639-3)")
		}
	}
	// String needs nothing beyond the reader's UTF-8 check, and Kommune is
	// checked on the row's date once every column has its form.
	return nil
}

// codesDetail lists the allowed codes of a column for a Problem's Detail.
func codesDetail(codes []string) string {
	s := "want one of "
	for i, c := range codes {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
}

// rangeDetail states the bounds of an Integer column.
func rangeDetail(c *contract.Column) string {
	if c.Max == 0 {
		return fmt.Sprintf("want at least %d", c.Min)
	}
	return fmt.Sprintf("want %d to %d", c.Min, c.Max)
}

// kommuneDay returns the day (days since the epoch) on which the row's
// kommune codes must be valid: the KommuneDate column's date (the first
// day of a month, 1 January of a year), the extraction date when the table
// names none or the row leaves it null, and refStart for a day before the
// reference lists begin. which names that day for a Problem's Detail
// without giving it, as the row's dates can be personal data. The columns
// have passed their form checks.
func (v *Table) kommuneDay(values []string) (day int64, which string) {
	day, which = v.extractedDay, "the extraction date"
	if v.kdate >= 0 && values[v.kdate] != "" {
		which = v.kdateWhich
		s := values[v.kdate]
		switch v.t.Cols[v.kdate].Type {
		case contract.Date:
			y, m, d, _ := delivery.ParseDate(s)
			day = civil.Days(y, m, d)
		case contract.Month:
			y, m, _ := delivery.ParseMonth(s)
			day = civil.Days(y, m, 1)
		case contract.Integer:
			y, _ := delivery.ParseInteger(s)
			day = civil.Days(int(y), 1, 1)
		}
	}
	if day < v.refStartDay {
		return v.refStartDay, "1 January 2013, the first reference list (the row's date is earlier)"
	}
	return day, which
}

// validWhenChanged reports whether kommune code s was valid on the day the
// row last changed (endret_tidspunkt), for tables checked on the
// extraction date. The columns have passed their form checks.
func (v *Table) validWhenChanged(values []string, s string) bool {
	if v.changed < 0 || len(values[v.changed]) < 10 {
		return false
	}
	y, m, d, problem := delivery.ParseDate(values[v.changed][:10])
	if problem != "" {
		return false
	}
	return v.validOn(s, max(civil.Days(y, m, d), v.refStartDay))
}

// checkKommune checks that kommune code s (null passes: Required was
// checked with the form) is a code valid on day.
func (v *Table) checkKommune(column, s string, day int64, which string) *Problem {
	if s == "" {
		return nil
	}
	if _, ok := delivery.Digits(s); len(s) != 4 || !ok {
		return &Problem{Column: column, Reason: ReasonKommune, Detail: "not a 4-digit code"}
	}
	if !v.validOn(s, day) {
		return &Problem{Column: column, Reason: ReasonKommune, Detail: "no such code on " + which}
	}
	return nil
}

// validOn reports whether kommune code s was valid on day (days since the
// epoch), as reference.Data.ValidOn says for that date.
func (v *Table) validOn(s string, day int64) bool {
	for _, p := range v.periods[s] {
		if p.from <= day && day < p.to {
			return true
		}
	}
	return false
}

// period is a time a kommune code was valid, [from, to) in days since the
// epoch.
type period struct{ from, to int64 }

// kommunePeriods indexes the kommune codes of ref by code: the per-row
// lookups of a large table then cost a map access and a comparison of
// day numbers.
func kommunePeriods(ref *reference.Data) map[string][]period {
	out := make(map[string][]period, len(ref.Kommuner))
	for _, k := range ref.Kommuner {
		p := period{from: epochDay(k.From), to: math.MaxInt64}
		if !k.To.IsZero() {
			p.to = epochDay(k.To)
		}
		out[k.Code] = append(out[k.Code], p)
	}
	return out
}

// epochDay returns the days since the epoch of t's calendar date.
func epochDay(t time.Time) int64 {
	y, m, d := t.Date()
	return civil.Days(y, int(m), d)
}

// letters reports whether s is n ASCII letters between lo and hi.
func letters(s string, n int, lo, hi byte) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if c < lo || c > hi {
			return false
		}
	}
	return true
}
