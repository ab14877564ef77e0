package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPages checks the pages a browser test does not: the comparison, a
// search without hits, and that input is escaped, not interpreted.
func TestPages(t *testing.T) {
	ts, db := sharedPortal(t)
	var years int
	if err := db.QueryRow(`SELECT count(DISTINCT aar) FROM indikator WHERE indikator = 'bosatte' AND region IN ('0301', '1103')`).Scan(&years); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string
		not  []string
		n    map[string]int // substring -> how often
	}{
		{path: "/sammenlign?indicator=bosatte&regions=" + url.QueryEscape("0301, stavanger"),
			want: []string{`<a href="/sted/0301">Oslo</a>`, `<a href="/sted/1103">Stavanger</a>`, "Bosatte flyktninger",
				`<a href="/api/v1/compare?regions=0301%2c1103&amp;format=xlsx">Excel</a>`},
			n: map[string]int{`data-region="0301"`: years, `data-region="1103"`: years}},
		{path: "/sammenlign?indicator=bosatte&regions=0301,xyzzy", want: []string{`role="alert">Fant ikke xyzzy.`}},
		{path: "/?q=xyzzy", want: []string{`id="ingen-treff"`}},
		{path: "/?q=" + url.QueryEscape(`<script>alert(1)</script>`), want: []string{"&lt;script&gt;"}, not: []string{"<script>"}},
		{path: "/sted/03", want: []string{`<h1 id="sted" data-region="03">Oslo fylke</h1>`, `<th scope="col">Hele landet</th>`}},
		{path: "/sted/0301", want: []string{`<th scope="col">Oslo kommune</th><th scope="col">Oslo fylke</th><th scope="col">Hele landet</th>`,
			`id="tema-bosetting"`, `id="tema-intro"`}},
		// A former code's page says which kommune it is part of today and links there.
		{path: "/sted/5401", want: []string{`Området er i dag en del av <a href="/sted/5501">Tromsø (5501)</a>`}},
		{path: "/sted/1902", want: []string{`I dag en del av <a href="/sted/5501">Tromsø (5501)</a>`}},
		// Today's kommune: its sums on today's structure, and links to the codes of each year.
		{path: "/sted/5501", want: []string{`Summert på dagens kommuneinndeling`, `<a href="/sted/1902">Tromsø (1902)</a>`,
			"Tromsø — 5501, tidligere 5401 (2020–2023) og 1902 (til 2019)"}},
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
