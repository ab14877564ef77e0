package sqlmodel

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRunTests(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t)
	p := parseFixture(t, "valid")
	if _, err := Build(ctx, conn, p.Models); err != nil {
		t.Fatal(err)
	}

	results, err := RunTests(ctx, conn, p.Tests)
	var failure *TestFailure
	if !errors.As(err, &failure) {
		t.Fatalf("RunTests error %v, want a *TestFailure", err)
	}
	if len(results) != len(p.Tests) {
		t.Fatalf("%d results for %d tests", len(results), len(p.Tests))
	}
	byName := map[string]TestResult{}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Test.Name, r.Err)
		}
		byName[r.Test.Name] = r
	}

	if r := byName["unique_indikator"]; !r.Passed() || r.Fails() {
		t.Errorf("unique_indikator: %+v, want a pass", r)
	}
	if kjent := byName["kommune_kjent"]; kjent.Failing != 1 || !kjent.Fails() {
		t.Errorf("kommune_kjent: %d failing, fails %v; want 1 failing row that fails the run", kjent.Failing, kjent.Fails())
	}
	if small := byName["smaa_tall"]; small.Failing != 2 || small.Fails() {
		t.Errorf("smaa_tall: %d failing, fails %v; want 2 rows that do not fail the run (warn)", small.Failing, small.Fails())
	}

	if len(failure.Failed) != 1 || failure.Failed[0].Test.Name != "kommune_kjent" {
		t.Errorf("TestFailure lists %d tests, want kommune_kjent only", len(failure.Failed))
	}
	msg := err.Error()
	for _, want := range []string{"1 data test failed:", "kommune_kjent (valid/tests/kommune_kjent.sql): 1 failing row: Every kommune settled in has a name in its year."} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "9999") || strings.Contains(msg, "smaa_tall") {
		t.Errorf("message %q shows row values or a warn test", msg)
	}

	// Once the data are fixed, the run passes, the warn test still reporting its rows.
	exec(t, conn, `INSERT INTO kommune VALUES ('9999', 'Ukjent', 2020)`)
	if _, err := Build(ctx, conn, p.Models); err != nil {
		t.Fatal(err)
	}
	results, err = RunTests(ctx, conn, p.Tests)
	if err != nil {
		t.Fatalf("RunTests after the fix: %v", err)
	}
	if results[1].Test.Name != "smaa_tall" || results[1].Failing != 2 {
		t.Errorf("results after the fix: %+v", results)
	}
}

func TestRunTestsCountsAndErrors(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t)
	many := &Test{Name: "many", Path: "t/many.sql", Severity: SeverityWarn,
		SQL: "SELECT range AS i, NULL AS n FROM range(12) ORDER BY i -- twelve rows"}
	broken := &Test{Name: "broken", Path: "t/broken.sql", Severity: SeverityWarn, Description: "Reads nothing.",
		SQL: "SELECT * FROM nosuch"}

	results, err := RunTests(ctx, conn, []*Test{many, broken})
	r := results[0]
	if r.Err != nil || r.Failing != 12 {
		t.Errorf("many: err %v, %d failing; want 12 failing (the trailing comment does not swallow the count's parenthesis)", r.Err, r.Failing)
	}
	// A test that cannot run fails the run whatever its severity: it checked nothing.
	var failure *TestFailure
	if !errors.As(err, &failure) || len(failure.Failed) != 1 || failure.Failed[0].Test != broken {
		t.Fatalf("RunTests error %v, want a *TestFailure listing broken", err)
	}
	if !strings.Contains(err.Error(), "1 data test failed:\n  data test broken (t/broken.sql) could not run: Catalog Error") ||
		!errors.Is(err, results[1].Err) {
		t.Errorf("error %q does not carry the broken test's error", err)
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := RunTests(canceled, conn, []*Test{many}); !errors.Is(err, context.Canceled) {
		t.Errorf("RunTests on a canceled context: %v", err)
	}
}
