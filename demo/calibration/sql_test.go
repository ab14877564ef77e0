package calibration

import (
	"context"
	"database/sql"
	"testing"
)

// TestDateHelpers checks the age and calendar-month helpers of common.sql
// on the edges indicators.md names.
func TestDateHelpers(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := setUp(ctx, conn); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		expr string
		want string
	}{
		{"alder(DATE '2000-02-29', DATE '2018-02-28')", "17"},
		{"alder(DATE '2000-02-29', DATE '2018-03-01')", "18"},
		{"alder(DATE '2000-02-29', DATE '2016-02-29')", "16"},
		{"alder(DATE '1979-12-31', DATE '2016-12-31')", "37"},
		{"alder(DATE '2001-06-02', DATE '2016-06-01')", "14"},
		{"pluss_mnd(DATE '2017-08-31', 6)", "2018-02-28"},
		{"pluss_mnd(DATE '2015-08-31', 6)", "2016-02-29"},
		{"pluss_mnd(DATE '2016-11-30', 3)", "2017-02-28"},
		{"pluss_mnd(DATE '2016-02-29', 12)", "2017-02-28"},
		{"innen_mnd(DATE '2016-08-31', DATE '2017-02-28', 6)", "true"},
		{"innen_mnd(DATE '2016-08-31', DATE '2017-03-01', 6)", "false"},
		{"maaneder(DATE '2017-01-01', DATE '2017-01-01' + 30)", "0.9856262833675564"},
		{"kommune_i('1601', 2018)", "5001"},
		{"kommune_i('1601', 2017)", "1601"},
	}
	for _, tt := range tests {
		var got string
		if err := conn.QueryRowContext(ctx, "SELECT CAST("+tt.expr+" AS VARCHAR)").Scan(&got); err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if got != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
		}
	}
}
