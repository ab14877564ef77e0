package portal_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// tags matches markup, to read a page's text.
var tags = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]+>`)

// TestEnglishPages: under /en/ every page is in English — the document's
// language, the page's own words, and indicator names and definitions
// from the catalogue seed — and its links stay under /en/.
func TestEnglishPages(t *testing.T) {
	ts, db := sharedPortal(t)
	var nameEN, plainEN, nameNB string
	if err := db.QueryRow(`SELECT navn_en, forklaring_en, navn FROM indikator_katalog WHERE indikator = 'bosatte'`).Scan(&nameEN, &plainEN, &nameNB); err != nil {
		t.Fatal(err)
	}
	// Words only the Norwegian pages have (not " og ": Nore og Uvdal is a name).
	norwegian := []string{"Finn et sted", "Nøkkeltall", "Hele landet", "Sammenlign steder", "Last ned", "tidligere", "kommuner", "Tegnforklaring",
		"Foreløpig", "Prikket", "ingen tall", "per år", nameNB, "Bosetting", "Introduksjonsprogram"}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/en/?indikator=bosatte&aar=2017", []string{"Integration statistics", nameEN + " in 2017", plainEN, "© Kartverket"}},
		{"/en/?q=tromso", []string{"Tromsø — 5501, formerly 5401 (2020–2023) and 1902 (to 2019)"}},
		{"/en/sted/0301", []string{"Oslo municipality", "Oslo county", "The whole country", "Key figures", "Settlement", plainEN}},
		{"/en/sted/11", []string{"The municipalities of Rogaland county"}},
		{"/en/sted/5401", []string{"The area is today part of Tromsø (5501)"}},
		{"/en/sammenlign?regions=0301,1103&indicator=bosatte", []string{"Compare places", nameEN, "Download every indicator"}},
	} {
		resp, body := get(t, ts.URL+tc.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", tc.path, resp.Status)
		}
		page := string(body)
		if !strings.Contains(page, `<html lang="en">`) {
			t.Errorf("%s: not marked English", tc.path)
		}
		text := html.UnescapeString(tags.ReplaceAllString(page, " "))
		text = strings.Join(strings.Fields(text), " ")
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the page lacks %q", tc.path, w)
			}
		}
		for _, w := range norwegian {
			if strings.Contains(text, w) {
				i := strings.Index(text, w)
				t.Errorf("%s: Norwegian %q on the English page: …%s…", tc.path, w, text[max(0, i-60):min(len(text), i+60)])
			}
		}
		for _, m := range regexp.MustCompile(`href="(/sted|/sammenlign)[^"]*"`).FindAllString(page, -1) {
			t.Errorf("%s: a link out of English: %s", tc.path, m)
		}
	}
}

// TestErrorPagesInTheirLanguage: a page that is not found answers in the
// language of the path asked for.
func TestErrorPagesInTheirLanguage(t *testing.T) {
	_, ts := newPortal(t, shared(t))
	for _, tc := range []struct{ path, lang, title, home string }{
		{"/sted/0000", "nb", "Fant ikke siden", `href="/"`},
		{"/en/sted/0000", "en", "Not Found", `href="/en/"`},
	} {
		resp, body := get(t, ts.URL+tc.path)
		page := string(body)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(page, `<html lang="`+tc.lang+`">`) ||
			!strings.Contains(page, tc.title) || !strings.Contains(page, tc.home) {
			t.Errorf("%s: %d %s", tc.path, resp.StatusCode, page)
		}
	}
}
