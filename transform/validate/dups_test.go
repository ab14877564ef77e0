package validate

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestDuplicatesMatchCheck spills the keys of timer rows with duplicates
// next to each other, far apart and repeated several times, from two
// spills that take the rows in interleaved chunks (as the ingest workers
// do), and checks that Duplicates gives exactly the lines whose key (the
// key columns' values, compared as text) an earlier line had, at one bucket
// and at several, and Repeats every line of a key that repeats.
func TestDuplicatesMatchCheck(t *testing.T) {
	tb := table(t, "nir", "timer")
	persons := numbers(50)
	rng := rand.New(rand.NewPCG(7, 7))
	var rows, later [][]string
	for len(rows) < 20000 {
		p := persons[rng.IntN(len(persons))]
		row := []string{p, "0301", fmt.Sprintf("2017-%02d", 1+rng.IntN(12)), "NORSK", "INTRO", "10", "", "2017-12-01 10:00:00"}
		rows = append(rows, row)
		switch rng.IntN(50) {
		case 0: // the row again, next to itself
			rows = append(rows, row)
		case 1: // the row again, far away
			later = append(later, row)
		}
	}
	rows = append(rows, later...)
	// Most keys repeat by chance too (50 persons × 12 months). The key
	// is the first five columns.
	if !slices.Equal(tb.Key, tb.Names()[:5]) {
		t.Fatalf("timer's key is %v", tb.Key)
	}
	seen := map[string]bool{}
	var want []int64
	for i, row := range rows {
		k := strings.Join(row[:5], "\x00")
		if seen[k] {
			want = append(want, int64(i+2))
		}
		seen[k] = true
	}
	if len(want) < 100 {
		t.Fatalf("only %d duplicates in the fixture", len(want))
	}
	// Repeats gives every line of a key that repeats, its first too.
	count := map[string]int{}
	for _, row := range rows {
		count[strings.Join(row[:5], "\x00")]++
	}
	var wantRepeats []int64
	for i, row := range rows {
		if count[strings.Join(row[:5], "\x00")] > 1 {
			wantRepeats = append(wantRepeats, int64(i+2))
		}
	}
	if len(wantRepeats) <= len(want) {
		t.Fatalf("%d repeated lines, %d duplicates", len(wantRepeats), len(want))
	}
	for _, c := range []struct {
		size int64
		all  bool
	}{{int64(len(rows)), false}, {5 * bucketEntries, false}, {int64(len(rows)), true}, {5 * bucketEntries, true}} {
		size := c.size
		dir := t.TempDir()
		f, err := NewDupFinder(dir, size)
		if err != nil {
			t.Fatal(err)
		}
		s1, err := f.Spill()
		if err != nil {
			t.Fatal(err)
		}
		s2, err := f.Spill()
		if err != nil {
			t.Fatal(err)
		}
		v := New(tb, ref, extractedAt, Options{AllowSynthetic: true})
		// Chunks of 100 rows, odd chunks to the second spill and written
		// before the even chunk before them.
		for c := 0; c < len(rows); c += 200 {
			for _, part := range [][2]int{{c + 100, c + 200}, {c, c + 100}} {
				s := s1
				if part[0]%200 != 0 {
					s = s2
				}
				for i := part[0]; i < min(part[1], len(rows)); i++ {
					if err := s.Add(v.KeyHash(rows[i]), int64(i+2)); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		find, want := f.Duplicates, want
		if c.all {
			find, want = f.Repeats, wantRepeats
		}
		got, err := find()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d buckets, repeats %t: %d lines, want %d; first differences: %v", f.buckets, c.all, len(got), len(want), firstDiff(got, want))
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("Close left %d entries in the directory", len(left))
		}
	}
}

// firstDiff returns the lines in one list and not the other, a few.
func firstDiff(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if _, ok := slices.BinarySearch(a, x); !ok {
			out = append(out, -x)
		}
	}
	return out[:min(len(out), 10)]
}

// TestDuplicatesNone checks that a table whose keys are all different has
// none, and one without rows too.
func TestDuplicatesNone(t *testing.T) {
	tb := table(t, "nir", "personer")
	v := New(tb, ref, extractedAt, Options{AllowSynthetic: true})
	f, err := NewDupFinder(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := f.Spill()
	if err != nil {
		t.Fatal(err)
	}
	row := make([]string, len(tb.Cols))
	for i, n := range numbers(3000) {
		row[tb.Index("fnr")] = n
		if err := s.Add(v.KeyHash(row), int64(i+2)); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := f.Duplicates(); err != nil || len(got) != 0 {
		t.Errorf("Duplicates = %v, %v; want none", got, err)
	}
}
