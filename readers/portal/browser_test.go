package portal_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shownCell is a table cell of a page as the browser renders it.
type shownCell struct {
	Indicator string `json:"indikator"`
	Year      string `json:"aar"`
	Region    string `json:"region"`
	Text      string `json:"text"`
	Title     string `json:"title"`
}

// cellsJS collects every value cell of the page's tables.
const cellsJS = `Array.from(document.querySelectorAll('table[data-indikator] td')).map(td => ({
	indikator: td.closest('table').dataset.indikator,
	aar: td.dataset.aar,
	region: td.dataset.region,
	text: td.innerText.trim(),
	title: td.querySelector('abbr') ? td.querySelector('abbr').title : ''
}))`

// TestBrowserSearchAndPlacePage drives headless Chromium: it opens the
// portal, types a kommune with ø into the search field, follows the hit
// and checks every figure the place page shows, for the kommune, its fylke
// and the nation, against the published mart, suppressed ones included.
func TestBrowserSearchAndPlacePage(t *testing.T) {
	ctx := browse(t)
	ts, db := sharedPortal(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "tromsø"),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.CSS("#treff a")),
		chromedp.Click(chromedp.CSS("#treff li:first-child a")),
		chromedp.WaitVisible(chromedp.ID("sted")),
	)
	if err != nil {
		t.Fatal(err)
	}
	heading := run(t, ctx, chromedp.Text(chromedp.ID("sted")))
	if title := run(t, ctx, chromedp.Title()); heading != "Tromsø kommune" || !strings.HasPrefix(title, "Tromsø kommune") {
		t.Fatalf("search for tromsø led to %q (%q)", heading, title)
	}
	// Today's Tromsø links to the figures as published for 1902.
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="/sted/1902"]`)), chromedp.WaitVisible(chromedp.CSS(`#sted[data-region="1902"]`)))
	if err != nil {
		t.Fatal(err)
	}
	checkCells(t, db, run(t, ctx, chromedp.Evaluate[[]shownCell](cellsJS)), "1902", "nb")
	checkThemesAndCharts(t, ctx, db, "1902")

	// A place with suppressed figures: each shows ':' with the explanation.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/sted/1103"), chromedp.WaitVisible(chromedp.ID("sted"))); err != nil {
		t.Fatal(err)
	}
	note := run(t, ctx, chromedp.Text(chromedp.ID("merknad")))
	if n := checkCells(t, db, run(t, ctx, chromedp.Evaluate[[]shownCell](cellsJS)), "1103", "nb"); n[":"] == 0 {
		t.Errorf("Stavanger's page shows no suppressed figure; the small cases have some: %v", n)
	}
	if !strings.Contains(note, "personvern") {
		t.Errorf("the page does not explain ':': %q", note)
	}
}

// browse starts headless Chromium for a test, ended with it.
func browse(t *testing.T) context.Context {
	t.Helper()
	chromium := browser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.Flag("headless", true), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTime)
	return ctx
}

// checkThemesAndCharts checks the place page's themes (in the reader's
// order, each indicator under its catalogue theme), that every count's bar
// says what the table says, and the key figures against the mart.
func checkThemesAndCharts(t *testing.T, ctx context.Context, db *sql.DB, region string) {
	t.Helper()
	type section struct {
		Theme      string   `json:"tema"`
		Indicators []string `json:"indikatorer"`
	}
	sections := run(t, ctx, chromedp.Evaluate[[]section](`Array.from(document.querySelectorAll('section.tema')).map(s => ({
		tema: s.id.replace('tema-', ''), indikatorer: Array.from(s.querySelectorAll('table[data-indikator]')).map(t => t.dataset.indikator)}))`))
	order := map[string]int{"bosetting": 0, "intro": 1, "norsk": 2, "tolk": 3}
	last := -1
	for _, sec := range sections {
		if order[sec.Theme] <= last {
			t.Errorf("theme %s out of order", sec.Theme)
		}
		last = order[sec.Theme]
		for _, id := range sec.Indicators {
			var theme string
			if err := db.QueryRow(`SELECT tema FROM indikator_katalog WHERE indikator = ?`, id).Scan(&theme); err != nil || theme != sec.Theme {
				t.Errorf("%s under theme %s, the catalogue says %q (%v)", id, sec.Theme, theme, err)
			}
		}
	}
	if len(sections) < 2 {
		t.Errorf("themes %v", sections)
	}
	mismatch := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('svg.diagram rect[data-aar]')).flatMap(r => {
		const ind = r.closest('svg').dataset.indikator
		const td = document.querySelector('table[data-indikator="' + ind + '"] td[data-aar="' + r.dataset.aar + '"]')
		const text = td ? td.innerText.replace(/ p$/, '').trim() : null
		return text === r.dataset.tekst ? [] : [ind + ' ' + r.dataset.aar + ': bar ' + r.dataset.tekst + ', table ' + text]
	})`))
	for _, m := range mismatch {
		t.Errorf("chart and table differ: %s", m)
	}
	facts := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#nokkeltall li')).map(li => li.innerText)`))
	var name string
	var year int
	var verdi sql.NullFloat64
	var status string
	err := db.QueryRow(`SELECT k.navn, i.aar, i.verdi, i.status FROM indikator i JOIN indikator_katalog k USING (indikator)
		WHERE i.indikator = 'bosatte' AND i.region = ? ORDER BY i.aar DESC LIMIT 1`, region).Scan(&name, &year, &verdi, &status)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%s i %d: ", name, year)
	if status == ":" {
		want += "prikket"
	} else {
		want += strconv.Itoa(int(verdi.Float64)) + " personer"
	}
	if len(facts) == 0 || !strings.HasPrefix(strings.ReplaceAll(facts[0], " ", ""), want) {
		t.Errorf("key figures %q, want the first to start %q", facts, want)
	}
}

// run runs one browser action, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkCells compares each cell of a page in language l ("nb" or "en")
// with the mart and counts the statuses.
// A count must match exactly, a share (shown in percent with one
// decimal) and a mean (one decimal) within the rounding.
func checkCells(t *testing.T, db *sql.DB, cells []shownCell, region, l string) map[string]int {
	t.Helper()
	var wantCells int
	err := db.QueryRow(`SELECT count(*) FROM indikator i JOIN region r USING (aar, niva, region)
		WHERE i.indikator IN (SELECT indikator FROM indikator WHERE region = ?)
		  AND i.aar IN (SELECT aar FROM indikator x WHERE x.region = ? AND x.indikator = i.indikator)
		  AND i.region IN (?, (SELECT fylke FROM region WHERE region = ? ORDER BY aar DESC LIMIT 1), '0')`,
		region, region, region, region).Scan(&wantCells)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	shown := 0
	for _, c := range cells {
		year, _ := strconv.Atoi(c.Year)
		var verdi sql.NullFloat64
		var status, typ string
		err := db.QueryRow(`SELECT verdi, status, k.type FROM indikator JOIN indikator_katalog k USING (indikator)
			WHERE indikator = ? AND aar = ? AND region = ?`, c.Indicator, year, c.Region).Scan(&verdi, &status, &typ)
		where := fmt.Sprintf("%s %s %s", c.Indicator, c.Year, c.Region)
		if err == sql.ErrNoRows {
			if c.Text != "–" {
				t.Errorf("%s: the page shows %q, the mart has no value", where, c.Text)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		shown++
		counts[status]++
		text := c.Text
		if status == ":" {
			if text != ":" || !strings.Contains(c.Title, map[string]string{"nb": "personvern", "en": "privacy"}[l]) {
				t.Errorf("%s: suppressed, the page shows %q (%q)", where, text, c.Title)
			}
			continue
		}
		if status == "p" {
			var ok bool
			if text, ok = strings.CutSuffix(text, " p"); !ok {
				t.Errorf("%s: preliminary, the page shows %q", where, c.Text)
			}
		}
		got, tol := parseShown(text, typ, l)
		if math.IsNaN(got) || math.Abs(got-verdi.Float64) > tol {
			t.Errorf("%s: the page shows %q, the mart has %v (%s)", where, c.Text, verdi.Float64, typ)
		}
	}
	if shown != wantCells || shown == 0 {
		t.Errorf("region %s: the page shows %d figures, the mart has %d for it, its fylke and the nation", region, shown, wantCells)
	}
	return counts
}

// shownNumber matches a figure as a page in each language writes it:
// Norwegian "1 234" (no-break space), "45,2 %", "3,5"; English "1,234",
// "45.2%", "3.5". Nothing else reads as a number, so that a page in one
// language showing the other's form fails.
var shownNumber = map[string]*regexp.Regexp{
	"nb": regexp.MustCompile(`^(-?(?:\d{1,3}(?:\x{a0}\d{3})+|\d+)(?:,\d+)?)( %)?$`),
	"en": regexp.MustCompile(`^(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(%)?$`),
}

// parseShown reads a number as the page in language l ("nb" or "en")
// writes it, and the rounding it was shown with; NaN when it is not
// written so (a share without its percent sign included).
func parseShown(s, typ, l string) (float64, float64) {
	m := shownNumber[l].FindStringSubmatch(s)
	if m == nil || (typ == "andel") != (m[2] != "") {
		return math.NaN(), 0
	}
	n := m[1]
	if l == "nb" {
		n = strings.Replace(strings.ReplaceAll(n, "\u00a0", ""), ",", ".", 1)
	} else {
		n = strings.ReplaceAll(n, ",", "")
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return math.NaN(), 0
	}
	switch typ {
	case "andel":
		return f / 100, 0.0005 + 1e-9
	case "snitt":
		return f, 0.05 + 1e-9
	}
	return f, 0
}

// browser finds Chromium; without it the test skips, except on CI
// (CI=true), where .ci/run installs it and the test fails.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "the browser test needs chromium on PATH (apt-get install chromium)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestBrowserEnglishNumbers drives headless Chromium through English
// place pages and checks that every figure is written as an English
// reader writes numbers (decimal point, comma between thousands, "12.5%")
// and is the mart's figure, and that the same page in Norwegian keeps the
// Norwegian form. Oslo has shares with decimals; the nation's counts run
// into thousands.
func TestBrowserEnglishNumbers(t *testing.T) {
	ctx := browse(t)
	ts, db := sharedPortal(t)
	decimal := regexp.MustCompile(`^\d+\.\d+%?$`)
	grouped := regexp.MustCompile(`^\d{1,3}(,\d{3})+$`)
	var decimals, groups int
	for _, region := range []string{"0301", "1103"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/en/sted/"+region), chromedp.WaitVisible(chromedp.ID("sted"))); err != nil {
			t.Fatal(err)
		}
		cells := run(t, ctx, chromedp.Evaluate[[]shownCell](cellsJS))
		checkCells(t, db, cells, region, "en")
		for _, c := range cells {
			text := strings.TrimSuffix(c.Text, " p")
			if decimal.MatchString(text) {
				decimals++
			}
			if grouped.MatchString(text) {
				groups++
			}
		}
		// The key figures speak English numbers too: "… 21% fewer than in 2016".
		for _, f := range run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#nokkeltall li')).map(li => li.innerText)`)) {
			if strings.Contains(f, " %") || regexp.MustCompile(`\d,\d{1,2}\b|\d\x{a0}\d`).MatchString(f) {
				t.Errorf("%s: a key figure in Norwegian number format: %q", region, f)
			}
		}
	}
	// A count of a thousand or more shown on the pages: the mart's largest
	// count for the nation in the years on Oslo's page.
	var most float64
	if err := db.QueryRow(`SELECT max(verdi) FROM indikator JOIN indikator_katalog k USING (indikator)
		WHERE k.type = 'antall' AND region = '0' AND indikator IN (SELECT indikator FROM indikator WHERE region = '0301')`).Scan(&most); err != nil {
		t.Fatal(err)
	}
	if decimals == 0 || (most >= 1000) != (groups > 0) {
		t.Errorf("%d figures with a decimal point, %d with thousands grouped by commas (the largest national count is %v): the test proves too little", decimals, groups, most)
	}
	t.Logf("English pages: %d figures with a decimal point, %d grouped by commas", decimals, groups)

	// The Norwegian page of the same place keeps decimal comma and " %".
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/sted/0301"), chromedp.WaitVisible(chromedp.ID("sted"))); err != nil {
		t.Fatal(err)
	}
	checkCells(t, db, run(t, ctx, chromedp.Evaluate[[]shownCell](cellsJS)), "0301", "nb")
}
