package marts_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
	"integstat/load/marts"
	"integstat/load/publish"
	"integstat/load/sqlmodel"
)

// TestAnalystsDocsGenerated fails when docs/analysts.md's tables differ from
// what the declarations beside the models (sql/sources.txt, sql/*/schema.txt)
// generate: edit those and run `integstat models --docs docs/analysts.md`.
func TestAnalystsDocsGenerated(t *testing.T) {
	p, err := marts.Project()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(testkit.Root(), "docs", "analysts.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.UpdateDocs(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		i := 0
		for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
			i++
		}
		at := func(l []string) string {
			if i < len(l) {
				return l[i]
			}
			return "(end of file)"
		}
		t.Errorf("docs/analysts.md drifted from sql/sources.txt and sql/*/schema.txt: run `integstat models --docs docs/analysts.md`.\n"+
			"First difference, line %d:\n  committed: %s\n  generated: %s", i+1, at(gl), at(wl))
	}
}

// TestMartFilesMatchDeclarations builds the small cases and checks both mart
// files against the declarations the documentation is generated from: each
// file holds exactly the documented tables (the analysis mart also those of
// the microdata), each with the declared columns, in order, of the declared
// DuckDB types (hidden columns left out).
func TestMartFilesMatchDeclarations(t *testing.T) {
	p, err := marts.Project()
	if err != nil {
		t.Fatal(err)
	}
	wh := fixture.Ingest(t, filepath.Join(testkit.SmallCases(), "inbox"))
	fixture.Build(t, wh, time.Time{})
	for _, f := range []struct {
		file        string
		analyseOnly bool
	}{{publish.PublishedFile, false}, {publish.AnalysisFile, true}} {
		db := fixture.OpenMart(t, wh, f.file)
		want := map[string][]string{}
		for _, r := range p.Relations {
			if r.Doc == nil || r.Doc.AnalyseOnly && !f.analyseOnly {
				continue
			}
			for _, c := range r.Columns {
				if !c.Hidden {
					want[r.Doc.Table] = append(want[r.Doc.Table], c.Name+" "+c.Type)
				}
			}
		}
		got := columnsOf(t, db)
		for table, cols := range want {
			if !slices.Equal(got[table], cols) {
				t.Errorf("%s: table %s has columns\n  %q\nthe declarations say\n  %q", f.file, table, got[table], cols)
			}
		}
		for table := range got {
			if _, ok := want[table]; !ok {
				t.Errorf("%s: table %s is not documented: declare it (%s or a schema.txt) with a published or analyse line",
					f.file, table, sqlmodel.SourcesFile)
			}
		}
	}
}

// TestStagingKeyStopsTheState plants a second copy of one settled person
// in a bosetting Parquet partition, past ingest's checks, and checks that
// the staging key test stops the build on the data state, before its
// figures are stored, naming the test and its declaration but no value.
func TestStagingKeyStopsTheState(t *testing.T) {
	wh := fixture.Ingest(t, filepath.Join(testkit.SmallCases(), "inbox"))
	files, err := filepath.Glob(wh.PartitionGlob("bosetting", "personer", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no bosetting personer Parquet (%v)", err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	copyTo := strings.TrimSuffix(files[0], ".parquet") + "_planted.parquet"
	if _, err := db.Exec(`COPY (SELECT * FROM read_parquet(?) LIMIT 1) TO '`+copyTo+`' (FORMAT parquet)`, files[0]); err != nil {
		t.Fatal(err)
	}
	var person string
	if err := db.QueryRow(`SELECT person FROM read_parquet(?)`, copyTo).Scan(&person); err != nil {
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
	if strings.Contains(msg, person) {
		t.Errorf("error %q shows the pseudonym %s", msg, person)
	}
}

// columnsOf reads every table's columns as "name TYPE", in order.
func columnsOf(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	rows, err := db.Query(`SELECT table_name, column_name, data_type FROM information_schema.columns
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col, typ string
		if err := rows.Scan(&table, &col, &typ); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col+" "+typ)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
