package store_test

import (
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"integstat/extract/contract"
	"integstat/transform/store"
)

// TestLayoutNames: the names the readers get from the layout (PartGlob,
// PartPathRegexp) find exactly the files Create wrote, and not a crashed
// writer's temporary file beside them.
func TestLayoutNames(t *testing.T) {
	timer, _ := contract.Lookup("nir", "timer")
	intro, _ := contract.Lookup("nir", "introprogram")
	key := testKey(t)
	root := t.TempDir()
	var written []string
	for _, w := range []struct {
		tbl *contract.Table
		id  string
	}{{timer, "20180201T020000"}, {timer, "20180301T020000"}, {intro, "20180301T020000"}} {
		rows := synth(w.tbl, 50, key, rand.New(rand.NewPCG(3, 3)))
		info := writeTable(t, root, w.tbl, w.id, rows, 64, store.Options{})
		if got := filepath.Dir(info.Path); got != store.PartitionDir(root, "nir", w.tbl.Name, w.id) {
			t.Errorf("Create wrote into %s, PartitionDir says %s", got, store.PartitionDir(root, "nir", w.tbl.Name, w.id))
		}
		written = append(written, info.Path)
	}
	_ = startWriter(t, root, "20180401T020000", synth(timer, 10, key, rand.New(rand.NewPCG(4, 4)))) // crashed: never closed

	glob := func(source, table, id string) []string {
		t.Helper()
		m, err := filepath.Glob(store.PartGlob(root, source, table, id))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	all := glob("*", "*", "*")
	slices.Sort(all)
	want := slices.Sorted(slices.Values(written))
	if !slices.Equal(all, want) {
		t.Fatalf("PartGlob(*, *, *) = %q, want %q", all, want)
	}
	if got := glob("nir", "timer", "20180301T020000"); !slices.Equal(got, written[1:2]) {
		t.Errorf("PartGlob(nir, timer, 20180301T020000) = %q, want %q", got, written[1:2])
	}
	if got := glob("nir", "timer", "20180401T020000"); len(got) != 0 {
		t.Errorf("PartGlob matched a crashed writer's temporary file: %q", got)
	}
	re := regexp.MustCompile(store.PartPathRegexp)
	for i, want := range [][3]string{{"nir", "timer", "20180201T020000"}, {"nir", "timer", "20180301T020000"}, {"nir", "introprogram", "20180301T020000"}} {
		m := re.FindStringSubmatch(filepath.ToSlash(written[i]))
		if m == nil || m[1] != want[0] || m[2] != want[1] || m[3] != want[2] {
			t.Errorf("PartPathRegexp on %s = %q, want %q", written[i], m, want)
		}
	}
	if re.MatchString(filepath.ToSlash(filepath.Join(store.PartitionDir(root, "nir", "timer", "x"), ".part-0.parquet.tmp-1"))) {
		t.Error("PartPathRegexp matches a temporary file")
	}
}
