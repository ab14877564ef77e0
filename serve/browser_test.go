package serve_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"os/exec"
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
	dir := shared(t)
	_, ts := portal(t, dir)
	db := published(t, dir)

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
	if title := run(t, ctx, chromedp.Title()); heading != "Tromsø" || !strings.HasPrefix(title, "Tromsø") {
		t.Fatalf("search for tromsø led to %q (%q)", heading, title)
	}
	checkCells(t, db, run(t, ctx, chromedp.Evaluate[[]shownCell](cellsJS)), "1902")

	// A place with suppressed figures: each shows ':' with the explanation.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/sted/1103"), chromedp.WaitVisible(chromedp.ID("sted"))); err != nil {
		t.Fatal(err)
	}
	note := run(t, ctx, chromedp.Text(chromedp.ID("merknad")))
	if n := checkCells(t, db, run(t, ctx, chromedp.Evaluate[[]shownCell](cellsJS)), "1103"); n[":"] == 0 {
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

// run runs one browser action, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkCells compares each cell with the mart and counts the statuses.
// A count must match exactly, a share (shown in percent with one
// decimal) and a mean (one decimal) within the rounding.
func checkCells(t *testing.T, db *sql.DB, cells []shownCell, region string) map[string]int {
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
			if text != ":" || !strings.Contains(c.Title, "personvern") {
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
		got, tol := parseShown(text, typ)
		if math.IsNaN(got) || math.Abs(got-verdi.Float64) > tol {
			t.Errorf("%s: the page shows %q, the mart has %v (%s)", where, c.Text, verdi.Float64, typ)
		}
	}
	if shown != wantCells || shown == 0 {
		t.Errorf("region %s: the page shows %d figures, the mart has %d for it, its fylke and the nation", region, shown, wantCells)
	}
	return counts
}

// parseShown reads a number as the page writes it ("1 234", "45,2 %",
// "3,5") and the rounding it was shown with.
func parseShown(s, typ string) (float64, float64) {
	s = strings.NewReplacer("\u00a0", "", " ", "", "%", "").Replace(s)
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
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
