// Package store writes the pseudonymised, typed form of the source tables
// as Parquet files, one Hive-style partition per delivery
// (<root>/<source>/<table>/delivery_id=<id>/part-<n>.parquet), so every past
// state of a register can be rebuilt from the partitions. Files are written
// under a temporary name and renamed when complete, so a crash never leaves a
// half-written file where a reader looks.
package store

import (
	"github.com/apache/arrow-go/v18/arrow"

	"integstat/extract/contract"
)

// Names of the columns that Schema adds or derives.
const (
	PersonColumn     = "person"      // the person pseudonym replacing the identity numbers
	BirthYearColumn  = "fodselsaar"  // replaces fodselsdato
	DeliveryIDColumn = "delivery_id" // lineage: the delivery the row came from
	SourceLineColumn = "source_line" // lineage: the row's line in the delivered file
)

// kind says how a Builder fills one output column.
type kind int

const (
	kString kind = iota
	kPerson
	kBirthYear
	kAge // whole years from the date of birth (src) to an event (src2)
	kDate
	kMonth
	kTimestamp
	kDecimal
	kInteger
	kBool
	kDeliveryID
	kSourceLine
)

// outCol is one column of the output: its Arrow field, how to fill it and
// which input column (contract order) it reads, -1 for none.
type outCol struct {
	field arrow.Field
	kind  kind
	src   int
	src2  int // kAge: the event's date column
}

// ageEvents names, per table, the events whose age is kept in place of
// the date of birth: the ages the indicators need (on the settlement date)
// and researchers ask for.
var ageEvents = map[string][][2]string{
	"bosetting/personer": {{"alder_bosatt", "bosatt_dato"}, {"alder_vedtak", "vedtak_dato"}},
}

// timestampType is the type of every timestamp column: microseconds in UTC.
var timestampType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// plan maps the columns of t to the output columns, in contract order with
// the lineage columns last. It is the single place the mapping is decided;
// Schema and Builder both follow it.
func plan(t *contract.Table) []outCol {
	var out []outCol
	person := false
	add := func(name string, typ arrow.DataType, nullable bool, k kind, src int) {
		out = append(out, outCol{field: arrow.Field{Name: name, Type: typ, Nullable: nullable}, kind: k, src: src})
	}
	for i, c := range t.Cols {
		switch {
		case c.Type == contract.IDNumber || c.Type == contract.DUF:
			// Every identity number of a row belongs to one person: the
			// identity map gives them one key, so one column carries it.
			if !person {
				person = true
				add(PersonColumn, arrow.BinaryTypes.String, !c.Required, kPerson, i)
			}
		case c.Role == contract.BirthDate:
			add(BirthYearColumn, arrow.PrimitiveTypes.Int32, !c.Required, kBirthYear, i)
			for _, ev := range ageEvents[t.Source+"/"+t.Name] {
				if j := t.Index(ev[1]); j >= 0 {
					add(ev[0], arrow.PrimitiveTypes.Int32, true, kAge, i)
					out[len(out)-1].src2 = j
				}
			}
		case c.Personal:
			// Names, addresses, postcodes, e-mail, phone: dropped.
		default:
			typ, k := columnType(c.Type)
			add(c.Name, typ, !c.Required, k, i)
		}
	}
	add(DeliveryIDColumn, arrow.BinaryTypes.String, false, kDeliveryID, -1)
	add(SourceLineColumn, arrow.PrimitiveTypes.Int64, false, kSourceLine, -1)
	return out
}

// columnType gives the Arrow type and fill kind of a non-personal column.
func columnType(t contract.Type) (arrow.DataType, kind) {
	switch t {
	case contract.Date:
		return arrow.FixedWidthTypes.Date32, kDate
	case contract.Month:
		return arrow.FixedWidthTypes.Date32, kMonth
	case contract.Timestamp:
		return timestampType, kTimestamp
	case contract.Decimal:
		return arrow.PrimitiveTypes.Float64, kDecimal
	case contract.Integer:
		return arrow.PrimitiveTypes.Int64, kInteger
	case contract.Bool:
		return arrow.FixedWidthTypes.Boolean, kBool
	default: // String, Code, Kommune, Country, Language
		return arrow.BinaryTypes.String, kString
	}
}
