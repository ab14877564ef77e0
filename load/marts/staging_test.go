package marts_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
	"integstat/load/marts"
	"integstat/load/sqlmodel"
)

// TestStagingKeyStopsTheState plants a second copy of one settled person
// in a bosetting Parquet partition, past ingest's checks, and checks that
// the staging key test stops the build on the data state, before its
// figures are stored, naming the test and its declaration but no value.
func TestStagingKeyStopsTheState(t *testing.T) {
	wh := fixture.Ingest(t, filepath.Join(testkit.SmallCases(), "inbox"))
	files, err := filepath.Glob(filepath.Join(wh.Parquet(), "bosetting", "personer", "delivery_id=*", "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no bosetting personer Parquet (%v)", err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	copyTo := strings.TrimSuffix(files[0], ".parquet") + "_planted.parquet"
	if _, err := db.Exec(`COPY (SELECT * FROM read_parquet(?) LIMIT 1) TO '` + copyTo + `' (FORMAT parquet)`, files[0]); err != nil {
		t.Fatal(err)
	}

	_, err = marts.Build(context.Background(), marts.Options{Warehouse: wh, AsOf: time.Time{}})
	var tf *sqlmodel.TestFailure
	if !errors.Is(err, marts.ErrVerify) || !errors.As(err, &tf) {
		t.Fatalf("Build: %v; want a data test failure", err)
	}
	if len(tf.Failed) != 1 || tf.Failed[0].Test.Name != "unique_stg_bosetting_personer_person" || tf.Failed[0].Failing != 1 {
		t.Fatalf("failed tests %v, want unique_stg_bosetting_personer_person with one row", err)
	}
	msg := err.Error()
	for _, want := range []string{"state bosetting", "staging/schema.txt:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if person := tf.Failed[0].Examples[0][0]; strings.Contains(msg, person) {
		t.Errorf("error %q shows the pseudonym %s", msg, person)
	}
}
