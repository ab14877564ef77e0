package serve_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPages checks the pages a browser test does not: the comparison, a
// search without hits, and that input is escaped, not interpreted.
func TestPages(t *testing.T) {
	dir := shared(t)
	_, ts := portal(t, dir)
	db := published(t, dir)
	var years int
	if err := db.QueryRow(`SELECT count(DISTINCT aar) FROM indikator WHERE indikator = 'bosatte' AND region IN ('0301', '1902')`).Scan(&years); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string
		not  []string
		n    map[string]int // substring -> how often
	}{
		{path: "/sammenlign?indicator=bosatte&regions=" + url.QueryEscape("0301, tromsø"),
			want: []string{`<a href="/sted/0301">Oslo</a>`, `<a href="/sted/1902">Tromsø</a>`, "Bosatte flyktninger"},
			n:    map[string]int{`data-region="0301"`: years, `data-region="1902"`: years}},
		{path: "/sammenlign?indicator=bosatte&regions=0301,xyzzy", want: []string{`role="alert">Fant ikke xyzzy.`}},
		{path: "/?q=xyzzy", want: []string{`id="ingen-treff"`}},
		{path: "/?q=" + url.QueryEscape(`<script>alert(1)</script>`), want: []string{"&lt;script&gt;"}, not: []string{"<script>"}},
		{path: "/sted/03", want: []string{`<h1 id="sted" data-region="03">Oslo</h1>`, "Norge"}},
	} {
		resp, body := get(t, ts.URL+tc.path)
		page := string(body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s: %s %s", tc.path, resp.Status, resp.Header.Get("Content-Type"))
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the page lacks %q", tc.path, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(page, w) {
				t.Errorf("%s: the page has %q", tc.path, w)
			}
		}
		for w, n := range tc.n {
			if got := strings.Count(page, w); got != n {
				t.Errorf("%s: %q %d times, want %d", tc.path, w, got, n)
			}
		}
	}
}
