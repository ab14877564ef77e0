package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"integstat/demo"
	"integstat/transform/pseudo"
	"integstat/load/warehouse"
)

// newWarehouse opens a warehouse in a temporary directory with a new key
// in its restricted area; it is closed when the test ends.
func newWarehouse(tb testing.TB) (*warehouse.Warehouse, *pseudo.Key) {
	tb.Helper()
	wh, err := warehouse.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { wh.Close() })
	key, err := pseudo.GenerateKeyFile(filepath.Join(wh.Restricted(), "key"))
	if err != nil {
		tb.Fatal(err)
	}
	return wh, key
}

// demoSet generates a demo set in a temporary directory and returns it.
func demoSet(tb testing.TB, opt demo.Options) string {
	tb.Helper()
	opt.Out = tb.TempDir()
	if _, err := demo.Generate(context.Background(), opt); err != nil {
		tb.Fatal(err)
	}
	return opt.Out
}
