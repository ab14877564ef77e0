package marts

import "integstat/sql"

// SetMethod makes the builds of a test use method version v, as if a
// person had bumped sql/metode.txt, until restore is called.
func SetMethod(v int) (restore func()) {
	old := currentMethod
	currentMethod = func() (sql.Method, error) {
		m, err := old()
		m.Version = v
		return m, err
	}
	return func() { currentMethod = old }
}
