package calibration

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// copyDelivery copies the small cases' delivery source/id into a new inbox,
// lets edit change one of its files, rewrites the manifest to match, and
// returns the inbox.
func copyDelivery(t *testing.T, source, id, file string, edit func([]byte) []byte) string {
	t.Helper()
	inbox := t.TempDir()
	from := filepath.Join(smallCases, "inbox", source, id)
	to := filepath.Join(inbox, source, id)
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == file {
			b = edit(b)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := buildManifest(to, source, id, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeManifest(to, m); err != nil {
		t.Fatal(err)
	}
	return inbox
}

// replace returns an edit that replaces old by new once, failing if old is absent.
func replace(t *testing.T, old, new string) func([]byte) []byte {
	return func(b []byte) []byte {
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("fixture lacks %q", old)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
}

// regzip returns an edit of a gzip file's content.
func regzip(t *testing.T, edit func([]byte) []byte) func([]byte) []byte {
	return func(b []byte) []byte {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var plain bytes.Buffer
		if _, err := plain.ReadFrom(zr); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		zw.Write(edit(plain.Bytes()))
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
}

// elevenDigits finds anything that looks like an identity number.
var elevenDigits = regexp.MustCompile(`[0-9]{11}`)

// TestBadInput checks that input breaking the contracts gives an error that
// names the file, the line or record and the problem, and never echoes the
// identity number on the line.
func TestBadInput(t *testing.T) {
	const tolkID, fnr = "20180105T020000", "23846942084" // interpreter 4, the fourth data row of tolk.csv
	row4 := "4;" + fnr + ";Tolk;Fire;tolk4@example.org;+47 400 00 004;K;1969;1103;J;N;2016-01-01;;2016-01-01 09:00:00;"
	tests := []struct {
		name   string
		source string
		id     string
		file   string
		edit   func([]byte) []byte
		want   []string
	}{
		{"bad date", "tolk", tolkID, "tolk.csv", replace(t, row4, strings.Replace(row4, "2016-01-01", "2016-1-1", 1)),
			[]string{"tolk/20180105T020000/tolk.csv", "record 4", "registrert_dato is not a date"}},
		{"field too many", "tolk", tolkID, "tolk.csv", replace(t, row4, row4+"extra;extra"),
			[]string{"tolk/20180105T020000/tolk.csv", "line 5", "Columns"}},
		{"unterminated quote", "tolk", tolkID, "tolk.csv", replace(t, row4, strings.Replace(row4, "Tolk;Fire", `"Tolk;Fire`, 1)),
			[]string{"tolk/20180105T020000/tolk.csv", "line"}},
		{"missing column", "tolk", tolkID, "tolk_sprak.csv", replace(t, "gyldig_til", "gyldig_tom"),
			[]string{"tolk/20180105T020000/tolk_sprak.csv", "lacks column gyldig_til"}},
		{"decimal point", "nir", "20180228T020000", "timer.csv", replace(t, ";12,5;", ";12.5;"),
			[]string{"nir/20180228T020000/timer.csv", "record 13", "timer is not a decimal number"}},
		{"JSON boolean as text", "bosetting", "20180305T020000", "personer.jsonl.gz",
			regzip(t, replace(t, `"fnr":"31927935077","fornavn":"Bos","etternavn":"To","fodselsdato":"1979-12-31","kjonn":"M","nasjonalitet":"ERI","kategori":"ASYL","enslig_mindreaarig":false`,
				`"fnr":"31927935077","fornavn":"Bos","etternavn":"To","fodselsdato":"1979-12-31","kjonn":"M","nasjonalitet":"ERI","kategori":"ASYL","enslig_mindreaarig":"N"`)),
			[]string{"bosetting/20180305T020000/personer.jsonl.gz", "line 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inbox := copyDelivery(t, tt.source, tt.id, tt.file, tt.edit)
			_, err := Compute(context.Background(), inbox, time.Time{}, nil)
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if elevenDigits.MatchString(err.Error()) {
				t.Errorf("error %q echoes an identity number", err)
			}
		})
	}
}

// TestRejectedDelivery checks that a delivery whose manifest disagrees with
// its files loads nothing, so that a source with no other delivery gives
// no figures.
func TestRejectedDelivery(t *testing.T) {
	inbox := copyDelivery(t, "tolk", "20180105T020000", "tolk.csv", func(b []byte) []byte { return b })
	f := filepath.Join(inbox, "tolk", "20180105T020000", "tolk_sprak.csv")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, append(b, "8;fin;1;2017-01-01;;2017-01-01 09:00:00\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(context.Background(), inbox, time.Time{}, nil); err == nil {
		t.Fatal("the only delivery is corrupt, yet Compute found figures")
	}
}
