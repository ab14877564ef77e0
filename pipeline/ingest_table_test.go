package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"integstat/delivery"
	"integstat/demo"
)

// TestIngestFarDuplicates ingests a NIR delivery in small chunks after
// appending to timer.csv and personer.csv copies of rows from near their
// start: duplicates far from the rows they repeat, which the check while
// reading misses. The table must be read again and give exactly the planted
// faults plus the copies as duplicates, the first row of each key kept.
func TestIngestFarDuplicates(t *testing.T) {
	defer func(n int) { chunkBytes = n }(chunkBytes)
	chunkBytes = 4 << 10
	set := demoSet(t, demo.Options{Seed: 4, Scale: 0.02, BadRate: 0.01})
	const id = "20180228T230000"
	src := filepath.Join(set, "inbox", "nir", id)
	inbox := t.TempDir()
	dir := filepath.Join(inbox, "nir", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	faults, err := demo.ReadAnswerKey(demo.AnswerKeyPath(set))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{} // file → "line|reason"
	bad := map[string]bool{}      // file|line planted
	for _, f := range faults {
		if f.Source == "nir" && f.DeliveryID == id && f.Kind == "quarantine" {
			want[f.File] = append(want[f.File], strconv.FormatInt(f.Line, 10)+"|"+f.Reason)
			bad[f.File+"|"+strconv.FormatInt(f.Line, 10)] = true
		}
	}
	m, err := delivery.ReadManifest(src)
	if err != nil {
		t.Fatal(err)
	}
	copies := map[string]int{"timer.csv": 3, "personer.csv": 1}
	for i, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(src, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if n := copies[f.Name]; n > 0 {
			lines := bytes.SplitAfter(data, []byte("\n"))
			next := len(lines) // the line the first copy gets (the last entry is empty)
			for l := 2; n > 0; l++ {
				// A good one-line row (no quote, not planted), far from the end.
				if bad[f.Name+"|"+strconv.Itoa(l)] || bad[f.Name+"|"+strconv.Itoa(l+1)] || bytes.IndexByte(lines[l-1], '"') >= 0 {
					continue
				}
				data = append(data, lines[l-1]...)
				want[f.Name] = append(want[f.Name], strconv.Itoa(next)+"|duplicate primary key")
				next++
				n--
				m.Files[i].Rows++
				l += 40
			}
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

	wh, key := newWarehouse(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	sum, err := Ingest(context.Background(), IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true, Log: log})
	if err != nil || sum.Loaded != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	if !strings.Contains(logs.String(), "file=timer.csv") || !strings.Contains(logs.String(), "reading the table again") {
		t.Errorf("timer.csv was not read again:\n%s", logs.String())
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, f := range m.Files {
		var have []string
		q := readCSV(t, filepath.Join(wh.Quarantine(), "nir", id, f.Name+".quarantine.csv"))
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
		if err := db.QueryRow("SELECT count(*) FROM read_parquet('" + filepath.Join(wh.Parquet(), "nir", table, "delivery_id="+id, "*.parquet") + "')").Scan(&n); err != nil {
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
