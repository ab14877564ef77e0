// Package config reads integstat's configuration file: the settings a
// deployment keeps in one place instead of on every command line.
//
// The format is one setting per line, `key = value`; blank lines and lines
// starting with `#` are ignored; a value may be quoted with double quotes.
// Keys are the long flag names of the commands with `_` or `-`
// (allow_synthetic_ids = true). A flag given on the command line wins over
// the file. Secrets do not belong here: the key is a file of its own
// (key_file), and a database password comes from the environment
// (INTEGSTAT_TOLK_DSN).
package config

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Setting is one line of a configuration file.
type Setting struct {
	Key, Value string
	Line       int
}

// Read parses the configuration file at path. An error names the file and
// line and what is wrong there.
func Read(path string, known func(key string) bool) ([]Setting, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	var out []Setting
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want key = value", path, n)
		}
		k = strings.ReplaceAll(strings.TrimSpace(k), "_", "-")
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, `"`) {
			uq, err := strconv.Unquote(v)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: bad quoted value", path, n)
			}
			v = uq
		}
		switch {
		case k == "":
			return nil, fmt.Errorf("%s:%d: empty key", path, n)
		case known != nil && !known(k):
			return nil, fmt.Errorf("%s:%d: unknown setting %q", path, n, k)
		case seen[k] > 0:
			return nil, fmt.Errorf("%s:%d: %q set again (first on line %d)", path, n, k, seen[k])
		}
		seen[k] = n
		out = append(out, Setting{Key: k, Value: v, Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return out, nil
}
