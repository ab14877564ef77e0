package warehouse

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultCadence is how often each source is expected to deliver: NIR
// monthly, settlement daily, interpreters weekly.
var DefaultCadence = map[string]time.Duration{
	"nir":       31 * 24 * time.Hour,
	"bosetting": 24 * time.Hour,
	"tolk":      7 * 24 * time.Hour,
}

// ParseCadence reads expected cadences such as "nir=31d,bosetting=1d,tolk=7d"
// (units d, h or m) over DefaultCadence; "" gives the defaults.
func ParseCadence(s string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for k, v := range DefaultCadence {
		out[k] = v
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		src, val, ok := strings.Cut(part, "=")
		if _, known := DefaultCadence[src]; !ok || !known {
			return nil, fmt.Errorf("cadence %q: want source=duration for a source of %v", part, sortedKeys(DefaultCadence))
		}
		var d time.Duration
		var err error
		if n, found := strings.CutSuffix(val, "d"); found {
			var days int
			days, err = strconv.Atoi(n)
			d = time.Duration(days) * 24 * time.Hour
		} else {
			d, err = time.ParseDuration(val)
		}
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("cadence %q: %q is not a duration such as 7d or 12h", part, val)
		}
		out[src] = d
	}
	return out, nil
}

// Freshness says whether a source delivered as often as expected.
type Freshness struct {
	Source  string
	Newest  time.Time // when its newest delivery was extracted; zero: none yet
	Cadence time.Duration
	Overdue bool // no delivery within the cadence before now
}

// Fresh reports the freshness of every source of cadence, by name, from
// the loaded deliveries.
func Fresh(ds []DeliveryLoad, cadence map[string]time.Duration, now time.Time) []Freshness {
	newest := map[string]time.Time{}
	for _, d := range ds {
		if d.Extracted.After(newest[d.Source]) {
			newest[d.Source] = d.Extracted
		}
	}
	var out []Freshness
	for _, src := range sortedKeys(cadence) {
		n := newest[src]
		out = append(out, Freshness{Source: src, Newest: n, Cadence: cadence[src], Overdue: n.IsZero() || now.Sub(n) > cadence[src]})
	}
	return out
}

func sortedKeys(m map[string]time.Duration) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
