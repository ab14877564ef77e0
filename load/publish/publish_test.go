package publish

import (
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// marts are the files of a publication the tests write, as the real builder
// does.
var marts = []string{"publisert.duckdb", "analyse.duckdb"}

// writeMart writes a DuckDB file whose table publikasjon holds id, and whose
// table tall holds rows numbers, each tagged with id.
func writeMart(path, id string, rows int) error {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return err
	}
	if _, err = db.Exec("CREATE TABLE publikasjon AS SELECT ? AS id", id); err == nil {
		_, err = db.Exec("CREATE TABLE tall AS SELECT range AS n, ? AS id FROM range(?)", id, rows)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// build begins a publication and writes both marts into it.
func build(tb testing.TB, dir string) *Draft {
	tb.Helper()
	d, err := Begin(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range marts {
		if err := writeMart(filepath.Join(d.Dir(), m), d.ID(), 1000); err != nil {
			tb.Fatal(err)
		}
	}
	return d
}

// publish builds and commits one publication with both marts.
func publish(tb testing.TB, dir string, keep int) string {
	tb.Helper()
	d := build(tb, dir)
	if err := d.Commit(keep); err != nil {
		tb.Fatal(err)
	}
	return d.ID()
}

// openMart opens a published mart read-only, as the portal does.
func openMart(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// martID is the publication id a mart file carries.
func martID(path string) (string, error) {
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var id string
	err = db.QueryRow("SELECT id FROM publikasjon").Scan(&id)
	return id, err
}

// mustList is List that fails the test on error.
func mustList(tb testing.TB, dir string) []string {
	tb.Helper()
	ids, err := List(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}

// mustCurrent is Current that fails the test on error.
func mustCurrent(tb testing.TB, dir string) string {
	tb.Helper()
	id, err := Current(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// tempNames lists the temporary entries (drafts, links) under dir.
func tempNames(tb testing.TB, dir string) []string {
	tb.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			tb.Fatal(err)
		}
		if strings.Contains(e.Name(), ".tmp-") {
			found = append(found, p)
		}
		return nil
	})
	return found
}

func TestCommitPublishesAndKeepsReleases(t *testing.T) {
	dir := t.TempDir()
	if id := mustCurrent(t, dir); id != "" {
		t.Fatalf("Current of an empty warehouse = %q, want \"\"", id)
	}
	var ids []string
	for i := range 4 {
		id := publish(t, dir, 1)
		ids = append(ids, id)
		if cur := mustCurrent(t, dir); cur != id {
			t.Fatalf("commit %d: Current = %q, want %q", i, cur, id)
		}
		for _, m := range marts {
			got, err := martID(filepath.Join(dir, "marts", m))
			if err != nil || got != id {
				t.Fatalf("commit %d: marts/%s carries %q (%v), want %q", i, m, got, err, id)
			}
		}
		if listed := mustList(t, dir); !slices.Equal(listed, ids) {
			t.Fatalf("commit %d: List = %v, want every release %v", i, listed, ids)
		}
	}
	if !slices.IsSorted(ids) {
		t.Errorf("ids in the order made %v do not sort", ids)
	}
	rs, err := Releases(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.ID)
		if r.By != "auto" || r.At.IsZero() {
			t.Errorf("ledger entry %+v: want by auto and a time", r)
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("ledger = %v, want %v", got, ids)
	}
	target, err := os.Readlink(filepath.Join(dir, "marts"))
	if err != nil || filepath.IsAbs(target) {
		t.Errorf("marts links to %q (%v), want a relative link", target, err)
	}
	if left := tempNames(t, dir); len(left) > 0 {
		t.Errorf("temporary entries left after commits: %v", left)
	}
}

// candidate builds a complete publication that is not released.
func candidate(tb testing.TB, dir string) string {
	tb.Helper()
	d := build(tb, dir)
	if err := d.Complete(); err != nil {
		tb.Fatal(err)
	}
	return d.ID()
}

func TestPruneKeepsReleasesAndNewestCandidates(t *testing.T) {
	for _, keep := range []int{0, 2} {
		dir := t.TempDir()
		rel := publish(t, dir, keep)
		var cands []string
		for range DefaultKeep + 2 {
			cands = append(cands, candidate(t, dir))
		}
		if err := MakeCurrent(dir, Release{ID: cands[1], By: "test"}); err != nil {
			t.Fatal(err)
		}
		if err := Prune(dir, keep); err != nil {
			t.Fatal(err)
		}
		want := DefaultKeep
		if keep > 0 {
			want = keep
		}
		kept := []string{rel, cands[1]}
		kept = append(kept, cands[len(cands)-want:]...)
		if got := mustList(t, dir); !slices.Equal(got, kept) {
			t.Errorf("keep %d: List after Prune = %v, want the releases and the newest %d candidates %v", keep, got, want, kept)
		}
		if cur := mustCurrent(t, dir); cur != cands[1] {
			t.Errorf("keep %d: Current = %s, want %s", keep, cur, cands[1])
		}
	}
}

// TestReaderKeepsOldPublication holds a candidate's mart open across its
// pruning, and reads a table it had not touched before, so the data must
// come from the removed file.
func TestReaderKeepsOldPublication(t *testing.T) {
	dir := t.TempDir()
	publish(t, dir, 1)
	old := candidate(t, dir)
	reader := openMart(t, filepath.Join(dir, "publications", old, "publisert.duckdb"))
	var id string
	if err := reader.QueryRow("SELECT id FROM publikasjon").Scan(&id); err != nil || id != old {
		t.Fatalf("before the prune the reader sees %q (%v), want %q", id, err, old)
	}
	candidate(t, dir)
	if err := Prune(dir, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "publications", old)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the old candidate was not pruned (%v); the test needs it gone", err)
	}
	var n, sum int64
	var ids int
	if err := reader.QueryRow("SELECT count(*), sum(n), count(DISTINCT id) FROM tall WHERE id = ?", old).Scan(&n, &sum, &ids); err != nil {
		t.Fatalf("reading the pruned publication: %v", err)
	}
	if n != 1000 || sum != 999*1000/2 || ids != 1 {
		t.Errorf("the pruned publication read %d rows summing to %d with %d ids, want 1000 rows summing to %d with one id", n, sum, ids, 999*1000/2)
	}
}

func TestAbortLeavesMarts(t *testing.T) {
	dir := t.TempDir()
	pub := publish(t, dir, 3)
	d, err := Begin(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeMart(filepath.Join(d.Dir(), marts[0]), d.ID(), 10); err != nil {
		t.Fatal(err)
	}
	if err := d.Abort(); err != nil {
		t.Fatal(err)
	}
	if cur := mustCurrent(t, dir); cur != pub {
		t.Errorf("after Abort Current = %q, want %q", cur, pub)
	}
	if got, err := martID(filepath.Join(dir, "marts", marts[0])); err != nil || got != pub {
		t.Errorf("after Abort marts carries %q (%v), want %q", got, err, pub)
	}
	if ids := mustList(t, dir); !slices.Equal(ids, []string{pub}) {
		t.Errorf("after Abort List = %v, want [%s]", ids, pub)
	}
	if left := tempNames(t, dir); len(left) > 0 {
		t.Errorf("Abort left %v", left)
	}
	if err := d.Commit(3); err == nil {
		t.Error("Commit after Abort succeeded")
	}
}

// completeUnpublished leaves a complete publication that a run killed in
// Commit had renamed into place but not yet made current, and returns its id.
func completeUnpublished(t *testing.T, dir string) string {
	t.Helper()
	d := build(t, dir)
	if err := os.Rename(d.Dir(), d.final()); err != nil {
		t.Fatal(err)
	}
	return d.ID()
}

// TestCleanAfterCrash lays out what runs killed at different points leave
// and checks that Clean restores a published state.
func TestCleanAfterCrash(t *testing.T) {
	tests := []struct {
		name string
		// crash builds the leftovers after one publication, pub.
		crash func(t *testing.T, dir, pub string)
		// wantCurrent is "pub" or "newest" (the newest publication).
		wantCurrent string
	}{
		{"draft being written", func(t *testing.T, dir, pub string) {
			d, err := Begin(dir)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(d.Dir(), "publisert.duckdb"), []byte("half"), 0o640)
		}, "pub"},
		{"temporary link made, not renamed", func(t *testing.T, dir, pub string) {
			os.Symlink(filepath.Join("publications", pub), filepath.Join(dir, ".marts.tmp-abc"))
		}, "pub"},
		{"renamed, not made current", func(t *testing.T, dir, pub string) {
			completeUnpublished(t, dir)
		}, "pub"},
		{"released in the ledger, link not switched", func(t *testing.T, dir, pub string) {
			id := completeUnpublished(t, dir)
			if err := appendLedger(dir, Release{ID: id, At: time.Now(), By: "test"}); err != nil {
				t.Fatal(err)
			}
		}, "newest"},
		{"ledger line torn", func(t *testing.T, dir, pub string) {
			completeUnpublished(t, dir)
			f, _ := os.OpenFile(filepath.Join(dir, "publications", ledgerName), os.O_WRONLY|os.O_APPEND, 0)
			f.WriteString(`{"id":"2026`)
			f.Close()
		}, "pub"},
		{"marts moved aside, link not renamed in", func(t *testing.T, dir, pub string) {
			id := completeUnpublished(t, dir)
			appendLedger(dir, Release{ID: id, At: time.Now(), By: "test"})
			os.Symlink(filepath.Join("publications", id), filepath.Join(dir, ".marts.tmp-abc"))
			os.Remove(filepath.Join(dir, "marts"))
			os.Mkdir(filepath.Join(dir, ".marts.tmp-abc.old"), 0o750)
		}, "newest"},
		{"then marts recreated empty by warehouse.Open", func(t *testing.T, dir, pub string) {
			id := completeUnpublished(t, dir)
			appendLedger(dir, Release{ID: id, At: time.Now(), By: "test"})
			os.Remove(filepath.Join(dir, "marts"))
			os.Mkdir(filepath.Join(dir, "marts"), 0o755)
		}, "newest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			pub := publish(t, dir, 3)
			tt.crash(t, dir, pub)
			if err := Clean(dir); err != nil {
				t.Fatal(err)
			}
			want := pub
			if tt.wantCurrent == "newest" {
				ids := mustList(t, dir)
				want = ids[len(ids)-1]
			}
			if cur := mustCurrent(t, dir); cur != want {
				t.Errorf("after Clean Current = %q, want %q", cur, want)
			}
			if ids := mustList(t, dir); !slices.Contains(ids, want) {
				t.Errorf("after Clean List = %v, want %s in it", ids, want)
			}
			if rs, err := Releases(dir); err != nil || len(rs) == 0 || rs[len(rs)-1].ID != want {
				t.Errorf("after Clean the ledger is %v (%v), want its last release %s", rs, err, want)
			}
			for _, m := range marts {
				if got, err := martID(filepath.Join(dir, "marts", m)); err != nil || got != want {
					t.Errorf("after Clean marts/%s carries %q (%v), want %q", m, got, err, want)
				}
			}
			if left := tempNames(t, dir); len(left) > 0 {
				t.Errorf("Clean left %v", left)
			}
			publish(t, dir, 3) // the next run goes on from there
		})
	}
}

func TestMigrateEmptyMarts(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "marts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Clean(dir); err != nil {
		t.Fatal(err)
	}
	if cur := mustCurrent(t, dir); cur != "" {
		t.Fatalf("an empty plain marts gives Current %q, want \"\"", cur)
	}
	id := publish(t, dir, 3)
	fi, err := os.Lstat(filepath.Join(dir, "marts"))
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("marts is not a link after the first commit (%v, %v)", fi, err)
	}
	if ids := mustList(t, dir); !slices.Equal(ids, []string{id}) {
		t.Errorf("List = %v, want only the new publication %s", ids, id)
	}
	if left := tempNames(t, dir); len(left) > 0 {
		t.Errorf("left %v", left)
	}
}

func TestMigrateMartsWithFiles(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "marts")
	if err := os.MkdirAll(filepath.Join(old, "extra"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range marts {
		if err := writeMart(filepath.Join(old, m), "gammel", 10); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(old, "extra", "notat.txt"), []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(old, past, past)

	d, err := Begin(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids := mustList(t, dir)
	if len(ids) != 1 || ids[0] != "20200102T030405.000Z-migrated" {
		t.Fatalf("after Begin List = %v, want the migrated publication named for the directory's time", ids)
	}
	if cur := mustCurrent(t, dir); cur != ids[0] {
		t.Fatalf("after migration Current = %q, want %q", cur, ids[0])
	}
	if got, err := martID(filepath.Join(dir, "marts", marts[1])); err != nil || got != "gammel" {
		t.Errorf("the migrated marts carry %q (%v), want the old content", got, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "marts", "extra", "notat.txt")); err != nil || string(b) != "kept" {
		t.Errorf("the migrated subdirectory's file reads %q (%v)", b, err)
	}
	if d.ID() <= ids[0] {
		t.Errorf("the draft's id %s does not sort after the migrated %s", d.ID(), ids[0])
	}
	for _, m := range marts {
		if err := writeMart(filepath.Join(d.Dir(), m), d.ID(), 10); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Commit(3); err != nil {
		t.Fatal(err)
	}
	if ids := mustList(t, dir); !slices.Equal(ids, []string{"20200102T030405.000Z-migrated", d.ID()}) {
		t.Errorf("after the commit List = %v", ids)
	}
	if left := tempNames(t, dir); len(left) > 0 {
		t.Errorf("left %v", left)
	}
}

func TestCommitRefusesRecreatedMarts(t *testing.T) {
	dir := t.TempDir()
	d, err := Begin(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "marts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "marts", "publisert.duckdb"), []byte("someone else's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(3); err == nil {
		t.Fatal("Commit replaced a marts directory with files it had not migrated")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "marts", "publisert.duckdb")); string(b) != "someone else's" {
		t.Errorf("the plain marts directory was changed: %q", b)
	}
	if err := d.Abort(); err != nil {
		t.Errorf("Abort after a failed commit: %v", err)
	}
	if ids := mustList(t, dir); len(ids) != 0 {
		t.Errorf("Abort after a failed commit left %v", ids)
	}
}

func TestCurrentRejectsForeignLink(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/somewhere/else", filepath.Join(dir, "marts")); err != nil {
		t.Fatal(err)
	}
	if id, err := Current(dir); err == nil {
		t.Errorf("Current of a link outside publications/ = %q, want an error", id)
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"20261126T142233.123Z-3f9a0c", true},
		{"20261126T142233.123Z-migrated", true},
		{"20261126T142233.123Z", false},
		{"20261126T142233.123Z-", false},
		{"20261126T142233.123Z-A1", false},
		{"20261326T142233.123Z-3f9a0c", false},
		{".tmp-20261126T142233.123Z-3f9a0c", false},
		{"notes", false},
	}
	for _, tt := range tests {
		if got := validID(tt.name); got != tt.ok {
			t.Errorf("validID(%q) = %v, want %v", tt.name, got, tt.ok)
		}
	}
}

func TestIDsSortWhenClockStepsBack(t *testing.T) {
	dir := t.TempDir()
	first := publish(t, dir, 3)
	ft, _ := time.Parse(idTimeLayout, first[:len(idTimeLayout)])
	id, err := newID(dir, ft.Add(-time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	if id <= first {
		t.Errorf("an id made an hour before %s is %s; it must sort after", first, id)
	}
}

// TestReplaceDirectoryByLink puts a link where a directory with a file was,
// both ways point uses: the atomic exchange and the two renames where the
// exchange is unavailable.
func TestReplaceDirectoryByLink(t *testing.T) {
	tests := []struct {
		name    string
		replace func(link, dir string) error
		oldAt   string // where the directory ends up, relative to link
	}{
		{"exchange", func(link, dir string) error { return exchange(link, dir) }, ""},
		{"move aside", func(link, dir string) error { return moveAside(dir, link) }, ".old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dir, link := filepath.Join(base, "marts"), filepath.Join(base, ".marts.tmp-x")
			os.Mkdir(filepath.Join(base, "target"), 0o750)
			os.Mkdir(dir, 0o750)
			os.WriteFile(filepath.Join(dir, "f"), []byte("old"), 0o640)
			if err := os.Symlink("target", link); err != nil {
				t.Fatal(err)
			}
			err := tt.replace(link, dir)
			if errors.Is(err, errors.ErrUnsupported) {
				t.Skip("renameat2 RENAME_EXCHANGE is unavailable here")
			}
			if err != nil {
				t.Fatal(err)
			}
			if target, err := os.Readlink(dir); err != nil || target != "target" {
				t.Errorf("marts links to %q (%v), want target", target, err)
			}
			if b, err := os.ReadFile(filepath.Join(link+tt.oldAt, "f")); err != nil || string(b) != "old" {
				t.Errorf("the old directory's file reads %q (%v)", b, err)
			}
		})
	}
}
