package validate

import "integstat/contract"

// PersonSet holds the identity numbers of the persons of one delivery, each
// as its 11 digits read as a number (8 bytes, no collisions). Fill it from
// the accepted rows of NIR's personer with Table.CollectPersons, which adds
// both fnr and tidligere_fnr, before checking the other NIR tables with
// CheckRefs.
type PersonSet map[uint64]struct{}

// personKey returns s, an 11-digit identity number, as a number, and false
// for any other text.
func personKey(s string) (uint64, bool) {
	if len(s) != 11 {
		return 0, false
	}
	n, ok := digitsAt(s, 0, 11)
	return uint64(n), ok
}

// Add adds identity number s; text that is not 11 digits is ignored.
func (ps PersonSet) Add(s string) {
	if k, ok := personKey(s); ok {
		ps[k] = struct{}{}
	}
}

// Has reports whether identity number s is in the set.
func (ps PersonSet) Has(s string) bool {
	k, ok := personKey(s)
	if !ok {
		return false
	}
	_, ok = ps[k]
	return ok
}

// CollectPersons adds every identity number of a row to persons: for NIR's
// personer the current fnr and the previous tidligere_fnr, so that rows still
// carrying the old number resolve. Call it for rows Check accepted.
func (v *Table) CollectPersons(values []string, persons PersonSet) {
	for i, c := range v.t.Cols {
		if c.Type == contract.IDNumber {
			persons.Add(values[i])
		}
	}
}

// refersToPersoner reports whether the identity numbers of t must be those
// of persons in the same delivery's personer: true for every NIR table but
// personer itself.
func refersToPersoner(t *contract.Table) bool {
	return t.Source == "nir" && t.Name != "personer"
}

// RefersToPersons reports whether CheckRefs checks the table's identity
// numbers against a PersonSet (every NIR table but personer).
func (v *Table) RefersToPersons() bool { return len(v.persons) > 0 }

// CheckRefs checks a row that Check accepted against the persons of its
// delivery: in a NIR table other than personer, every identity number must
// be a current or previous number in personer, or the row gets
// ReasonPerson. Rows of other tables always pass.
func (v *Table) CheckRefs(values []string, persons PersonSet) *Problem {
	for _, i := range v.persons {
		if s := values[i]; s != "" && !persons.Has(s) {
			return &Problem{Column: v.t.Cols[i].Name, Reason: ReasonPerson, Detail: "no person in the delivery's personer has this number as fnr or tidligere_fnr"}
		}
	}
	return nil
}
