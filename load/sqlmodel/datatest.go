package sqlmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Queryer runs queries: *sql.DB, *sql.Conn and *sql.Tx satisfy it.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// TestResult is the outcome of one data test.
type TestResult struct {
	Test *Test
	// Failing counts the rows the test query returned: zero is a pass.
	// The rows themselves are not kept: they may be microdata
	// (pseudonyms, case numbers), which stay out of what a run reports.
	Failing int64
	Err     error // the test query could not run
}

// Passed reports whether the test ran and found no failing rows.
func (r TestResult) Passed() bool { return r.Err == nil && r.Failing == 0 }

// Fails reports whether the result fails a run: the test could not run, or it is
// of severity error and found failing rows. A warn test's rows do not fail it.
func (r TestResult) Fails() bool {
	return r.Err != nil || r.Failing > 0 && r.Test.Severity != SeverityWarn
}

// TestFailure is the error RunTests returns when tests fail a run; retrieve it with errors.As.
// Its message names each failed test, its file, count and description, but no
// row values, which may be personal data.
type TestFailure struct {
	Failed []TestResult
}

// Error lists the failed tests, one per line.
func (e *TestFailure) Error() string {
	var b strings.Builder
	if len(e.Failed) == 1 {
		b.WriteString("1 data test failed:")
	} else {
		fmt.Fprintf(&b, "%d data tests failed:", len(e.Failed))
	}
	for _, r := range e.Failed {
		desc, _, _ := strings.Cut(r.Test.Description, "\n")
		if r.Err != nil {
			fmt.Fprintf(&b, "\n  %v", r.Err)
			continue
		}
		rows := "rows"
		if r.Failing == 1 {
			rows = "row"
		}
		fmt.Fprintf(&b, "\n  %s (%s): %d failing %s: %s", r.Test.Name, r.Test.Path, r.Failing, rows, desc)
	}
	return b.String()
}

// Unwrap gives the errors of tests that could not run, for errors.Is.
func (e *TestFailure) Unwrap() []error {
	var errs []error
	for _, r := range e.Failed {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errs
}

// RunTests runs the tests on db in the order given and returns every result.
// The error is a *TestFailure when a test could not run or an error-severity
// test found failing rows, or the context's error if it ended the run.
func RunTests(ctx context.Context, db Queryer, tests []*Test) ([]TestResult, error) {
	results := make([]TestResult, 0, len(tests))
	var failed []TestResult
	for _, t := range tests {
		r := runTest(ctx, db, t)
		if err := ctx.Err(); err != nil {
			return results, fmt.Errorf("running data tests: %w", err)
		}
		slog.DebugContext(ctx, "data test", "test", t.Name, "failing", r.Failing, "severity", t.Severity, "error", r.Err)
		results = append(results, r)
		if r.Fails() {
			failed = append(failed, r)
		}
	}
	if len(failed) > 0 {
		return results, &TestFailure{Failed: failed}
	}
	return results, nil
}

// runTest runs one test and records its failing rows or why it could not run.
func runTest(ctx context.Context, db Queryer, t *Test) TestResult {
	r := TestResult{Test: t}
	if err := r.query(ctx, db); err != nil {
		r.Err = fmt.Errorf("data test %s (%s) could not run: %w", t.Name, t.Path, err)
	}
	return r
}

// query counts the test's failing rows.
func (r *TestResult) query(ctx context.Context, db Queryer) error {
	// The newline before ")" keeps a trailing -- comment in the test from swallowing it.
	rows, err := db.QueryContext(ctx, "SELECT count(*) FROM (\n"+r.Test.SQL+"\n) AS failing")
	if err != nil {
		return err
	}
	if rows.Next() {
		err = rows.Scan(&r.Failing)
	}
	return errors.Join(err, rows.Err(), rows.Close())
}

// TestsFor returns the tests that can run once the given models are built:
// those every model dependency of which is among them (their external
// relations the caller provides). With readingThem, only those that also
// read at least one of the models, leaving out the tests of external
// relations alone. The tests keep the project's order.
func (p *Project) TestsFor(models []*Model, readingThem bool) []*Test {
	built := map[string]bool{}
	for _, m := range models {
		built[strings.ToLower(m.Name)] = true
	}
	var out []*Test
	for _, t := range p.Tests {
		all, some := true, false
		for _, d := range t.Depends {
			key := strings.ToLower(d)
			if p.Model(d) == nil {
				continue
			}
			all = all && built[key]
			some = some || built[key]
		}
		if all && (some || !readingThem) {
			out = append(out, t)
		}
	}
	return out
}
