package main

import (
	"strings"
	"testing"

	"integstat/internal/testkit"
)

// TestSQLAndServeCommands runs the main job on the small cases, then
// queries the analysis mart with integstat sql in each format and checks
// that a writing statement fails with exit 1, and that serve and sql
// refuse a missing warehouse.
func TestSQLAndServeCommands(t *testing.T) {
	wh, key := newKeyedWarehouse(t, t.TempDir())
	inbox := testkit.SmallInbox()
	if code, _, stderr := runArgs("run", "--inbox", inbox, "--warehouse", wh, "--key-file", key, "--allow-synthetic-ids"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}

	const q = "SELECT region_navn FROM region WHERE region = '1902' AND aar = 2018"
	for _, tc := range []struct {
		format, want string
	}{
		{"table", "region_navn\n-----------\nTromsø\n(1 rows)\n"},
		{"csv", "region_navn\nTromsø\n"},
		{"json", "[\n  {\"region_navn\": \"Tromsø\"}\n]\n"},
	} {
		code, stdout, stderr := runArgs("sql", "--warehouse", wh, "--format", tc.format, "-c", q)
		if code != 0 || stdout != tc.want {
			t.Errorf("sql --format %s: exit %d, %q (stderr %q); want %q", tc.format, code, stdout, stderr, tc.want)
		}
	}
	// The microdata of the analysis mart are there, pseudonymised.
	if code, stdout, _ := runArgs("sql", "--warehouse", wh, "--format", "csv", "-c", "SELECT count(*) > 0 AS ok FROM nir_personer"); code != 0 || stdout != "ok\ntrue\n" {
		t.Errorf("nir_personer: exit %d, %q", code, stdout)
	}
	code, _, stderr := runArgs("sql", "--warehouse", wh, "-c", "DROP TABLE indikator")
	if code != 1 || !strings.Contains(stderr, "read-only") {
		t.Errorf("DROP TABLE: exit %d, %q", code, stderr)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sql"}, 2, "--warehouse is required"},
		{[]string{"sql", "--warehouse", wh, "--format", "xlsx"}, 2, "unknown format"},
		{[]string{"sql", "--warehouse", t.TempDir(), "-c", "SELECT 1"}, 1, "no mart"},
		{[]string{"serve"}, 2, "--warehouse is required"},
		{[]string{"serve", "--warehouse", t.TempDir()}, 1, "no publication"},
	} {
		code, _, stderr := runArgs(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
