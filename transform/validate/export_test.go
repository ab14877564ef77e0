package validate

import (
	"sync"

	"integstat/extract/contract"
)

// accepted holds, per Table, the keys Check accepted.
var accepted sync.Map // *Table → *sync.Map of [2]uint64

// Check is the row check of a table read once, in memory, for the tests of
// the rules: CheckForm, then the key against the keys Check accepted before
// (a row that passes claims its key). The pipeline reads with a Reading,
// which finds the same duplicates without holding every key.
func (v *Table) Check(values []string) *Problem {
	if p := v.CheckForm(values); p != nil {
		return p
	}
	if !v.HasKey() {
		return nil
	}
	m, _ := accepted.LoadOrStore(v, &sync.Map{})
	if _, dup := m.(*sync.Map).LoadOrStore(v.KeyHash(values), struct{}{}); dup {
		return v.Duplicate()
	}
	return nil
}

// CollectPersons adds every identity number of a row Check accepted to
// persons, as RowCheck.Numbers gives them to the pipeline.
func (v *Table) CollectPersons(values []string, persons *PersonSet) {
	for i, c := range v.t.Cols {
		if c.Type == contract.IDNumber {
			persons.Add(values[i])
		}
	}
}
