package pipeline

import (
	"context"
	"testing"

	"integstat/demo"
)

// demoSet generates a demo set in a temporary directory and returns it.
func demoSet(tb testing.TB, opt demo.Options) string {
	tb.Helper()
	opt.Out = tb.TempDir()
	if _, err := demo.Generate(context.Background(), opt); err != nil {
		tb.Fatal(err)
	}
	return opt.Out
}
