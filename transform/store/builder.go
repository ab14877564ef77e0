package store

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/internal/civil"
)

// Builder turns validated rows of one table into Arrow records of
// Schema(t), a batch at a time, so a table of any size streams through
// bounded memory. Each column is gathered in a plain Go slice of its type
// and handed to Arrow without copying when the batch is flushed. Use one
// Builder from one goroutine.
type Builder struct {
	table  *contract.Table
	cols   []outCol
	batch  int
	schema *arrow.Schema // of the records: DictSchema
	data   []column      // per output column
	dicts  []*dictCol    // per output column, nil for a column without a dictionary
	n      int
	// the last text parsed per output column and what it gave: rows next
	// to each other mostly repeat a month, a date, a registration time.
	lastText []string
	lastCell []cell
	hasLast  []bool
	clock    *civil.Clock // Oslo's local times to UTC
	event    string       // kAge: the event date of the column being parsed
}

// column holds one output column's values of the current batch: nulls
// lists the rows whose value is null (a zero holds their place), and one
// of the typed slices the values.
type column struct {
	nulls []int32
	i16   []int16 // dictionary indices
	i32   []int32 // birth years, ages, dates (days since the epoch)
	i64   []int64 // timestamps (µs), integers, lines
	f64   []float64
	bools []bool
	str   []string
}

// cell is one parsed value.
type cell struct {
	i int64
	f float64
	b bool
}

// NewBuilder returns a Builder for t whose records hold batch rows (at
// least 1; a batch of 64 Ki rows suits most tables) and have Schema(t).
func NewBuilder(t *contract.Table, batch int) *Builder {
	return NewDictBuilder(t, batch, nil)
}

// NewDictBuilder is NewBuilder whose records carry the string columns that
// dict names as Arrow dictionary arrays over the values dict gives them,
// and have DictSchema(t, dict). Every builder made with equal arguments
// makes records with one schema and equal dictionaries, so their records
// go into one Writer, which writes each column's dictionary once per row
// group instead of hashing every value: the cheap way to write codes,
// kommune numbers and the delivery id, which take few values. A value
// outside its column's dictionary is an error of Append.
func NewDictBuilder(t *contract.Table, batch int, dict Dictionaries) *Builder {
	if batch < 1 {
		batch = 1
	}
	cols := plan(t)
	b := &Builder{
		table:    t,
		cols:     cols,
		batch:    batch,
		schema:   DictSchema(t, dict),
		data:     make([]column, len(cols)),
		dicts:    make([]*dictCol, len(cols)),
		lastText: make([]string, len(cols)),
		lastCell: make([]cell, len(cols)),
		hasLast:  make([]bool, len(cols)),
		clock:    civil.NewClock(delivery.Oslo),
	}
	for i, f := range b.schema.Fields() {
		if dt, ok := f.Type.(*arrow.DictionaryType); ok {
			b.dicts[i] = newDictCol(dt, dict[f.Name])
		}
	}
	return b
}

// Dictionaries gives, by output column name, every value a string column
// may hold (see NewDictBuilder). Only string columns can have one.
type Dictionaries map[string][]string

// dictIndex is the index type of dictionary columns: room for any code
// list, and half the bytes of int32 per row.
var dictIndex = arrow.PrimitiveTypes.Int16

// DictSchema is Schema(t) with the string columns that dict names typed
// as dictionaries of strings. In Parquet the two schemas are the same:
// readers see string columns either way.
func DictSchema(t *contract.Table, dict Dictionaries) *arrow.Schema {
	p := plan(t)
	fields := make([]arrow.Field, len(p))
	for i, c := range p {
		fields[i] = c.field
		if _, ok := dict[c.field.Name]; ok && c.field.Type.ID() == arrow.STRING {
			fields[i].Type = &arrow.DictionaryType{IndexType: dictIndex, ValueType: arrow.BinaryTypes.String}
		}
	}
	return arrow.NewSchema(fields, nil)
}

// dictCol is the dictionary of one column and the index of each value.
type dictCol struct {
	typ     *arrow.DictionaryType
	values  arrow.Array
	index   map[string]int16
	last    string // the last value looked up, and its index: rows
	lastIdx int16  // next to each other mostly share the value
	hasLast bool
}

func newDictCol(typ *arrow.DictionaryType, values []string) *dictCol {
	values = slices.Clone(values)
	slices.Sort(values)
	values = slices.Compact(values)
	if len(values) > math.MaxInt16+1 {
		panic(fmt.Sprintf("parquet: a dictionary of %d values; at most %d fit", len(values), math.MaxInt16+1))
	}
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	defer sb.Release()
	d := &dictCol{typ: typ, index: make(map[string]int16, len(values))}
	for i, v := range values {
		sb.Append(v)
		d.index[v] = int16(i)
	}
	d.values = sb.NewArray()
	return d
}

// lookup returns the index of s in the dictionary.
func (d *dictCol) lookup(s string) (int16, bool) {
	if d.hasLast && s == d.last {
		return d.lastIdx, true
	}
	i, ok := d.index[s]
	if ok {
		d.last, d.lastIdx, d.hasLast = s, i, true
	}
	return i, ok
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
	return b.AppendParsed(values, nil, person, deliveryID, line)
}

// AppendParsed is Append taking the typed values of the row's dates,
// months, timestamps, decimals and integers from parsed (see
// delivery.Parsed; nil, or a column it does not have, parses the text), as
// validation left them: no value is parsed twice.
func (b *Builder) AppendParsed(values []string, parsed *delivery.Parsed, person, deliveryID string, line int64) error {
	if len(values) != len(b.table.Cols) {
		return fmt.Errorf("%s line %d: %d values, want %d", b.table.File, line, len(values), len(b.table.Cols))
	}
	for i := range b.cols {
		if problem := b.appendValue(i, values, parsed, person, deliveryID, line); problem != "" {
			// Take back the values this row put into the columns before.
			for j := range b.data[:i+1] {
				b.data[j].truncate(b.n)
			}
			return fmt.Errorf("%s line %d: column %s: %s", b.table.File, line, b.cols[i].field.Name, problem)
		}
	}
	b.n++
	return nil
}

// appendValue appends output column i's value of the row to its slice, or
// says what is wrong with it.
func (b *Builder) appendValue(i int, values []string, parsed *delivery.Parsed, person, deliveryID string, line int64) string {
	c, d := &b.cols[i], &b.data[i]
	var s string
	if c.src >= 0 {
		s = values[c.src]
	}
	switch c.kind {
	case kPerson:
		s = person
		if s != "" && isDigits(s) {
			// A pseudonym is never all digits; an identity number is.
			return "person is an identity number, not a pseudonym"
		}
	case kDeliveryID:
		s = deliveryID
	case kSourceLine:
		d.i64 = append(d.i64, line)
		return ""
	case kAge:
		if values[c.src2] == "" {
			s = "" // no event yet (a refugee still waiting): no age
		}
	}
	if s == "" {
		if !c.field.Nullable {
			return "required value empty"
		}
		d.nulls = append(d.nulls, int32(b.n))
		d.appendZero(c.kind, b.dicts[i] != nil)
		return ""
	}
	if dc := b.dicts[i]; dc != nil {
		idx, ok := dc.lookup(s)
		if !ok {
			return "value not in the column's dictionary"
		}
		d.i16 = append(d.i16, idx)
		return ""
	}
	var cl cell
	switch {
	case c.kind == kString || c.kind == kPerson || c.kind == kDeliveryID:
		d.str = append(d.str, s)
		return ""
	case parsed != nil && parsed.Has[c.src] && (c.kind == kDate || c.kind == kMonth || c.kind == kTimestamp || c.kind == kInteger):
		cl.i = parsed.Int[c.src]
	case parsed != nil && parsed.Has[c.src] && c.kind == kDecimal:
		cl.f = parsed.Float[c.src]
	case c.kind == kAge:
		b.event = values[c.src2]
		if p := b.parse(c.kind, s, &cl); p != "" {
			return p
		}
	case b.hasLast[i] && s == b.lastText[i]:
		cl = b.lastCell[i]
	default:
		if p := b.parse(c.kind, s, &cl); p != "" {
			return p
		}
		b.lastText[i], b.lastCell[i], b.hasLast[i] = s, cl, true
	}
	d.appendCell(c.kind, cl)
	return ""
}

// appendCell appends a parsed value of kind k to the column.
func (d *column) appendCell(k kind, cl cell) {
	switch k {
	case kBirthYear, kAge, kDate, kMonth:
		d.i32 = append(d.i32, int32(cl.i))
	case kTimestamp, kInteger, kSourceLine:
		d.i64 = append(d.i64, cl.i)
	case kDecimal:
		d.f64 = append(d.f64, cl.f)
	case kBool:
		d.bools = append(d.bools, cl.b)
	}
}

// appendZero appends the place of a null value.
func (d *column) appendZero(k kind, dict bool) {
	switch {
	case dict:
		d.i16 = append(d.i16, 0)
	case k == kString || k == kPerson || k == kDeliveryID:
		d.str = append(d.str, "")
	default:
		d.appendCell(k, cell{})
	}
}

// truncate cuts the column back to n values.
func (d *column) truncate(n int) {
	for len(d.nulls) > 0 && int(d.nulls[len(d.nulls)-1]) >= n {
		d.nulls = d.nulls[:len(d.nulls)-1]
	}
	d.i16 = d.i16[:min(len(d.i16), n)]
	d.i32 = d.i32[:min(len(d.i32), n)]
	d.i64 = d.i64[:min(len(d.i64), n)]
	d.f64 = d.f64[:min(len(d.f64), n)]
	d.bools = d.bools[:min(len(d.bools), n)]
	d.str = d.str[:min(len(d.str), n)]
}

// parse converts the text s of output column i into cl, or describes what
// is wrong with it without repeating it.
func (b *Builder) parse(k kind, s string, cl *cell) string {
	switch k {
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
		cl.i = civil.Days(y, m, d)
	case kMonth:
		y, m, ok := parseMonth(s)
		if !ok {
			return "invalid month, want YYYY-MM"
		}
		cl.i = civil.Days(y, m, 1)
	case kTimestamp:
		us, ok := b.parseTimestamp(s)
		if !ok {
			return "invalid timestamp, want YYYY-MM-DD HH:MM:SS"
		}
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
	arrs := make([]arrow.Array, len(b.cols))
	for i := range b.cols {
		arrs[i] = b.array(i)
		defer arrs[i].Release()
	}
	rec := array.NewRecordBatch(b.schema, arrs, int64(b.n))
	// The slices now belong to the record; the next batch starts new
	// ones, with room for as many rows as this one had.
	for i := range b.data {
		b.data[i] = b.data[i].fresh(b.n)
	}
	b.n = 0
	return rec
}

// fresh returns an empty column with room for n values in the slices d
// used.
func (d column) fresh(n int) column {
	return column{i16: again(d.i16, n), i32: again(d.i32, n), i64: again(d.i64, n),
		f64: again(d.f64, n), bools: again(d.bools, n), str: again(d.str, n)}
}

// again returns an empty slice with room for n values if s was used, else
// nil.
func again[T any](s []T, n int) []T {
	if len(s) == 0 {
		return nil
	}
	return make([]T, 0, n)
}

// array makes the Arrow array of output column i of the batch.
func (b *Builder) array(i int) arrow.Array {
	d, n := &b.data[i], b.n
	nulls := len(d.nulls)
	var validity *memory.Buffer
	if nulls > 0 {
		bits := make([]byte, bitutil.BytesForBits(int64(n)))
		bitutil.SetBitsTo(bits, 0, int64(n), true)
		for _, j := range d.nulls {
			bitutil.ClearBit(bits, int(j))
		}
		validity = memory.NewBufferBytes(bits)
	}
	typ := b.schema.Field(i).Type
	fixed := func(t arrow.DataType, values []byte) arrow.Array {
		data := array.NewData(t, n, []*memory.Buffer{validity, memory.NewBufferBytes(values)}, nil, nulls, 0)
		defer data.Release()
		return array.MakeFromData(data)
	}
	if dc := b.dicts[i]; dc != nil {
		idx := fixed(dictIndex, arrow.Int16Traits.CastToBytes(d.i16[:n]))
		defer idx.Release()
		return array.NewDictionaryArray(dc.typ, idx, dc.values)
	}
	switch b.cols[i].kind {
	case kBirthYear, kAge, kDate, kMonth:
		return fixed(typ, arrow.Int32Traits.CastToBytes(d.i32[:n]))
	case kTimestamp, kInteger, kSourceLine:
		return fixed(typ, arrow.Int64Traits.CastToBytes(d.i64[:n]))
	case kDecimal:
		return fixed(typ, arrow.Float64Traits.CastToBytes(d.f64[:n]))
	case kBool:
		bits := make([]byte, bitutil.BytesForBits(int64(n)))
		for j, v := range d.bools[:n] {
			if v {
				bitutil.SetBit(bits, j)
			}
		}
		return fixed(typ, bits)
	default: // strings
		size := 0
		for _, v := range d.str[:n] {
			size += len(v)
		}
		offsets := make([]int32, n+1)
		chars := make([]byte, 0, size)
		for j, v := range d.str[:n] {
			chars = append(chars, v...)
			offsets[j+1] = int32(len(chars))
		}
		data := array.NewData(typ, n, []*memory.Buffer{validity, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)), memory.NewBufferBytes(chars)}, nil, nulls, 0)
		defer data.Release()
		return array.MakeFromData(data)
	}
}

// Release frees the Builder's dictionaries; rows not flushed are lost.
func (b *Builder) Release() {
	for _, d := range b.dicts {
		if d != nil {
			d.values.Release()
		}
	}
}

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
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > civil.DaysIn(y, m) {
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
// resolved as time.Date does (see civil.Clock).
func (b *Builder) parseTimestamp(s string) (int64, bool) {
	y, m, d, hh, mm, ss, ok := splitTimestamp(s)
	if !ok {
		return 0, false
	}
	return b.clock.Micros(y, m, d, hh, mm, ss), true
}

// splitTimestamp checks the form YYYY-MM-DD HH:MM:SS (or with a T) and
// returns its fields.
func splitTimestamp(s string) (y, m, d, hh, mm, ss int, ok bool) {
	if len(s) != 19 || s[10] != ' ' && s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return
	}
	if y, m, d, ok = parseDate(s[:10]); !ok {
		return
	}
	hh, ok1 := num(s, 11, 2)
	mm, ok2 := num(s, 14, 2)
	ss, ok3 := num(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return 0, 0, 0, 0, 0, 0, false
	}
	return y, m, d, hh, mm, ss, true
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
