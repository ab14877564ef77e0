package marts_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit/fixture"
	"integstat/load/marts"
	"integstat/load/publish"
	"integstat/load/releases"
)

// TestMethodChangeLeavesReleases builds and releases the small cases with
// method version 1, then with version 2 (a person bumped sql/metode.txt):
// every data state is computed again and recorded with version 2, the new
// release says m2, the earlier release still says m1 and every byte of
// its files is as it was, and integstat diff compares the two methods on
// the same data.
func TestMethodChangeLeavesReleases(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the marts twice")
	}
	wh := fixture.Ingest(t, filepath.Join(smallcases, "inbox"))
	restore := marts.SetMethod(1)
	defer restore()
	first := fixture.Build(t, wh, time.Time{})
	if !first.Released {
		t.Fatalf("the first build was not released: %+v", first)
	}
	before := treeSums(t, publish.Dir(wh.Dir, first.Publication))

	marts.SetMethod(2)
	second := fixture.Build(t, wh, time.Time{})
	if !second.Released || second.Publication == first.Publication || len(second.States) == 0 {
		t.Fatalf("the build with method 2 made %s (released %v) computing %d states; want a new release with every state computed again",
			second.Publication, second.Released, len(second.States))
	}
	after := treeSums(t, publish.Dir(wh.Dir, first.Publication))
	if len(after) != len(before) {
		t.Errorf("the earlier release has %d files, had %d", len(after), len(before))
	}
	for f, sum := range before {
		if after[f] != sum {
			t.Errorf("the earlier release's %s changed with the method", f)
		}
	}
	for id, want := range map[string]string{first.Publication: "m1 ", second.Publication: "m2 "} {
		info, err := releases.ReadInfo(wh.Dir, id)
		if err != nil || !strings.HasPrefix(info.Version, want) {
			t.Errorf("publication %s records version %q (%v), want %s…", id, info.Version, err, want)
		}
	}
	db, err := sql.Open("duckdb", wh.IndicatorHistory()+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var old int
	if err := db.QueryRow(`SELECT count(*) FROM tilstand_bygget WHERE versjon NOT LIKE 'm2 %'`).Scan(&old); err != nil || old > 0 {
		t.Errorf("%d data states not recorded with method 2 (%v)", old, err)
	}
	d, err := releases.Between(context.Background(), wh.Dir, first.Publication, second.Publication)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := d.Write(&out, "text"); err != nil || !strings.Contains(out.String(), "What changes from "+first.Publication+" to "+second.Publication) {
		t.Errorf("diff between the methods: %v\n%s", err, out.String())
	}
}

// treeSums is the SHA-256 of every file under dir, by relative path.
func treeSums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	sums := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sums[rel] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}
