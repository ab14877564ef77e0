package portal_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
)

// TestListenAndServeAnswersWhole: ListenAndServe sends each answer of
// known length in one write (coalesce.go). Over one keep-alive connection,
// twice in a row, every kind of answer — small, about 4 KB, longer than
// the gathering holds, gzipped, HEAD, 304, errors, a preflight, one
// without a length — arrives (gzipped ones unzipped: their links name
// another host) with the status, headers and bytes that the
// handler gives without gathering, and the connection stays usable.
func TestListenAndServeAnswersWhole(t *testing.T) {
	dir := shared(t)
	addr := listen(t)
	_, ts := newPortal(t, dir)
	refHost := strings.TrimPrefix(ts.URL, "http://")
	jsonstat := "/api/v1/values?indicator=bosatte,intro_deltakere&level=fylke&years=2015-2018&format=jsonstat"
	_, placeRef := get(t, ts.URL+"/api/v1/places/0301")
	if len(placeRef) <= 64<<10 {
		t.Fatalf("the place answer is %d bytes, no longer than the gathering holds: the test proves too little", len(placeRef))
	}
	// ETags hash the host asked (links in answers name it): each server's own.
	etags := map[string]string{}
	for _, base := range []string{"http://" + addr, ts.URL} {
		resp, _ := get(t, base+"/api/v1/places/0301")
		etags[base] = resp.Header.Get("ETag")
	}
	cases := []struct {
		method, path string
		header       []string
	}{
		{"GET", "/api/v1/publication", nil},
		{"GET", jsonstat, nil},
		{"GET", jsonstat, []string{"Accept-Encoding", "gzip"}},
		{"GET", "/api/v1/places/0301", nil},
		{"GET", "/api/v1/places/0301", []string{"Accept-Encoding", "gzip"}},
		{"HEAD", "/api/v1/places/0301", nil},
		{"GET", "/api/v1/places/0301", []string{"If-None-Match", "ETAG"}},
		{"GET", "/api/v1/nothing", nil},
		{"GET", "/sted/0000", nil},
		{"OPTIONS", "/api/v1/values", nil},
		{"GET", "/sted/0301", nil},
		{"GET", "/api/v1/values?indicator=bosatte&format=csv", nil},
		{"GET", "/api/v1/publications", nil},
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxConnsPerHost: 1}}
	conns := 0
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
		if !i.Reused {
			conns++
		}
	}}
	do := func(c *http.Client, base, method, path string, header []string) (*http.Response, []byte) {
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			v := header[i+1]
			if v == "ETAG" {
				v = etags[base]
			}
			req.Header.Set(header[i], v)
		}
		if c == client {
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
		}
		return resp, body
	}
	ref := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for round := range 2 {
		for _, c := range cases {
			got, gotBody := do(client, "http://"+addr, c.method, c.path, c.header)
			want, wantBody := do(ref, ts.URL, c.method, c.path, c.header)
			wantBody = bytes.ReplaceAll(wantBody, []byte(refHost), []byte(addr)) // links name the host asked
			if got.StatusCode != want.StatusCode || !bytes.Equal(gotBody, wantBody) {
				t.Errorf("round %d, %s %s %q: %s, %d bytes; without gathering %s, %d bytes",
					round, c.method, c.path, c.header, got.Status, len(gotBody), want.Status, len(wantBody))
			}
			for _, h := range []string{"Content-Type", "Content-Encoding", "Content-Length", "Access-Control-Allow-Origin", "Cache-Control"} {
				if g, w := got.Header.Get(h), want.Header.Get(h); g != w && !(h == "Content-Length" && strings.Contains(c.path, "jsonstat")) {
					t.Errorf("%s %s: %s %q, without gathering %q", c.method, c.path, h, g, w)
				}
			}
			if c.method == "HEAD" && (len(gotBody) != 0 || got.ContentLength != int64(len(placeRef))) {
				t.Errorf("HEAD: %d bytes of body, Content-Length %d", len(gotBody), got.ContentLength)
			}
		}
	}
	if conns != 1 {
		t.Errorf("%d connections for %d requests, want one kept alive", conns, 2*len(cases))
	}
}
