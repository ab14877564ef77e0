// Package sql holds the SQL of the marts as files, embedded in the binary:
// the models (one query per file, dbt style: staging, the table macros in
// macros/, per-source intermediate and indicator models, and the marts),
// the data tests in tests/, and the seeds in seeds/ (the indicator
// catalogue). Package integstat/load/sqlmodel parses, checks and orders the
// models; package integstat/load/marts builds them. See README.md.
package sql

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
)

// Files is the tree of model, test and seed files, with the sources file
// (sources.txt) and the folders' schema files (schema.txt).
//
//go:embed staging macros bosetting nir tolk marts tests seeds metode.txt sources.txt
var Files embed.FS

// Method is the method version of the models: the last entry of
// metode.txt, which a person bumps with a line saying what changed.
type Method struct {
	Version int
	Date    string // YYYY-MM-DD
	Change  string // what changed
}

// CurrentMethod reads the method version from metode.txt.
func CurrentMethod() (Method, error) {
	b, err := Files.ReadFile("metode.txt")
	if err != nil {
		return Method{}, fmt.Errorf("sql: %w", err)
	}
	var m Method
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		v, err := 0, error(nil)
		if len(f) >= 3 {
			v, err = strconv.Atoi(f[0])
		}
		if len(f) < 3 || err != nil || v <= m.Version {
			return Method{}, fmt.Errorf("sql: metode.txt:%d: want `version date what changed` with the version above the one before", n+1)
		}
		m = Method{Version: v, Date: f[1], Change: strings.Join(f[2:], " ")}
	}
	if m.Version == 0 {
		return Method{}, fmt.Errorf("sql: metode.txt has no version")
	}
	return m, nil
}
