package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	known := func(k string) bool { return k == "threshold" || k == "allow-synthetic-ids" || k == "inbox" }
	for _, c := range []struct {
		name, text, err string
		want            []Setting
	}{
		{"settings", "# comment\n\nthreshold = 5\nallow_synthetic_ids=true\ninbox = \"/data/inn boks\"\n", "",
			[]Setting{{"threshold", "5", 3}, {"allow-synthetic-ids", "true", 4}, {"inbox", "/data/inn boks", 5}}},
		{"no equals", "threshold 5\n", ":1: want key = value", nil},
		{"unknown", "\nthreshhold = 5\n", `:2: unknown setting "threshhold"`, nil},
		{"twice", "threshold = 5\nthreshold = 6\n", `:2: "threshold" set again (first on line 1)`, nil},
		{"bad quote", "inbox = \"open\n", ":1: bad quoted value", nil},
		{"empty key", " = 4\n", ":1: empty key", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "integstat.conf")
			if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Read(path, known)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), path+c.err) {
					t.Fatalf("error %v, want %q", err, path+c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %+v", got)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("setting %d: %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}
