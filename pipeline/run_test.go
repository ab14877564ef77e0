package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"integstat/internal/testkit"
	"integstat/internal/testkit/ingesttest"
	"integstat/load/marts"
	"integstat/load/warehouse"
)

// TestRun runs the small cases through one run after another and reads
// what the ledger recorded: a first run releases, a second finds nothing
// new, and a run whose ingest fails (its inbox is not a folder) records a failed build and leaves the
// published marts as they were.
func TestRun(t *testing.T) {
	ctx := context.Background()
	wh, key := ingesttest.Warehouse(t, t.TempDir())
	run := func(inbox string) (*RunResult, error) {
		return Run(ctx, RunOptions{
			Ingest: IngestOptions{Inbox: inbox, Warehouse: wh, Key: key, AllowSynthetic: true},
			Build:  &marts.Options{},
		})
	}
	notADir := filepath.Join(t.TempDir(), "inbox")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		inbox   string
		want    warehouse.BuildOutcome
		wantErr func(error) bool
	}{
		{"first", testkit.SmallInbox(), warehouse.BuildReleased, nil},
		{"again", testkit.SmallInbox(), warehouse.BuildUnchanged, nil},
		{"unreadable inbox", notADir, warehouse.BuildFailed, func(err error) bool { return err != nil && !errors.Is(err, ErrRefused) }},
	}
	var published []byte
	for i, s := range steps {
		res, err := run(s.inbox)
		switch {
		case s.wantErr == nil && err != nil:
			t.Fatalf("%s run: %v", s.name, err)
		case s.wantErr != nil && !s.wantErr(err):
			t.Fatalf("%s run: error %v", s.name, err)
		}
		if s.want != warehouse.BuildFailed && (res.Build == nil || res.Build.Outcome() != s.want) {
			t.Errorf("%s run: build %+v, want outcome %q", s.name, res.Build, s.want)
		}
		builds, err := wh.Builds(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(builds) != i+1 || builds[0].Outcome != s.want {
			t.Fatalf("%s run: ledger has %d builds, newest %+v; want %d, outcome %q", s.name, len(builds), builds[0], i+1, s.want)
		}
		b, err := os.ReadFile(filepath.Join(wh.Marts(), "publisert.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && string(b) != string(published) {
			t.Errorf("%s run changed the published marts", s.name)
		}
		published = b
	}
}
