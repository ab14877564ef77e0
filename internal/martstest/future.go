package martstest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"integstat/delivery"
)

// FutureID is the settlement delivery of 2024 the tests of today's structure
// build: the registers of the future, on the 2024 kommune list.
const FutureID = "20240601T020000"

// FutureRequests are the rows of its anmodninger.csv after the small cases'
// own, and whether each must load: a row is checked against the kommune list
// of 1 January of its year.
var FutureRequests = []struct {
	Row  string
	Load bool
}{
	{"2016;1850;3;0;3;0", true},  // Tysfjord, split in 2020 between 1806 and 1875
	{"2023;1507;4;0;4;0", true},  // Ålesund, split in 2024 into 1508 and 1580
	{"2023;5401;6;1;6;1", true},  // Tromsø before the 2024 reform
	{"2024;5501;7;1;7;1", true},  // Tromsø now
	{"2024;1508;5;0;5;0", true},  // Ålesund after the split
	{"2024;5401;2;0;2;0", false}, // Tromsø's code of 2020-2023
	{"2024;3804;3;0;3;0", false}, // Sandefjord, 3907 since 2024
	{"2023;3907;2;0;2;0", false}, // Sandefjord's code of 2024, not yet in use
}

// FutureInbox writes, from the small cases' inbox, an inbox with one settlement delivery extracted on
// 1 June 2024: the small cases' persons, and their requests followed by
// FutureRequests, with a manifest that matches.
func FutureInbox(t testing.TB, smallInbox string) string {
	t.Helper()
	src := filepath.Join(smallInbox, "bosetting", "20180305T020000")
	inbox := t.TempDir()
	dir := filepath.Join(inbox, "bosetting", FutureID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := delivery.ReadManifest(src)
	if err != nil {
		t.Fatal(err)
	}
	m.DeliveryID, m.ExtractedAt = FutureID, "2024-06-01T02:00:00+02:00"
	for i, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(src, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "anmodninger.csv" {
			text := strings.ReplaceAll(string(data), "\r\n", "\n")
			for _, r := range FutureRequests {
				text += r.Row + "\n"
			}
			data = []byte(text)
			m.Files[i].Rows += int64(len(FutureRequests))
		}
		sum := sha256.Sum256(data)
		m.Files[i].SHA256 = hex.EncodeToString(sum[:])
		if err := os.WriteFile(filepath.Join(dir, f.Name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := delivery.WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	return inbox
}
