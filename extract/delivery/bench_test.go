package delivery

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// timerHeader and timerRow mimic timer.csv, the table with hundreds of
// millions of rows at scale 100.
var timerHeader = []string{"fnr", "kommunenummer", "maaned", "tiltak", "program", "timer", "fravaer_timer", "registrert_tidspunkt"}

func timerRow(i int) []string {
	return []string{
		fmt.Sprintf("%011d", 1017000000+i*7919%99999999),
		fmt.Sprintf("%04d", 301+i%500),
		fmt.Sprintf("2017-%02d", 1+i%12),
		[]string{"NORSK", "SAMF", "ARBEIDSPRAKSIS", "ANNET"}[i%4],
		[]string{"INTRO", "NORSK"}[i%2],
		FormatDecimal(float64(i%200)/4, 2),
		FormatDecimal(float64(i%17)/2, 2),
		"2017-03-01 02:00:00",
	}
}

// timerRows returns n rows of timer.csv.
func timerRows(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = timerRow(i)
	}
	return rows
}

func BenchmarkCSVReader(b *testing.B) {
	const n = 100_000
	var buf bytes.Buffer
	writeCSV(b, &buf, timerHeader, timerRows(n), CSVOptions{CRLF: true})
	data := buf.Bytes()
	b.Run("Next", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			r, err := NewCSVReader(bytes.NewReader(data), "timer.csv")
			if err != nil {
				b.Fatal(err)
			}
			rows := 0
			for {
				_, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				rows++
			}
			if rows != n {
				b.Fatalf("read %d rows, want %d", rows, n)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("count", func(b *testing.B) { // what Verify does per file
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			rows, err := countRecords(bytes.NewReader(data), "timer.csv")
			if err != nil || rows != n {
				b.Fatalf("count = %d, %v", rows, err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

func BenchmarkCSVWriter(b *testing.B) {
	const n = 1000
	rows := timerRows(n)
	size := 0
	for _, r := range rows {
		for _, f := range r {
			size += len(f) + 1
		}
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		writeCSV(b, io.Discard, timerHeader, rows, CSVOptions{})
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkParseDecimal(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDecimal("37,25"); err != nil {
			b.Fatal(err)
		}
	}
}
