package sqlshell_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
	"integstat/readers/sqlshell"
)

// smallCases is the small cases' warehouse with its marts published,
// shared by the tests (each only reads it): Dir builds it the first time
// a test asks.
var smallCases = &fixture.Shared{Inbox: testkit.SmallInbox(), Prefix: "sqlshell-test-"}

func TestMain(m *testing.M) {
	code := m.Run()
	smallCases.Remove()
	os.Exit(code)
}

// openSmallCases opens a session on the small cases' analysis mart,
// closed when the test ends.
func openSmallCases(t *testing.T) *sqlshell.Session {
	t.Helper()
	s, err := sqlshell.Open(context.Background(), sqlshell.MartPath(smallCases.Dir(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fingerprint is what a directory of marts holds: each file's name, size
// and SHA-256.
func fingerprint(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d %x", e.Name(), len(b), sha256.Sum256(b)))
	}
	return out
}

// TestNothingChangesTheMart runs every kind of statement that writes,
// attaches, exports, loads or reconfigures against the analysis mart and
// checks that each fails and that the files of the publication are byte
// for byte as they were.
func TestNothingChangesTheMart(t *testing.T) {
	dir := smallCases.Dir(t)
	pubDir, err := filepath.EvalSymlinks(filepath.Join(dir, "marts"))
	if err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, pubDir)
	ctx := context.Background()
	s, err := sqlshell.Open(ctx, sqlshell.MartPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var rows bytes.Buffer
	if err := s.Run(ctx, `SELECT count(*) FROM indikator`, sqlshell.CSV, &rows); err != nil {
		t.Fatal(err)
	}
	mart := sqlshell.MartPath(dir)
	outside := filepath.Join(t.TempDir(), "x")
	for _, stmt := range []string{
		`CREATE TABLE t (a INTEGER)`,
		`INSERT INTO indikator SELECT * FROM indikator LIMIT 1`,
		`UPDATE indikator SET verdi = 0`,
		`DELETE FROM indikator`,
		`DROP TABLE indikator`,
		`ALTER TABLE indikator ADD COLUMN x INTEGER`,
		`ALTER TABLE indikator RENAME TO y`,
		`CREATE VIEW v AS SELECT 1`,
		`CREATE MACRO m(a) AS a + 1`,
		`CREATE SEQUENCE s`,
		`CREATE INDEX i ON indikator (indikator)`,
		`COMMENT ON TABLE indikator IS 'x'`,
		`SELECT 1; DROP TABLE indikator`,
		`ATTACH '` + mart + `' AS w (READ_WRITE)`,
		`ATTACH '` + outside + `.duckdb' AS o`,
		`DETACH analyse`,
		`COPY indikator TO '` + outside + `.csv'`,
		`COPY indikator TO '` + filepath.Join(pubDir, "x.csv") + `'`,
		`EXPORT DATABASE '` + outside + `'`,
		`SELECT * FROM read_csv('/etc/passwd')`,
		`INSTALL httpfs`,
		`LOAD httpfs`,
		`SET enable_external_access = true`,
		`SET lock_configuration = false`,
		`RESET lock_configuration`,
		`SET access_mode = 'read_write'`,
		`PRAGMA enable_external_access`,
	} {
		var out bytes.Buffer
		if err := s.Run(ctx, stmt, sqlshell.Table, &out); err == nil {
			t.Errorf("%s: no error; it printed %q", stmt, out.String())
		}
	}
	// These are allowed and must change nothing: DuckDB checkpoints and
	// vacuums a read-only file as a no-op, and attaching the same file
	// again gives the same read-only database, which refuses writes.
	for _, stmt := range []string{`CHECKPOINT`, `FORCE CHECKPOINT`, `VACUUM`, `ATTACH '` + mart + `' AS w`} {
		if err := s.Run(ctx, stmt, sqlshell.Table, io.Discard); err != nil {
			t.Logf("%s: %v", stmt, err)
		}
	}
	for _, stmt := range []string{`CREATE TABLE w.t (a INTEGER)`, `DELETE FROM w.indikator`, `DROP TABLE w.indikator`} {
		if err := s.Run(ctx, stmt, sqlshell.Table, io.Discard); err == nil {
			t.Errorf("%s: no error", stmt)
		}
	}
	var after bytes.Buffer
	if err := s.Run(ctx, `SELECT count(*) FROM indikator`, sqlshell.CSV, &after); err != nil {
		t.Fatal(err)
	}
	if after.String() != rows.String() {
		t.Errorf("indikator had %q rows, now %q", rows.String(), after.String())
	}
	s.Close()
	if got := fingerprint(t, pubDir); !slices.Equal(got, before) {
		t.Errorf("the publication's files changed: %d files before, %d after", len(before), len(got))
	}
	if _, err := os.Stat(outside + ".csv"); err == nil {
		t.Error("COPY wrote a file")
	}
}

func TestFormats(t *testing.T) {
	ctx := context.Background()
	s := openSmallCases(t)
	const q = `SELECT region, region_navn, aar, CAST(NULL AS DOUBLE) AS tom, 0.25 AS andel, DATE '2018-03-05' AS data_per
		FROM region WHERE region IN ('1902', '0121') AND aar = 2017 ORDER BY region`
	run := func(f sqlshell.Format) string {
		var b bytes.Buffer
		if err := s.Run(ctx, q, f, &b); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		return b.String()
	}

	recs, err := csv.NewReader(strings.NewReader(run(sqlshell.CSV))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"region", "region_navn", "aar", "tom", "andel", "data_per"},
		{"0121", "Rømskog", "2017", "", "0.25", "2018-03-05"},
		{"1902", "Tromsø", "2017", "", "0.25", "2018-03-05"},
	}
	if !slices.EqualFunc(recs, want, slices.Equal) {
		t.Errorf("csv: %q", recs)
	}

	var js []map[string]any
	if err := json.Unmarshal([]byte(run(sqlshell.JSON)), &js); err != nil {
		t.Fatal(err)
	}
	if len(js) != 2 || js[1]["region_navn"] != "Tromsø" || js[1]["aar"] != float64(2017) || js[1]["tom"] != nil || js[1]["data_per"] != "2018-03-05" {
		t.Errorf("json: %v", js)
	}

	table := run(sqlshell.Table)
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "region | region_navn | aar") || !strings.Contains(lines[3], "Tromsø") ||
		!strings.Contains(lines[3], "NULL") || lines[4] != "(2 rows)" {
		t.Errorf("table:\n%s", table)
	}
	// Columns line up although names have æ, ø, å (one rune, two bytes).
	for _, i := range []int{2, 3} {
		if col(lines[i], 2) != col(lines[0], 2) {
			t.Errorf("table: row %d's third column starts at %d, the header's at %d:\n%s", i, col(lines[i], 2), col(lines[0], 2), table)
		}
	}
	if _, err := sqlshell.ParseFormat("xlsx"); err == nil {
		t.Error("ParseFormat accepts xlsx")
	}
}

// col is the rune position where the n-th separator " | " of a line starts.
func col(line string, n int) int {
	pos := 0
	for range n {
		i := strings.Index(line[pos:], " | ")
		if i < 0 {
			return -1
		}
		pos += i + 3
	}
	return utf8.RuneCountInString(line[:pos])
}

// TestInteractive drives the shell as a terminal would: keystrokes in,
// VT100 out, a statement over two lines, a dot command, an error that
// does not end the session, Ctrl-D, and the history kept in a file.
func TestInteractive(t *testing.T) {
	ctx := context.Background()
	s := openSmallCases(t)
	hist := filepath.Join(t.TempDir(), "history")
	keys := "SELECT region_navn\r  FROM region WHERE region = '1902' AND aar = 2018;\r" +
		"SELEC nonsense;\r" +
		".format csv\r" +
		"SELECT 40 + 2 AS svar;\r" +
		".tables\r" +
		"\x04" // Ctrl-D
	var out bytes.Buffer
	term := struct {
		io.Reader
		io.Writer
	}{strings.NewReader(keys), &out}
	if err := s.Interactive(ctx, term, sqlshell.Table, hist); err != nil {
		t.Fatal(err)
	}
	screen := out.String()
	for _, want := range []string{"Tromsø", "(1 rows)", "Error:", "svar\r\n42\r\n", "indikator_katalog", "nir_personer"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q:\n%s", want, screen)
		}
	}
	b, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if h := string(b); !strings.Contains(h, "SELECT 40 + 2 AS svar;") || !strings.Contains(h, ".format csv") {
		t.Errorf("history file:\n%s", h)
	}
	if fi, _ := os.Stat(hist); fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", fi.Mode().Perm())
	}
}
