package pipeline

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"integstat/demo"
	"integstat/extract/delivery"
	"integstat/internal/testkit/ingesttest"
	"integstat/internal/testkit/planted"
)

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// TestIngestDemoSet ingests a demo set with faults and checks the result
// against the generator's answer key and the deliveries themselves.
func TestIngestDemoSet(t *testing.T) {
	ctx := context.Background()
	set := demoSet(t, demo.Options{Seed: 6, Scale: 0.02, BadRate: 0.01})
	inbox := filepath.Join(set, "inbox")
	wh, key := ingesttest.Warehouse(t, t.TempDir())
	whDir, keyPath := wh.Dir, filepath.Join(wh.Restricted(), "key")
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sum, err := Ingest(ctx, IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Loaded != 19 || sum.Rejected != 1 || sum.Skipped != 0 {
		t.Fatalf("summary %+v", sum)
	}

	// Quarantine = the answer key's quarantine rows, file by file.
	planted.Compare(t, planted.Quarantine(t, set), planted.Quarantined(t, wh.Quarantine()))

	// The ledger balances, reads every record of the manifest, and the
	// Parquet partitions hold exactly the loaded rows.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, src := range []string{"nir", "bosetting", "tolk"} {
		ids, _ := os.ReadDir(filepath.Join(inbox, src))
		for _, id := range ids {
			m, err := delivery.ReadManifest(filepath.Join(inbox, src, id.Name()))
			if err != nil {
				t.Fatal(err)
			}
			loads, err := wh.Loads(ctx, src, id.Name())
			if err != nil {
				t.Fatal(err)
			}
			if src == "bosetting" && id.Name() == "20150630T230000" {
				if len(loads) != 0 {
					t.Errorf("the rejected delivery has loads %+v", loads)
				}
				continue
			}
			if len(loads) != len(m.Files) {
				t.Fatalf("%s/%s: %d tables recorded, manifest has %d", src, id.Name(), len(loads), len(m.Files))
			}
			rows := map[string]int64{}
			for _, f := range m.Files {
				rows[strings.SplitN(f.Name, ".", 2)[0]] = f.Rows
			}
			for _, l := range loads {
				if l.Read != rows[l.Table] || l.Read != l.Loaded+l.Quarantine {
					t.Errorf("%s/%s %s: %+v, manifest rows %d", src, id.Name(), l.Table, l, rows[l.Table])
				}
				var n int64
				q := "SELECT count(*) FROM read_parquet('" + wh.PartitionGlob(src, l.Table, id.Name()) + "')"
				if err := db.QueryRow(q).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != l.Loaded {
					t.Errorf("%s/%s %s: %d rows in Parquet, %d loaded", src, id.Name(), l.Table, n, l.Loaded)
				}
			}
		}
	}

	// One person, one pseudonym: a D-number replaced by a fødselsnummer
	// gives the rows under both numbers the same person key.
	var persons, keys int64
	q := "SELECT count(DISTINCT person) FROM read_parquet('" + wh.PartitionGlob("nir", "personer", "20180228T230000") + "')"
	if err := db.QueryRow(q).Scan(&persons); err != nil {
		t.Fatal(err)
	}
	q = "SELECT count(*) FROM read_parquet('" + wh.PartitionGlob("nir", "personer", "20180228T230000") + "')"
	if err := db.QueryRow(q).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if persons != keys || persons == 0 {
		t.Errorf("%d person keys for %d personer rows", persons, keys)
	}

	// Rows registered under a D-number before it was replaced carry the
	// person key of the personer row that shows the new number.
	pq := func(table string) string {
		return "read_parquet('" + wh.PartitionGlob("nir", table, "20180228T230000") + "')"
	}
	var orphans, linked int64
	if err := db.QueryRow("SELECT count(*) FROM (SELECT DISTINCT person FROM " + pq("timer") + ") t WHERE person NOT IN (SELECT person FROM " + pq("personer") + ")").Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d persons in timer without a personer row", orphans)
	}
	// The demo plants such changes: some personer rows name a former number.
	for _, row := range readCSV(t, filepath.Join(inbox, "nir", "20180228T230000", "personer.csv"))[1:] {
		if len(row) > 11 && row[11] != "" {
			linked++
		}
	}
	if linked == 0 {
		t.Fatal("no identity-number changes in the demo set to test with")
	}

	// Every Parquet file names the key that made its pseudonyms.
	var keyFiles, files int64
	if err := db.QueryRow("SELECT count(DISTINCT file_name) FILTER (WHERE key::VARCHAR = 'integstat.key_id' AND value::VARCHAR = ?), count(DISTINCT file_name) FROM parquet_kv_metadata('"+filepath.Join(wh.Parquet(), "*", "*", "*", "*.parquet")+"')", key.ID()).Scan(&keyFiles, &files); err != nil {
		t.Fatal(err)
	}
	if files < 19*2 || keyFiles != files {
		t.Errorf("%d of %d Parquet files carry the key id", keyFiles, files)
	}

	// A second run loads nothing again.
	sum, err = Ingest(ctx, IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true})
	if err != nil || sum.Loaded != 0 || sum.Skipped != 19 {
		t.Fatalf("second run: %+v %v", sum, err)
	}

	// Canary: no identity number, DUF number or name of the inbox anywhere
	// outside the restricted area (Parquet, ledger, logs), in plain text,
	// base64 or hex, and not the key either.
	canaries := map[string]bool{}
	for i, row := range readCSV(t, filepath.Join(inbox, "nir", "20180228T230000", "personer.csv"))[1:] {
		if i%5 == 0 && len(row) > 11 {
			canaries[row[0]] = true  // fnr
			canaries[row[2]] = true  // family name
			canaries[row[11]] = true // former number
		}
	}
	for i, row := range readCSV(t, filepath.Join(inbox, "tolk", "20171231T230000", "tolk.csv"))[1:] {
		if i%3 == 0 && len(row) > 5 {
			canaries[row[1]], canaries[row[4]], canaries[row[5]] = true, true, true // fnr, e-mail, phone
		}
	}
	keyBytes, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	keyHex := strings.TrimSpace(strings.TrimPrefix(string(keyBytes), "integstat key v1"))
	patterns := [][]byte{[]byte(keyHex)}
	for c := range canaries {
		if len(c) >= 6 {
			patterns = append(patterns, []byte(c), []byte(base64.StdEncoding.EncodeToString([]byte(c))), []byte(hex.EncodeToString([]byte(c))))
		}
	}
	hit := func(b []byte) bool {
		for _, p := range patterns {
			if bytes.Contains(b, p) {
				return true
			}
		}
		return false
	}
	scan := func(name string, b []byte) {
		if hit(b) {
			t.Errorf("%s contains personal data or the key", name)
		}
	}
	scan("the log", logs.Bytes())
	filepath.WalkDir(whDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, wh.Restricted()) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		scan(p, b)
		return nil
	})
	// The scan finds what it looks for where it is: in the inbox and in the
	// restricted key file.
	for _, p := range []string{filepath.Join(inbox, "tolk", "20171231T230000", "tolk.csv"), keyPath} {
		if b, _ := os.ReadFile(p); !hit(b) {
			t.Errorf("the canary scan finds nothing in %s", p)
		}
	}
}
