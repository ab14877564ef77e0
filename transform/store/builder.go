package store

import (
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/internal/civil"
	"integstat/transform/ident"
)

// Builder turns validated rows of one table into Arrow records of
// DictSchema(t, dict), a batch at a time, so a table of any size streams through
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

// NewDictBuilder returns a Builder for t whose records hold batch rows (at
// least 1; a batch of 64 Ki rows suits most tables), carry the string
// columns that dict names as Arrow dictionary arrays over the values dict
// gives them, and have DictSchema(t, dict). Every builder made with equal arguments
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

// DictSchema derives the Arrow schema of the pseudonymised form of t: personal
// columns are dropped, except that identity numbers become one "person"
// column (the pseudonym) and the birth date becomes fodselsaar (int32) and,
// where the indicators need it, the age at an event (alder_bosatt); dates
// and months (their first day) become date32, timestamps timestamp[us, UTC],
// decimals float64, integers int64, booleans bool, and codes, kommune,
// country and language codes strings; the string columns that dict names
// are dictionaries of strings (in Parquet the same: readers see strings).
// The lineage columns delivery_id and source_line come last. A column the
// contract requires is not nullable.
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

// Full reports whether the batch is complete and should be flushed.
func (b *Builder) Full() bool { return b.n >= b.batch }

// AppendParsed adds one row: values in the contract's column order (""
// is null), the typed values of its dates, months, timestamps, decimals and
// integers from parsed as validation left them (delivery.Parsed; nil, or a
// column it does not have, parses the text with the same parsers), the
// person's pseudonym (for a table without identity numbers, ""), the
// delivery id and the row's line in the delivered file. Values of personal
// columns other than the birth date are never read. A value that does not
// parse is an error naming the file, line and column but not the value;
// the row is then not added.
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
		if s != "" && ident.AllDigits(s) {
			// A pseudonym is never all digits; an identity number is,
			// whatever its length.
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

// parse converts the text s of output column i into cl with the
// dialect's parsers (package delivery, as validation used them), or
// describes what is wrong with it without repeating it.
func (b *Builder) parse(k kind, s string, cl *cell) string {
	var p string
	switch k {
	case kBirthYear:
		var y int
		y, _, _, p = delivery.ParseDate(s)
		cl.i = int64(y)
	case kAge:
		by, bm, bd, p1 := delivery.ParseDate(s)
		ey, em, ed, p2 := delivery.ParseDate(b.event)
		if p1 != "" || p2 != "" {
			return "invalid date of birth or event"
		}
		cl.i = int64(ageOn(by, bm, bd, ey, em, ed))
	case kDate:
		var y, m, d int
		y, m, d, p = delivery.ParseDate(s)
		cl.i = civil.Days(y, m, d)
	case kMonth:
		var y, m int
		y, m, p = delivery.ParseMonth(s)
		cl.i = civil.Days(y, m, 1)
	case kTimestamp:
		cl.i, p = delivery.ParseTimestamp(s, b.clock)
	case kDecimal:
		f, err := delivery.ParseDecimal(s)
		if err != nil {
			return err.Error()
		}
		cl.f = f
	case kInteger:
		cl.i, p = delivery.ParseInteger(s)
	case kBool:
		// Validated before, from either kind of file: both forms are taken.
		b, err := delivery.ParseBool(s, true)
		if err != nil {
			return "invalid boolean, want J/N or true/false"
		}
		cl.b = b
	}
	return p
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

// DictionariesFor gives the columns of tb that are written from
// dictionaries: those whose accepted values validation confines to a short
// list (codes to the contract's, kommune numbers to kommuner, the reference
// data's codes) and the delivery id. Writing them so costs a few index
// bytes a row instead of hashing every value.
func DictionariesFor(tb *contract.Table, deliveryID string, kommuner []string) Dictionaries {
	dict := Dictionaries{DeliveryIDColumn: {deliveryID}}
	for _, c := range tb.Cols {
		switch {
		case c.Personal:
		case c.Type == contract.Code:
			dict[c.Name] = c.Codes
		case c.Type == contract.Kommune:
			dict[c.Name] = kommuner
		}
	}
	return dict
}
