package pseudo

// Add records number as a person's number, alone in its group unless a
// link joins it to others: Link with one number.
func (m *IdentityMap) Add(number string) error {
	return m.Link(number, "")
}

// PersonKey is PersonKeyNear without a position, for the tests.
func (m *IdentityMap) PersonKey(k *Key, number string) string {
	return m.PersonKeyNear(k, number, nil)
}
