package pipeline

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"integstat/demo"
	"integstat/extract/delivery"
	"integstat/internal/testkit/ingesttest"
	"integstat/load/warehouse"
)

// alteredDelivery generates a small demo set, copies its NIR delivery id
// into a new inbox with each file's lines passed through alter (given the
// file's planted quarantine lines; lines[0] is the header, and the last
// line keeps its line end), writes a manifest that matches and ingests it
// in small chunks. It returns the warehouse, the manifest, the planted
// faults as "line|reason" by file, and the ingest's log.
func alteredDelivery(t *testing.T, alter func(name string, lines [][]byte, planted map[int]string) [][]byte) (*warehouse.Warehouse, delivery.Manifest, string) {
	t.Helper()
	defer func(n int) { chunkBytes = n }(chunkBytes)
	chunkBytes = 4 << 10
	set := demoSet(t, demo.Options{Seed: 4, Scale: 0.02, BadRate: 0.01})
	src := filepath.Join(set, "inbox", "nir", alteredID)
	inbox := t.TempDir()
	faults, err := demo.ReadAnswerKey(demo.AnswerKeyPath(set))
	if err != nil {
		t.Fatal(err)
	}
	m, err := delivery.ReadManifest(src)
	if err != nil {
		t.Fatal(err)
	}
	m = ingesttest.Rewrite(t, src, filepath.Join(inbox, "nir", alteredID), m, func(name string, data []byte) ([]byte, int64) {
		planted := map[int]string{}
		for _, fl := range faults {
			if fl.Source == "nir" && fl.DeliveryID == alteredID && fl.Kind == "quarantine" && fl.File == name {
				planted[int(fl.Line)] = fl.Reason
			}
		}
		if !bytes.HasSuffix(data, []byte("\n")) {
			t.Fatalf("%s does not end with a line end", name)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		lines = lines[:len(lines)-1] // the empty entry after the last line end
		n := len(lines)
		lines = alter(name, lines, planted)
		return bytes.Join(lines, nil), int64(len(lines) - n) // whole rows added or removed
	})
	wh, key := ingesttest.Warehouse(t, t.TempDir())
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	sum, err := Ingest(context.Background(), IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true, Log: log})
	if err != nil || sum.Loaded != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	return wh, m, logs.String()
}

// alteredID is the delivery alteredDelivery copies.
const alteredID = "20180228T230000"

// goodLine reports whether line l (1-based) of lines is a data row that
// is neither planted nor quoted, nor next to a planted one.
func goodLine(lines [][]byte, planted map[int]string, l int) bool {
	_, bad := planted[l]
	_, badNext := planted[l+1]
	return l >= 2 && !bad && !badNext && bytes.IndexByte(lines[l-1], '"') < 0
}

// TestIngestFarDuplicates ingests a NIR delivery in small chunks after
// appending to timer.csv and personer.csv copies of rows from near their
// start: duplicates far from the rows they repeat, which the check while
// reading misses. The table must be read again and give exactly the planted
// faults plus the copies as duplicates, the first row of each key kept.
func TestIngestFarDuplicates(t *testing.T) {
	want := map[string][]string{} // file → "line|reason"
	copies := map[string]int{"timer.csv": 3, "personer.csv": 1}
	wh, m, logs := alteredDelivery(t, func(name string, lines [][]byte, planted map[int]string) [][]byte {
		for l, reason := range planted {
			want[name] = append(want[name], strconv.Itoa(l)+"|"+reason)
		}
		n := len(lines)
		for l := 2; copies[name] > 0; l++ {
			if goodLine(lines, planted, l) {
				lines = append(lines, lines[l-1])
				want[name] = append(want[name], strconv.Itoa(len(lines))+"|duplicate primary key")
				copies[name]--
				l += 40
			}
		}
		if len(lines) == n && name != "introprogram.csv" && name != "norskopplaering.csv" {
			t.Fatalf("%s: no copies", name)
		}
		return lines
	})
	for _, msg := range []string{"rows of one key value in several runs: read again", "duplicate keys far apart"} {
		if !strings.Contains(logs, "file=timer.csv") || !strings.Contains(logs, msg) {
			t.Errorf("timer.csv was not read again (%s):\n%s", msg, logs)
		}
	}
	checkQuarantine(t, wh, alteredID, m, want)
}

// TestIngestSplitRuns moves rows of timer.csv from the middle to the end:
// their persons' rows then come in two runs, though no key repeats. Those
// runs are read again, and no row is quarantined but the planted faults.
func TestIngestSplitRuns(t *testing.T) {
	want := map[string][]string{}
	wh, m, logs := alteredDelivery(t, func(name string, lines [][]byte, planted map[int]string) [][]byte {
		var moved [][]byte
		for l := len(lines) / 4; name == "timer.csv" && len(moved) < 3; l += len(lines) / 5 {
			for !goodLine(lines, planted, l) {
				l++
			}
			// The planted faults after the row move up a line.
			moved = append(moved, lines[l-1])
			lines = slices.Delete(lines, l-1, l)
			shifted := map[int]string{}
			for p, reason := range planted {
				if p > l {
					p--
				}
				shifted[p] = reason
			}
			planted = shifted
		}
		for l, reason := range planted {
			want[name] = append(want[name], strconv.Itoa(l)+"|"+reason)
		}
		return append(lines, moved...)
	})
	if !strings.Contains(logs, "rows of one key value in several runs: read again") || strings.Contains(logs, "duplicate keys far apart") {
		t.Errorf("timer.csv's split runs were not read again, or more was:\n%s", logs)
	}
	checkQuarantine(t, wh, alteredID, m, want)
}

// checkQuarantine checks that each file of the delivery quarantined the
// "line|reason" of want and loaded the rest into Parquet, and that no key
// spill was left behind.
func checkQuarantine(t *testing.T, wh *warehouse.Warehouse, id string, m delivery.Manifest, want map[string][]string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, f := range m.Files {
		var have []string
		q := readCSV(t, wh.QuarantineFile("nir", id, f.Name))
		for _, r := range q[1:] {
			have = append(have, r[1]+"|"+r[3])
		}
		slices.Sort(have)
		slices.Sort(want[f.Name])
		if !slices.Equal(have, want[f.Name]) {
			t.Errorf("%s: quarantined %v\nwant %v", f.Name, have, want[f.Name])
		}
		var n int64
		table := strings.TrimSuffix(f.Name, ".csv")
		if err := db.QueryRow("SELECT count(*) FROM read_parquet('" + wh.PartitionGlob("nir", table, id) + "')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != f.Rows-int64(len(q)-1) {
			t.Errorf("%s: %d rows in Parquet, want %d read - %d quarantined", f.Name, n, f.Rows, len(q)-1)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(wh.Restricted(), ".keys-*")); len(left) > 0 {
		t.Errorf("key spills left behind: %v", left)
	}
}
