package reference

import "time"

// Today returns the codes of the newest list (see Newest) whose territory
// holds part of kommune code as it was on the date of on: CodeAt to Newest,
// as the marts compute today's structure (with Newest taken once).
func (d *Data) Today(code string, on time.Time) []string {
	return d.CodeAt(code, on, d.Newest())
}
