package store

import (
	"github.com/apache/arrow-go/v18/arrow"

	"integstat/extract/contract"
)

// The API of the tests: a Builder without dictionaries, appending text.

// NewBuilder returns a Builder for t whose records hold batch rows (at
// least 1; a batch of 64 Ki rows suits most tables) and have Schema(t).
func NewBuilder(t *contract.Table, batch int) *Builder {
	return NewDictBuilder(t, batch, nil)
}

// Append adds one row: values in the contract's column order ("" is null),
// the person's pseudonym (for a table without identity numbers, ""), the
// delivery id and the row's line in the delivered file. Values of personal
// columns other than fodselsdato are never read. A value that does not
// parse is an error naming the file, line and column but not the value;
// the row is then not added.
func (b *Builder) Append(values []string, person, deliveryID string, line int64) error {
	return b.AppendParsed(values, nil, person, deliveryID, line)
}

// Len is the number of rows appended since the last Flush.
func (b *Builder) Len() int { return b.n }

// Schema is DictSchema without dictionaries.
func Schema(t *contract.Table) *arrow.Schema { return DictSchema(t, nil) }
