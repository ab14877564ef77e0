package parquet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"integstat/contract"
	"integstat/delivery"
)

// Builder turns validated rows of one table into Arrow records of
// Schema(t), a batch at a time, so a table of any size streams through
// bounded memory. Use one Builder from one goroutine.
type Builder struct {
	table  *contract.Table
	cols   []outCol
	batch  int
	rb     *array.RecordBuilder
	fields []array.Builder
	cells  []cell
	n      int
	// last timestamp text and value per output column: rows of a delivery
	// share registration times, and the zone lookup is the costly part.
	tsText []string
	tsVal  []int64
	event  string // kAge: the event date of the column being parsed
}

// cell is one parsed value waiting to be appended.
type cell struct {
	null bool
	i    int64
	f    float64
	b    bool
	s    string
}

// NewBuilder returns a Builder for t whose records hold batch rows (at
// least 1; a batch of 64 Ki rows suits most tables).
func NewBuilder(t *contract.Table, batch int) *Builder {
	if batch < 1 {
		batch = 1
	}
	cols := plan(t)
	b := &Builder{
		table:  t,
		cols:   cols,
		batch:  batch,
		rb:     array.NewRecordBuilder(memory.DefaultAllocator, Schema(t)),
		cells:  make([]cell, len(cols)),
		tsText: make([]string, len(cols)),
		tsVal:  make([]int64, len(cols)),
	}
	b.fields = b.rb.Fields()
	b.rb.Reserve(batch)
	return b
}

// Len is the number of rows appended since the last Flush.
func (b *Builder) Len() int { return b.n }

// Full reports whether the batch is complete and should be flushed.
func (b *Builder) Full() bool { return b.n >= b.batch }

// Append adds one row: values in the contract's column order ("" is null),
// the person's pseudonym (for a table without identity numbers, ""), the
// delivery id and the row's line in the delivered file. Values of personal
// columns other than fodselsdato are never read. A value that does not
// parse is an error naming the file, line and column but not the value;
// the row is then not added.
func (b *Builder) Append(values []string, person, deliveryID string, line int64) error {
	if len(values) != len(b.table.Cols) {
		return fmt.Errorf("%s line %d: %d values, want %d", b.table.File, line, len(values), len(b.table.Cols))
	}
	for i, c := range b.cols {
		cl := &b.cells[i]
		*cl = cell{}
		var s string
		if c.src >= 0 {
			s = values[c.src]
		}
		var problem string
		switch c.kind {
		case kPerson:
			s = person
			if s != "" && isDigits(s) {
				// A pseudonym is never all digits; an identity number is.
				problem = "person is an identity number, not a pseudonym"
			}
		case kDeliveryID:
			s = deliveryID
		case kSourceLine:
			cl.i = line
			continue
		case kAge:
			if values[c.src2] == "" {
				s = "" // no event yet (a refugee still waiting): no age
			}
		}
		if s == "" {
			if !c.field.Nullable {
				return fmt.Errorf("%s line %d: column %s: required value empty", b.table.File, line, c.field.Name)
			}
			cl.null = true
			continue
		}
		if problem == "" {
			if c.kind == kAge {
				b.event = values[c.src2]
			}
			problem = b.parse(i, c.kind, s, cl)
		}
		if problem != "" {
			return fmt.Errorf("%s line %d: column %s: %s", b.table.File, line, c.field.Name, problem)
		}
	}
	for i, c := range b.cols {
		cl := &b.cells[i]
		fb := b.fields[i]
		if cl.null {
			fb.AppendNull()
			continue
		}
		switch c.kind {
		case kString, kPerson, kDeliveryID:
			fb.(*array.StringBuilder).Append(cl.s)
		case kBirthYear, kAge:
			fb.(*array.Int32Builder).Append(int32(cl.i))
		case kDate, kMonth:
			fb.(*array.Date32Builder).Append(arrow.Date32(cl.i))
		case kTimestamp:
			fb.(*array.TimestampBuilder).Append(arrow.Timestamp(cl.i))
		case kDecimal:
			fb.(*array.Float64Builder).Append(cl.f)
		case kInteger, kSourceLine:
			fb.(*array.Int64Builder).Append(cl.i)
		case kBool:
			fb.(*array.BooleanBuilder).Append(cl.b)
		}
	}
	b.n++
	return nil
}

// parse converts the text s of output column i into cl, or describes what
// is wrong with it without repeating it.
func (b *Builder) parse(i int, k kind, s string, cl *cell) string {
	switch k {
	case kString, kPerson, kDeliveryID:
		cl.s = s
	case kBirthYear:
		y, _, _, ok := parseDate(s)
		if !ok {
			return "invalid date of birth"
		}
		cl.i = int64(y)
	case kAge:
		by, bm, bd, ok := parseDate(s)
		ey, em, ed, ok2 := parseDate(b.event)
		if !ok || !ok2 {
			return "invalid date of birth or event"
		}
		cl.i = int64(ageOn(by, bm, bd, ey, em, ed))
	case kDate:
		y, m, d, ok := parseDate(s)
		if !ok {
			return "invalid date, want YYYY-MM-DD"
		}
		cl.i = daysFromCivil(y, m, d)
	case kMonth:
		y, m, ok := parseMonth(s)
		if !ok {
			return "invalid month, want YYYY-MM"
		}
		cl.i = daysFromCivil(y, m, 1)
	case kTimestamp:
		if s == b.tsText[i] {
			cl.i = b.tsVal[i]
			return ""
		}
		us, ok := parseTimestamp(s)
		if !ok {
			return "invalid timestamp, want YYYY-MM-DD HH:MM:SS"
		}
		b.tsText[i], b.tsVal[i] = s, us
		cl.i = us
	case kDecimal:
		f, err := parseDecimal(s)
		if err != nil {
			return err.Error()
		}
		cl.f = f
	case kInteger:
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return "invalid integer"
		}
		cl.i = v
	case kBool:
		switch s {
		case "J", "true":
			cl.b = true
		case "N", "false":
			cl.b = false
		default:
			return "invalid boolean, want J/N or true/false"
		}
	}
	return ""
}

// Flush returns the rows appended since the last Flush as one record, or
// nil when there are none. The caller releases the record.
func (b *Builder) Flush() arrow.RecordBatch {
	if b.n == 0 {
		return nil
	}
	rec := b.rb.NewRecordBatch()
	// Room for as many rows as this batch had: a caller that flushes
	// before the batch is full (a chunk of a file) does so again.
	b.rb.Reserve(b.n)
	b.n = 0
	return rec
}

// Release frees the Builder's buffers; rows not flushed are lost.
func (b *Builder) Release() { b.rb.Release() }

// parseDecimal parses the CSV dialect's decimal comma ("7,5") and, for
// JSON Lines, a number with a decimal point.
func parseDecimal(s string) (float64, error) {
	if strings.IndexByte(s, '.') < 0 {
		return delivery.ParseDecimal(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || strings.ContainsAny(s, "eEnNiI") {
		return 0, errors.New("decimal: want digits with an optional minus and decimal comma or point")
	}
	return f, nil
}

// isDigits reports whether s is all ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// num returns the value of the n digits of s at i, and false if any is not
// a digit.
func num(s string, i, n int) (int, bool) {
	v := 0
	for j := i; j < i+n; j++ {
		c := s[j]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// parseDate parses YYYY-MM-DD and checks that the day exists.
func parseDate(s string) (y, m, d int, ok bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	y, ok1 := num(s, 0, 4)
	m, ok2 := num(s, 5, 2)
	d, ok3 := num(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// parseMonth parses YYYY-MM.
func parseMonth(s string) (y, m int, ok bool) {
	if len(s) != 7 || s[4] != '-' {
		return 0, 0, false
	}
	y, ok1 := num(s, 0, 4)
	m, ok2 := num(s, 5, 2)
	if !ok1 || !ok2 || m < 1 || m > 12 {
		return 0, 0, false
	}
	return y, m, true
}

// parseTimestamp parses YYYY-MM-DD HH:MM:SS (or with a T) as local time in
// Europe/Oslo and returns microseconds since the Unix epoch, UTC. A local
// time that does not exist or occurs twice at a change of summer time is
// resolved as time.Date does.
func parseTimestamp(s string) (int64, bool) {
	if len(s) != 19 || s[10] != ' ' && s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	y, m, d, ok := parseDate(s[:10])
	if !ok {
		return 0, false
	}
	hh, ok1 := num(s, 11, 2)
	mm, ok2 := num(s, 14, 2)
	ss, ok3 := num(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return 0, false
	}
	return time.Date(y, time.Month(m), d, hh, mm, ss, 0, delivery.Oslo).UnixMicro(), true
}

// daysIn returns the number of days in month m of year y.
func daysIn(y, m int) int {
	if m == 12 {
		return 31
	}
	return int(daysFromCivil(y, m+1, 1) - daysFromCivil(y, m, 1))
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm), without the cost of time.Date.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// ageOn is the number of whole years completed on the event day by a person
// born on the birth day; one born on 29 February turns a year older on
// 1 March in other years (indicators.md).
func ageOn(by, bm, bd, ey, em, ed int) int {
	leap := ey%4 == 0 && (ey%100 != 0 || ey%400 == 0)
	if bm == 2 && bd == 29 && !leap {
		bm, bd = 3, 1
	}
	a := ey - by
	if em < bm || (em == bm && ed < bd) {
		a--
	}
	return a
}
