package validate

import (
	"slices"

	"integstat/extract/delivery"

	"integstat/extract/contract"
)

// PersonSet holds the identity numbers of the persons of one delivery, each
// as its 11 digits read as a number (8 bytes, no collisions), in a sorted
// array: 12.5 million persons at scale 100 take 100 MB, where a map took
// three times as much. Fill it from the accepted rows of NIR's personer with
// RowCheck.Numbers, which gives both fnr and tidligere_fnr, then Freeze
// it before checking the other NIR tables with CheckRefs. The zero value is
// an empty set.
type PersonSet struct {
	keys   []uint64 // keys[:sorted] sorted and unique, then the numbers added since
	sorted int
	// fence holds every fenceStep-th key of the sorted keys: a search of
	// it (a few hundred KB at scale 10) finds the block of 64 keys to
	// search, where a search of keys missed the cache at most steps.
	fence []uint64
}

// fenceStep is how many keys one fence key stands for.
const fenceStep = 64

// personKey returns s, an 11-digit identity number, as a number, and false
// for any other text.
func personKey(s string) (uint64, bool) {
	if len(s) != 11 {
		return 0, false
	}
	n, ok := delivery.Digits(s)
	return uint64(n), ok
}

// Grow makes room for n more numbers, so that filling the set does not
// copy it as it grows.
func (ps *PersonSet) Grow(n int) { ps.keys = slices.Grow(ps.keys, n) }

// Add adds identity number s; text that is not 11 digits is ignored.
func (ps *PersonSet) Add(s string) {
	if k, ok := personKey(s); ok {
		ps.keys = append(ps.keys, k)
	}
}

// Freeze sorts the numbers added since it last ran. Has freezes the set
// itself when it must; call Freeze before goroutines share the set, since
// after it Has only reads.
func (ps *PersonSet) Freeze() {
	if ps.sorted == len(ps.keys) {
		return
	}
	slices.Sort(ps.keys)
	ps.keys = slices.Compact(ps.keys)
	ps.sorted = len(ps.keys)
	ps.fence = ps.fence[:0]
	for i := 0; i < len(ps.keys); i += fenceStep {
		ps.fence = append(ps.fence, ps.keys[i])
	}
}

// Reset empties the set, keeping its memory.
func (ps *PersonSet) Reset() { ps.keys, ps.sorted, ps.fence = ps.keys[:0], 0, ps.fence[:0] }

// Len returns the number of different numbers in the set.
func (ps *PersonSet) Len() int {
	ps.Freeze()
	return len(ps.keys)
}

// Has reports whether identity number s is in the set.
func (ps *PersonSet) Has(s string) bool {
	k, ok := personKey(s)
	if !ok {
		return false
	}
	ps.Freeze()
	b, ok := slices.BinarySearch(ps.fence, k)
	if ok {
		return true
	}
	if b == 0 {
		return false
	}
	_, ok = slices.BinarySearch(ps.keys[(b-1)*fenceStep:min(b*fenceStep, len(ps.keys))], k)
	return ok
}

// refersToPersoner reports whether the identity numbers of t must be those
// of persons in the same delivery's list of persons (the contract's
// PersonsIn: every NIR table but personer itself).
func refersToPersoner(t *contract.Table) bool { return t.PersonsIn != "" }

// RefersToPersons reports whether CheckRefs checks the table's identity
// numbers against a PersonSet (every NIR table but personer).
func (v *Table) RefersToPersons() bool { return len(v.persons) > 0 }

// CheckRefs checks a row that Check accepted against the persons of its
// delivery: in a NIR table other than personer, every identity number must
// be a current or previous number in personer, or the row gets
// ReasonPerson. Rows of other tables always pass.
func (v *Table) CheckRefs(values []string, persons *PersonSet) *Problem {
	for _, i := range v.persons {
		if s := values[i]; s != "" && !persons.Has(s) {
			return &Problem{Column: v.t.Cols[i].Name, Reason: ReasonPerson, Detail: "no person in the delivery's personer has this number as fnr or tidligere_fnr"}
		}
	}
	return nil
}
