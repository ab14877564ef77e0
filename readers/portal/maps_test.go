package portal_test

import (
	"database/sql"
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// mapCell is a row of the table beside a map: region, class, text.
var mapCell = regexp.MustCompile(`<td data-region="(\d+)" class="([a-z0-9]+)-t">([^<]*)</td>`)

// mapPath is a region drawn on a map.
var mapPath = regexp.MustCompile(`<path d="[^"]+" class="([a-z0-9]+)" data-region="(\d+)">`)

// TestFrontPageMap checks the front page's kommune and fylke maps: every
// region of today drawn, and the figures beside them those of the mart:
// counts on today's structure from indikator_dagens_inndeling, shares
// from the year's own kommune where its territory was one kommune.
func TestFrontPageMap(t *testing.T) {
	ts, db := sharedPortal(t)
	// The kommuner of today that were one kommune in a year, and that code.
	const sameTerritory = `SELECT DISTINCT aar, region, koder FROM indikator_dagens_inndeling d
		WHERE indikator = 'bosatte' AND data_per IN (SELECT data_per FROM indikator WHERE indikator = 'bosatte') AND koder NOT LIKE '%,%'`
	// The share with the most kommune figures the map can show (in the
	// small cases every one is suppressed).
	var share string
	var year int
	err := db.QueryRow(`SELECT i.indikator, i.aar FROM indikator i JOIN indikator_katalog k USING (indikator)
		JOIN (`+sameTerritory+`) d ON d.koder = i.region AND d.aar = i.aar
		WHERE k.type = 'andel' AND i.niva = 'kommune' GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1`).Scan(&share, &year)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query, typ string
		paths      int
		want       string // SQL: region, verdi, status of the figures the map should show
		coloured   bool   // the small cases have unsuppressed figures to colour
	}{
		{"/?indikator=bosatte&aar=2017", "antall", 357, `SELECT region, verdi, status FROM indikator_dagens_inndeling
			WHERE indikator = 'bosatte' AND aar = 2017 AND data_per IN (SELECT data_per FROM indikator WHERE indikator = 'bosatte')`, true},
		{"/?indikator=" + share + "&aar=" + strconv.Itoa(year), "andel", 357, `SELECT d.region, i.verdi, i.status FROM indikator i
			JOIN (` + sameTerritory + `) d ON d.koder = i.region AND d.aar = i.aar
			WHERE i.indikator = '` + share + `' AND i.aar = ` + strconv.Itoa(year) + ` AND i.niva = 'kommune'`, false},
		{"/?niva=fylke&indikator=bosatte&aar=2017", "antall", 15, `SELECT region, verdi, status FROM indikator
			WHERE indikator = 'bosatte' AND aar = 2017 AND niva = 'fylke'`, true},
	} {
		resp, body := get(t, ts.URL+tc.query)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", tc.query, resp.Status)
		}
		page := string(body)
		drawn := map[string]string{}
		for _, m := range mapPath.FindAllStringSubmatch(page, -1) {
			drawn[m[2]] = m[1]
		}
		if len(drawn) != tc.paths || !strings.Contains(page, "© Kartverket") {
			t.Errorf("%s: %d regions drawn, want %d, with «© Kartverket»", tc.query, len(drawn), tc.paths)
		}
		rows, err := db.Query(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][2]any{}
		for rows.Next() {
			var region, status string
			var verdi sql.NullFloat64
			if err := rows.Scan(&region, &verdi, &status); err != nil {
				t.Fatal(err)
			}
			want[region] = [2]any{verdi, status}
		}
		rows.Close()
		shown, classes := 0, map[string]int{}
		for _, m := range mapCell.FindAllStringSubmatch(page, -1) {
			region, class, text := m[1], m[2], html.UnescapeString(m[3])
			classes[class]++
			if drawn[region] != class {
				t.Errorf("%s %s: the map has class %q, the table %q", tc.query, region, drawn[region], class)
			}
			w, ok := want[region]
			if !ok {
				if class != "mangler" {
					t.Errorf("%s %s: shows %q (%s), the mart has no figure for it", tc.query, region, text, class)
				}
				continue
			}
			shown++
			verdi, status := w[0].(sql.NullFloat64), w[1].(string)
			if status == ":" {
				if class != "prikket" {
					t.Errorf("%s %s: suppressed in the mart, shown %q (%s)", tc.query, region, text, class)
				}
				continue
			}
			text = strings.TrimSuffix(text, " (foreløpig)")
			got, tol := parseShown(text, tc.typ, "nb")
			if math.IsNaN(got) || math.Abs(got-verdi.Float64) > tol || !strings.HasPrefix(class, "k") {
				t.Errorf("%s %s: shows %q (%s), the mart has %v", tc.query, region, text, class, verdi.Float64)
			}
		}
		if shown == 0 || (tc.coloured && classes["k0"] == 0) {
			t.Errorf("%s: %d figures shown, classes %v: the test proves too little", tc.query, shown, classes)
		}
		t.Logf("%s: %d regions with figures, classes %v", tc.query, shown, classes)
	}
}

// rankBar is a kommune's bar on a fylke page.
var rankBar = regexp.MustCompile(`<rect x="170" y="[^"]+" width="[^"]+" height="14" data-region="(\d+)" data-tekst="([^"]*)"/>`)

// TestFylkePageRanksItsKommuner: a fylke page ranks the kommuner that
// were in it that year, largest first, with the mart's figures, and draws
// the fylke and the nation as reference lines for a share.
func TestFylkePageRanksItsKommuner(t *testing.T) {
	ts, db := sharedPortal(t)
	for _, tc := range []struct{ ind, typ string }{{"bosatte", "antall"}, {"andel_bosatt_6mnd", "andel"}} {
		_, body := get(t, ts.URL+"/sted/11?indikator="+tc.ind+"&aar=2017")
		page := string(body)
		rows, err := db.Query(`SELECT i.region, i.verdi FROM indikator i JOIN region r USING (aar, niva, region)
			WHERE i.indikator = ? AND i.aar = 2017 AND i.niva = 'kommune' AND r.fylke = '11' AND i.status <> ':'
			ORDER BY i.verdi DESC`, tc.ind)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{}
		var order []float64
		for rows.Next() {
			var region string
			var v float64
			rows.Scan(&region, &v)
			want[region] = v
			order = append(order, v)
		}
		rows.Close()
		bars := rankBar.FindAllStringSubmatch(page, -1)
		if len(bars) != len(want) || (tc.typ == "antall" && len(bars) == 0) {
			t.Errorf("%s: %d bars, the mart has %d figures", tc.ind, len(bars), len(want))
		}
		for i, b := range bars {
			got, tol := parseShown(html.UnescapeString(b[2]), tc.typ, "nb")
			if math.Abs(got-want[b[1]]) > tol || (i < len(order) && math.Abs(got-order[i]) > tol) {
				t.Errorf("%s: bar %d %s shows %q, the mart %v (rank %v)", tc.ind, i, b[1], b[2], want[b[1]], order[min(i, len(order)-1)])
			}
		}
		refs := strings.Count(page, `class="linje1 referanse"`) + strings.Count(page, `class="linje2 referanse"`)
		if (tc.typ == "andel") != (refs > 0) {
			t.Errorf("%s: %d reference lines", tc.ind, refs)
		}
	}
}
