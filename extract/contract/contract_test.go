package contract

import (
	"os"
	"strings"
	"testing"

	"integstat/internal/testkit"
)

// TestMatchesSpec checks every table and column against the contract text
// in ../shared/spec/sources.md, so the data here cannot drift from it.
func TestMatchesSpec(t *testing.T) {
	b, err := os.ReadFile(testkit.Shared("spec", "sources.md"))
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("spec not found: %v", err)
		}
		t.Fatal(err)
	}
	spec := string(b)
	for _, tb := range Tables {
		if !strings.Contains(spec, tb.Name) {
			t.Errorf("table %s not in sources.md", tb.Name)
		}
		if tb.Format == "csv" && !strings.Contains(spec, tb.File) && tb.Source != "tolk" {
			t.Errorf("file %s not in sources.md", tb.File)
		}
		for _, c := range tb.Cols {
			if !strings.Contains(spec, "| "+c.Name+" |") && !strings.Contains(spec, c.Name+",") && !strings.Contains(spec, ", "+c.Name+" |") {
				t.Errorf("%s.%s not in sources.md", tb.Name, c.Name)
			}
			if c.Type == Code {
				for _, code := range c.Codes {
					if !strings.Contains(spec, "`"+code+"`") && !strings.Contains(spec, code) {
						t.Errorf("%s.%s: code %s not in sources.md", tb.Name, c.Name, code)
					}
				}
			}
		}
		for _, k := range tb.Key {
			if tb.Index(k) < 0 {
				t.Errorf("%s: key column %s missing", tb.Name, k)
			}
		}
		if tb.KommuneDate != "" && tb.Index(tb.KommuneDate) < 0 {
			t.Errorf("%s: kommune date column %s missing", tb.Name, tb.KommuneDate)
		}
		if got, ok := ByFile(tb.Source, tb.File); !ok || got != tb {
			t.Errorf("ByFile(%s, %s) did not find the table", tb.Source, tb.File)
		}
	}
}
