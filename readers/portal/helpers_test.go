package portal_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"integstat/internal/testkit"
	"integstat/internal/testkit/fixture"
	"integstat/load/publish"
	"integstat/load/warehouse"
	"integstat/readers/portal"
)

// smallInbox is the small complete test input of the repository.
var smallInbox = testkit.SmallInbox()

// newWarehouse ingests the small cases into a new warehouse in dir and
// publishes its marts as of asOf (zero: the newest state). The warehouse
// is left open for further builds; the caller may close it, and the test's
// end does.
func newWarehouse(tb testing.TB, dir string, asOf time.Time) *warehouse.Warehouse {
	tb.Helper()
	wh, _ := fixture.IngestInto(tb, dir, smallInbox)
	fixture.Build(tb, wh, asOf)
	return wh
}

// sharedWarehouse is one warehouse built from the small cases for the
// tests that only read it.
var sharedWarehouse = &fixture.Shared{Inbox: smallInbox, Prefix: "serve-test-"}

// shared is the shared warehouse's directory, built the first time a test
// asks for it.
func shared(tb testing.TB) string {
	tb.Helper()
	return sharedWarehouse.Dir(tb)
}

func TestMain(m *testing.M) {
	testkit.Child(portalStep, portalMain) // the portal's own process of BenchmarkPortalVsNginx
	code := m.Run()
	sharedWarehouse.Remove()
	if clientsDir != "" {
		os.RemoveAll(clientsDir)
	}
	os.Exit(code)
}

// testMaxValues is the portal's result limit in the tests, below the
// small cases' number of values.
const testMaxValues = 20_000

// portal starts the portal on the warehouse in an httptest server.
func newPortal(tb testing.TB, dir string) (*portal.Server, *httptest.Server) {
	tb.Helper()
	srv, err := portal.New(context.Background(), portal.Options{Warehouse: dir, MaxValues: testMaxValues})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	return srv, ts
}

// published opens the warehouse's current publisert.duckdb read-only, to
// check answers against.
func published(tb testing.TB, dir string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("duckdb", filepath.Join(dir, "marts", publish.PublishedFile)+"?access_mode=read_only")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// plainTransport leaves Accept-Encoding to the test: it neither asks for
// gzip nor decompresses.
var plainTransport = &http.Transport{DisableCompression: true}

// get fetches url and returns the response and its body.
func get(tb testing.TB, url string, header ...string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := plainTransport.RoundTrip(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}

// getJSON fetches url, expects 200 and decodes the body into v.
func getJSON(tb testing.TB, url string, v any) {
	tb.Helper()
	resp, body := get(tb, url)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
}

// sharedPortal serves the shared warehouse (shared) and opens its
// publisert.duckdb: the server a read-only test asks and the mart it
// checks the answers against.
func sharedPortal(tb testing.TB) (*httptest.Server, *sql.DB) {
	tb.Helper()
	dir := shared(tb)
	_, ts := newPortal(tb, dir)
	return ts, published(tb, dir)
}
