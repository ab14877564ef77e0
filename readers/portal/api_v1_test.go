package portal_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"integstat/readers/portal"
)

// TestAPIIndexLinksWork follows every link of /api/v1/.
func TestAPIIndexLinksWork(t *testing.T) {
	_, ts := newPortal(t, shared(t))
	var index struct {
		OpenAPI   string `json:"openapi"`
		Endpoints []struct {
			Href string `json:"href"`
		} `json:"endepunkter"`
	}
	getJSON(t, ts.URL+"/api/v1/", &index)
	if len(index.Endpoints) < 6 || index.OpenAPI != ts.URL+"/api/v1/openapi.json" {
		t.Fatalf("index: %+v", index)
	}
	for _, e := range index.Endpoints {
		if resp, body := get(t, e.Href); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s %.200s", e.Href, resp.Status, body)
		}
	}
}

// TestOpenAPIValidatesAndDescribesTheAnswers has swagger-parser validate
// the OpenAPI document and ajv check the answers of every endpoint, errors
// included, against the schemas the document gives for them.
func TestOpenAPIValidatesAndDescribesTheAnswers(t *testing.T) {
	_, ts := newPortal(t, shared(t))
	run := clients(t)
	paths := []string{
		"/api/v1/", "/api/v1/?lang=en", "/api/v1/openapi.json", "/api/v1/publication", "/api/v1/publications",
		"/api/v1/indicators", "/api/v1/indicators?lang=en",
		"/api/v1/values?indicator=bosatte,andel_bosatt_6mnd&years=last:2&fylke=11",
		"/api/v1/values?indicator=bosatte&years=latest&inndeling=dagens&level=kommune",
		"/api/v1/values?indicator=bosatte,ventetid_mnd&regions=0,11,1103&format=jsonstat",
		"/api/v1/values?indicator=bosatte&years=2016-&regions=19,1902&format=jsonstat&inndeling=dagens&lang=en",
		"/api/v1/values?years=17", "/api/v1/values?indicator=nope",
		"/api/v1/places/1103", "/api/v1/places/1103?years=latest&lang=en", "/api/v1/places/1103?format=jsonstat", "/api/v1/places/9999",
		"/api/v1/compare?regions=0301,1103&indicator=bosatte", "/api/v1/compare?fylke=11&indicator=andel_bosatt_6mnd&years=2016",
		"/api/v1/compare?regions=0301",
		"/api/v1/regions", "/api/v1/regions?q=tromso", "/api/v1/regions?level=fylke&lang=en", "/api/v1/regions?level=by",
	}
	var got struct {
		OpenAPI string   `json:"openapi"`
		Paths   []string `json:"paths"`
		Results []struct {
			Path, Template string
			Status         int
			Valid          bool
			Errors         json.RawMessage
		} `json:"results"`
	}
	if err := json.Unmarshal(run("openapi.js", append([]string{ts.URL}, paths...)...), &got); err != nil {
		t.Fatal(err)
	}
	if got.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", got.OpenAPI)
	}
	tried := map[string]map[int]bool{}
	for _, r := range got.Results {
		if !r.Valid {
			t.Errorf("%s (%s): %d does not validate against the document: %s", r.Path, r.Template, r.Status, r.Errors)
		}
		if tried[r.Template] == nil {
			tried[r.Template] = map[int]bool{}
		}
		tried[r.Template][r.Status] = true
	}
	for _, p := range got.Paths {
		if !tried[p][200] {
			t.Errorf("the test asks nothing of %s", p)
		}
	}
	if !tried["/api/v1/values"][400] || !tried["/api/v1/places/{code}"][404] {
		t.Errorf("the test checks no error answer: %v", tried)
	}
}

// TestCORS: any web page may call the API, errors included, and a
// preflight is answered 204.
func TestCORS(t *testing.T) {
	_, ts := newPortal(t, shared(t))
	req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/api/v1/values?indicator=bosatte", nil)
	req.Header.Set("Origin", "https://example.org")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "if-none-match")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") || resp.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Errorf("preflight: %s %v", resp.Status, resp.Header)
	}
	for _, path := range []string{"/api/v1/values?indicator=bosatte&years=2016", "/api/v1/places/0000", "/api/v1/nothing", "/sted/0301"} {
		resp, _ := get(t, ts.URL+path, "Origin", "https://example.org")
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: %s without Access-Control-Allow-Origin: *", path, resp.Status)
		}
	}
}

// TestRelativeYearsAndFylke checks years=latest, last:N, open ranges and
// fylke=NN against selections written in SQL on the mart.
func TestRelativeYearsAndFylke(t *testing.T) {
	ts, db := sharedPortal(t)
	var latest, first int
	if err := db.QueryRow(`SELECT max(aar), min(aar) FROM indikator WHERE indikator = 'bosatte'`).Scan(&latest, &first); err != nil {
		t.Fatal(err)
	}
	var latestToday int
	if err := db.QueryRow(`SELECT max(aar) FROM indikator_dagens_inndeling WHERE indikator = 'bosatte'`).Scan(&latestToday); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query, table, where string
	}{
		{"indicator=bosatte&years=latest", "indikator", "indikator = 'bosatte' AND aar = " + strconv.Itoa(latest)},
		{"indicator=bosatte&years=last:2&level=fylke", "indikator", fmt.Sprintf("indikator = 'bosatte' AND niva = 'fylke' AND aar >= %d", latest-1)},
		{"indicator=bosatte&years=2016-&regions=0", "indikator", "indikator = 'bosatte' AND region = '0' AND aar >= 2016"},
		{"indicator=bosatte&years=-2015&regions=0", "indikator", "indikator = 'bosatte' AND region = '0' AND aar <= 2015"},
		{"indicator=bosatte&years=latest&inndeling=dagens", "indikator_dagens_inndeling",
			"indikator = 'bosatte' AND data_per IN (SELECT data_per FROM indikator WHERE indikator = 'bosatte') AND aar = " + strconv.Itoa(latestToday)},
		{"indicator=bosatte,andel_bosatt_6mnd&fylke=11", "indikator",
			"indikator IN ('bosatte', 'andel_bosatt_6mnd') AND niva = 'kommune' AND (aar, region) IN (SELECT (aar, region) FROM region WHERE niva = 'kommune' AND fylke = '11')"},
		{"indicator=bosatte&fylke=11&regions=11&years=2017", "indikator",
			"indikator = 'bosatte' AND aar = 2017 AND (region = '11' OR (aar, region) IN (SELECT (aar, region) FROM region WHERE niva = 'kommune' AND fylke = '11'))"},
	} {
		var got struct {
			Values []portal.Value `json:"verdier"`
		}
		getJSON(t, ts.URL+"/api/v1/values?"+tc.query, &got)
		want := martValuesFrom(t, db, tc.table, tc.where)
		if g := keys(got.Values); len(want) == 0 || !slices.Equal(g, want) {
			t.Errorf("%s: %d values, the mart has %d", tc.query, len(g), len(want))
		}
	}
}

// TestJSONStatLinksHierarchyNotes has jsonstat-toolkit read the links,
// the region hierarchy, the notes and the extension of a dataset.
func TestJSONStatLinksHierarchyNotes(t *testing.T) {
	ts, db := sharedPortal(t)
	query := "/api/v1/values?indicator=bosatte,andel_bosatt_6mnd&regions=0,11,1103,1102,03,0301&years=2016-2017&format=jsonstat"
	var view struct {
		toolkitView
		Href      string                                   `json:"href"`
		Link      map[string][]struct{ Type, Href string } `json:"link"`
		Note      []string                                 `json:"note"`
		Source    string                                   `json:"source"`
		Notes     map[string]map[string][]string           `json:"notes"`
		Children  map[string]map[string][]string           `json:"children"`
		Hierarchy map[string]bool                          `json:"hierarchy"`
		Extension struct {
			Publication string                `json:"publikasjon"`
			Status      map[string]string     `json:"status"`
			Licence     struct{ Name string } `json:"lisens"`
		} `json:"extension"`
	}
	if err := json.Unmarshal(clients(t)("jsonstat.js", ts.URL+query), &view); err != nil {
		t.Fatal(err)
	}
	if view.Href != ts.URL+query {
		t.Errorf("href %q", view.Href)
	}
	var built string
	if err := db.QueryRow(`SELECT strftime(bygget AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') FROM publikasjon`).Scan(&built); err != nil {
		t.Fatal(err)
	}
	if view.Updated != built {
		t.Errorf("updated %q, the publication was built %q", view.Updated, built)
	}
	alt := map[string]string{}
	for _, l := range view.Link["alternate"] {
		alt[l.Type] = l.Href
	}
	for typ, want := range map[string]string{"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} {
		href := alt[want]
		u, err := url.Parse(href)
		if err != nil || u.Query().Get("format") != typ {
			t.Errorf("alternate %s: %q", typ, href)
			continue
		}
		if resp, _ := get(t, href); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
			t.Errorf("alternate %s: %s %s", typ, resp.Status, resp.Header.Get("Content-Type"))
		}
	}
	if d := view.Link["describedby"]; len(d) != 1 || !strings.HasSuffix(d[0].Href, "/api/v1/indicators") {
		t.Errorf("describedby %+v", d)
	}
	if !view.Hierarchy["region"] || fmt.Sprint(view.Children["region"]) != "map[0:[03 11] 03:[0301] 11:[1102 1103]]" {
		t.Errorf("hierarchy %v: %v", view.Hierarchy, view.Children["region"])
	}
	var plain string
	if err := db.QueryRow(`SELECT forklaring FROM indikator_katalog WHERE indikator = 'andel_bosatt_6mnd'`).Scan(&plain); err != nil {
		t.Fatal(err)
	}
	if n := view.Notes["indikator"]["andel_bosatt_6mnd"]; len(n) != 1 || n[0] != plain || strings.Contains(plain, "_") {
		t.Errorf("the note of andel_bosatt_6mnd: %q (the catalogue: %q)", n, plain)
	}
	if !strings.Contains(view.Extension.Status[":"], "personvern") || view.Extension.Status["p"] == "" || view.Extension.Licence.Name == "" || view.Extension.Publication == "" {
		t.Errorf("extension %+v", view.Extension)
	}

	// On today's structure a kommune made of several codes says which.
	var code, codes string
	err := db.QueryRow(`SELECT region, koder FROM indikator_dagens_inndeling WHERE indikator = 'bosatte' AND niva = 'kommune' AND koder LIKE '%,%'
		AND data_per IN (SELECT data_per FROM indikator WHERE indikator = 'bosatte') ORDER BY region, aar LIMIT 1`).Scan(&code, &codes)
	if err == sql.ErrNoRows {
		t.Fatal("the small cases have no merged kommune on today's structure: the test proves too little")
	} else if err != nil {
		t.Fatal(err)
	}
	var today struct {
		Notes map[string]map[string][]string `json:"notes"`
	}
	if err := json.Unmarshal(clients(t)("jsonstat.js", ts.URL+"/api/v1/values?indicator=bosatte&inndeling=dagens&format=jsonstat&regions="+code), &today); err != nil {
		t.Fatal(err)
	}
	note := strings.Join(today.Notes["region"][code], " ")
	for _, c := range strings.Split(codes, ",") {
		if !strings.Contains(note, c) {
			t.Errorf("today's %s (codes %s): note %q", code, codes, note)
		}
	}
}

// TestXLSXReadBySheetJS opens the workbook with SheetJS, not with the
// library that wrote it, and finds the mart's values: numbers as numbers,
// suppressed figures as ':', and a sheet of notes.
func TestXLSXReadBySheetJS(t *testing.T) {
	ts, db := sharedPortal(t)
	where := "indikator IN ('bosatte', 'andel_bosatt_6mnd') AND region IN ('0', '11', '1103', '1102') AND aar BETWEEN 2015 AND 2017"
	var book struct {
		Names  []string
		Sheets map[string][][]*struct {
			T string
			V any
		}
	}
	q := "/api/v1/values?indicator=bosatte,andel_bosatt_6mnd&regions=0,11,1103,1102&years=2015-2017&format=xlsx"
	if err := json.Unmarshal(clients(t)("xlsx.js", ts.URL+q), &book); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(book.Names) != "[Tall Merknader]" {
		t.Fatalf("sheets %v", book.Names)
	}
	var got []string
	kinds := map[string]int{}
	for i, row := range book.Sheets["Tall"] {
		if i == 0 {
			continue
		}
		s := func(c int) string { return fmt.Sprint(row[c].V) }
		v := portal.Value{Indicator: s(0), Level: s(3), Region: s(4), RegionName: s(5)}
		year, _ := row[2].V.(float64)
		v.Year = int(year)
		if row[9] != nil {
			v.Status = s(9)
		}
		switch c := row[6]; {
		case c != nil && c.T == "n":
			f := c.V.(float64)
			v.Verdi = &f
			kinds["number"]++
		case c != nil && c.T == "s" && c.V == ":" && v.Status == ":":
			kinds["suppressed"]++
		default:
			t.Errorf("row %d: value cell %+v, status %q", i, c, v.Status)
		}
		got = append(got, key(v))
	}
	slices.Sort(got)
	if want := martValues(t, db, where); !slices.Equal(got, want) {
		t.Errorf("the workbook has %d figures, the mart %d", len(got), len(want))
	}
	if kinds["number"] == 0 || kinds["suppressed"] == 0 {
		t.Errorf("kinds of cells %v: the test proves too little", kinds)
	}
	var notes []string
	for _, row := range book.Sheets["Merknader"] {
		for _, c := range row {
			if c != nil {
				notes = append(notes, fmt.Sprint(c.V))
			}
		}
	}
	if all := strings.Join(notes, "|"); !strings.Contains(all, "personvern") || !strings.Contains(all, "Bosatte flyktninger") {
		t.Errorf("the notes sheet: %.300s", all)
	}
}

// TestEnglishLabels: lang=en gives the catalogue seed's English names,
// units and plain definitions, in JSON and in JSON-stat.
func TestEnglishLabels(t *testing.T) {
	ts, db := sharedPortal(t)
	var got struct {
		Indicators []portal.Indicator `json:"indikatorer"`
	}
	getJSON(t, ts.URL+"/api/v1/indicators?lang=en", &got)
	rows, err := db.Query(`SELECT indikator, navn_en, enhet_en, forklaring_en FROM indikator_katalog`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[string][3]string{}
	for rows.Next() {
		var id string
		var w [3]string
		if err := rows.Scan(&id, &w[0], &w[1], &w[2]); err != nil {
			t.Fatal(err)
		}
		want[id] = w
	}
	if len(got.Indicators) != len(want) || len(want) == 0 {
		t.Fatalf("%d indicators, the catalogue has %d", len(got.Indicators), len(want))
	}
	for _, ind := range got.Indicators {
		if w := want[ind.ID]; [3]string{ind.Name, ind.Unit, ind.Plain} != w {
			t.Errorf("%s in English: %q %q %q; the seed: %q", ind.ID, ind.Name, ind.Unit, ind.Plain, w)
		}
	}
	view := toolkit(t)(ts.URL + "/api/v1/values?indicator=bosatte&regions=0&format=jsonstat&lang=en")
	if view.Labels["indikator"]["bosatte"] != want["bosatte"][0] || view.Units["bosatte"].Label != "persons" {
		t.Errorf("JSON-stat in English: %v %v", view.Labels, view.Units)
	}
}
