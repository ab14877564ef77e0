package pseudo

// PersonKey is PersonKeyNear without a position, for the tests.
func (m *IdentityMap) PersonKey(k *Key, number string) string {
	return m.PersonKeyNear(k, number, nil)
}
