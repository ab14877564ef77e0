package portal_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshotDir is where the browser tests leave screenshots of the pages
// for a developer to look at (gitignored).
const screenshotDir = "screenshots"

// viewports are the widths the pages are looked at: desktop and phone.
var viewports = []struct {
	name          string
	width, height int64
}{{"desktop", 1280, 900}, {"phone", 390, 844}}

// TestBrowserMapRecolours drives Chromium on the front page: the map draws
// every kommune of today, and picking another indicator recolours it.
func TestBrowserMapRecolours(t *testing.T) {
	ctx := browse(t)
	_, ts := newPortal(t, shared(t))
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/?indikator=bosatte&aar=2017"), chromedp.WaitVisible(chromedp.ID("kart"))); err != nil {
		t.Fatal(err)
	}
	const fills = `Array.from(document.querySelectorAll('#kart path')).map(p => p.dataset.region + '=' + getComputedStyle(p).fill)`
	before := run(t, ctx, chromedp.Evaluate[[]string](fills))
	drawn := map[string]bool{}
	for _, f := range before {
		drawn[strings.Split(f, "=")[0]] = true
	}
	if len(drawn) != 357 {
		t.Errorf("the map draws %d kommuner, want today's 357", len(drawn))
	}
	// The reader picks a share: the form reloads the page with it.
	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("indikator"), "andel_bosatt_6mnd"),
		chromedp.Click(chromedp.CSS(".kartvalg button")),
		chromedp.WaitVisible(chromedp.CSS(`#kart[data-indikator="andel_bosatt_6mnd"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	after := run(t, ctx, chromedp.Evaluate[[]string](fills))
	changed := 0
	for i := range after {
		if i < len(before) && after[i] != before[i] {
			changed++
		}
	}
	if len(after) != len(before) || changed == 0 {
		t.Errorf("picking another indicator: %d of %d kommuner recoloured", changed, len(after))
	}
	heading := run(t, ctx, chromedp.Text(chromedp.ID("kart-tittel")))
	if !strings.Contains(heading, "Andel bosatt innen 6 måneder") {
		t.Errorf("map heading %q", heading)
	}
}

// TestBrowserAccessibilityAndScreenshots runs axe-core in Chromium on the
// front, place, fylke and compare pages (no serious or critical
// violations) and leaves screenshots of each at desktop and phone widths
// in serve/screenshots.
func TestBrowserAccessibilityAndScreenshots(t *testing.T) {
	ctx := browse(t)
	_, ts := newPortal(t, shared(t))
	clients(t)
	axe, err := os.ReadFile(filepath.Join(clientsDir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	type violation struct {
		ID, Impact, Help string
		Nodes            []string
	}
	const check = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
		.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))`
	for _, pg := range []struct{ name, path string }{
		{"forside", "/"}, {"kart-fylker", "/?niva=fylke"}, {"sted", "/sted/1103"}, {"fylke", "/sted/11"},
		{"sammenlign", "/sammenlign?regions=0301,1103,11&indicator=bosatte"}, {"en-sted", "/en/sted/0301"},
	} {
		for _, vp := range viewports {
			err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(ts.URL+pg.path), chromedp.WaitReady(chromedp.CSS("footer")))
			if err != nil {
				t.Fatal(err)
			}
			png := run(t, ctx, chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(screenshotDir, fmt.Sprintf("%s-%s.png", pg.name, vp.name)), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run(t, ctx, chromedp.Evaluate[bool](string(axe)+"; true"))
		for _, v := range run(t, ctx, chromedp.Evaluate[[]violation](check, chromedp.EvalAwaitPromise)) {
			t.Errorf("%s: %s (%s): %s %v", pg.path, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	t.Logf("screenshots in readers/portal/%s", screenshotDir)
}
