package pipeline

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"integstat/demo"
	"integstat/extract/delivery"
	"integstat/extract/reference"
	"integstat/extract/tolkdb"
	"integstat/internal/pgtest"
	"integstat/internal/testkit/ingesttest"
)

// TestIngestDB loads the interpreter register from a real PostgreSQL
// server: a full first read with the rows of the newest file delivery, then
// an incremental read with exactly the rows changed since.
func TestIngestDB(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t)
	set := demoSet(t, demo.Options{Seed: 9, Scale: 0.02, TolkPostgres: dsn})
	wh, key := ingesttest.Warehouse(t, t.TempDir())
	// The demo writes the register as it stood at the end of 2017; a live
	// register read today carries today's kommune codes (those valid on
	// the day of the read), so bring it up to date as the reforms would.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT DISTINCT bostedskommune FROM tolk WHERE bostedskommune IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	ref := reference.MustLoad()
	for _, c := range codes {
		now := ref.CodeAt(c, time.Date(2017, 12, 31, 0, 0, 0, 0, time.UTC), time.Now())
		if len(now) > 0 && now[0] != c {
			if _, err := conn.Exec(ctx, `UPDATE tolk SET bostedskommune = $1 WHERE bostedskommune = $2`, now[0], c); err != nil {
				t.Fatal(err)
			}
		}
	}
	src, err := tolkdb.New(dsn, tolkdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt := IngestOptions{Warehouse: wh, Key: key, AllowSynthetic: true}
	sum, err := IngestDB(ctx, opt, src)
	if err != nil {
		t.Fatal(err)
	}
	m, err := delivery.ReadManifest(filepath.Join(set, "inbox", "tolk", "20171231T230000"))
	if err != nil {
		t.Fatal(err)
	}
	var fileRows int64
	for _, f := range m.Files {
		fileRows += f.Rows
	}
	if sum.Loaded != 1 || sum.Rows != fileRows || sum.Quarantined != 0 {
		t.Fatalf("full read: %+v, the newest file delivery has %d rows", sum, fileRows)
	}

	// Nothing changed: nothing loaded.
	if sum, err = IngestDB(ctx, opt, src); err != nil || sum.Loaded != 0 {
		t.Fatalf("unchanged register: %+v %v", sum, err)
	}

	// A read within the same second as the last is refused without losing
	// anything (delivery ids count seconds); a second later it goes through.
	time.Sleep(1100 * time.Millisecond)

	// Two interpreters leave the register: the next read has just them.
	if _, err := conn.Exec(ctx, `UPDATE tolk SET avregistrert_dato = DATE '2018-01-15', endret_tidspunkt = TIMESTAMP '2018-01-15 10:00:00'
		WHERE tolk_id IN (SELECT tolk_id FROM tolk ORDER BY tolk_id LIMIT 2)`); err != nil {
		t.Fatal(err)
	}
	if sum, err = IngestDB(ctx, opt, src); err != nil || sum.Loaded != 1 || sum.Rows != 2 {
		t.Fatalf("incremental read: %+v %v", sum, err)
	}
	// The ledger tells the full read from the read of changes, which the
	// marts add to it.
	ds, err := wh.Deliveries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []bool
	for _, d := range ds {
		if d.Source == "tolk" {
			kinds = append(kinds, d.Incremental)
		}
	}
	if len(kinds) != 2 || kinds[0] || !kinds[1] {
		t.Errorf("tolk deliveries incremental = %v, want [false true]", kinds)
	}

	// The ledger has both reads as deliveries of tolk, and Parquet their rows.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM read_parquet('" + filepath.Join(wh.Parquet(), "tolk", "tolk", "*", "*.parquet") + "')").Scan(&n); err != nil {
		t.Fatal(err)
	}
	var tolkRows int64
	for _, f := range m.Files {
		if f.Name == "tolk.csv" {
			tolkRows = f.Rows
		}
	}
	if n != tolkRows+2 {
		t.Errorf("%d tolk rows in Parquet, want %d + 2", n, tolkRows)
	}

	// Canary: no identity number, name, e-mail or phone number of the
	// register anywhere outside the restricted area.
	rows, err = conn.Query(ctx, `SELECT fnr, etternavn, coalesce(epost, ''), coalesce(telefon, '') FROM tolk`)
	if err != nil {
		t.Fatal(err)
	}
	var canaries [][]byte
	for rows.Next() {
		var v [4]string
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3]); err != nil {
			t.Fatal(err)
		}
		for _, c := range v {
			if len(c) >= 6 {
				canaries = append(canaries, []byte(c))
			}
		}
	}
	if len(canaries) < 100 {
		t.Fatalf("only %d canaries", len(canaries))
	}
	// The scan finds them where they belong: the identity map holds the numbers.
	idmap, err := os.ReadFile(wh.IdentityMap())
	if err != nil || !bytes.Contains(idmap, canaries[0]) {
		t.Fatalf("the canary scan does not find a number in the identity map (%v)", err)
	}
	filepath.WalkDir(wh.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, wh.Restricted()) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, c := range canaries {
			if bytes.Contains(b, c) {
				t.Errorf("%s holds personal data from the register", p)
				break
			}
		}
		return nil
	})
}
