package duckappend

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"testing"
)

func TestRows(t *testing.T) {
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
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE t (a VARCHAR, b INTEGER, c BIGINT)`); err != nil {
		t.Fatal(err)
	}
	rows := [][]driver.Value{{"Bærum", int32(2017), int64(5)}, {"Tromsø", int32(2018), nil}}
	if err := Rows(ctx, conn, "t", rows); err != nil {
		t.Fatal(err)
	}
	var n, nulls int
	var sum int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*), sum(b), count(*) FILTER (WHERE c IS NULL) FROM t WHERE a IN ('Bærum', 'Tromsø')`).Scan(&n, &sum, &nulls); err != nil {
		t.Fatal(err)
	}
	if n != 2 || sum != 4035 || nulls != 1 {
		t.Fatalf("rows %d, sum %d, nulls %d", n, sum, nulls)
	}
	if err := Rows(ctx, conn, "t", [][]driver.Value{{"x", "not a number", int64(1)}}); err == nil {
		t.Error("a value of the wrong type was appended")
	}
	if err := Rows(ctx, conn, "missing", rows); err == nil {
		t.Error("appended to a table that does not exist")
	}
}
