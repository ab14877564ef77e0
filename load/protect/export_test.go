package protect

// The API of the tests: the protection and the attack over the regional
// hierarchy and declared groups only, without links.

// Suppress is SuppressWith over the regional hierarchy and groups.
func Suppress(cells []Cell, groups []Group, opt Options) []bool {
	return SuppressWith(cells, Identities{Groups: groups}, opt)
}

// Audit is AuditWith over the regional hierarchy and groups.
func Audit(cells []Cell, suppressed []bool, groups []Group) []Cell {
	return AuditWith(cells, suppressed, Identities{Groups: groups})
}
