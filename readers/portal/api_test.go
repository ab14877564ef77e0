package portal_test

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"integstat/readers/portal"
)

// key identifies a value and what it says, for comparing sets of values.
func key(v portal.Value) string {
	verdi := "NULL"
	if v.Verdi != nil {
		verdi = strconv.FormatFloat(*v.Verdi, 'g', 12, 64)
	}
	return fmt.Sprintf("%s|%d|%s|%s|%s|%s|%s", v.Indicator, v.Year, v.Level, v.Region, v.RegionName, verdi, v.Status)
}

// martValues reads the values the published mart holds for a filter
// written in SQL by the test, independently of the server's own lookup.
func martValues(t *testing.T, db *sql.DB, where string, args ...any) []string {
	t.Helper()
	return martValuesFrom(t, db, "indikator", where, args...)
}

// martValuesFrom is martValues on another table of figures.
func martValuesFrom(t *testing.T, db *sql.DB, table, where string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(`SELECT indikator, aar, niva, region, region_navn, verdi, status FROM `+table+` WHERE `+where, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v portal.Value
		var verdi sql.NullFloat64
		if err := rows.Scan(&v.Indicator, &v.Year, &v.Level, &v.Region, &v.RegionName, &verdi, &v.Status); err != nil {
			t.Fatal(err)
		}
		if verdi.Valid {
			v.Verdi = &verdi.Float64
		}
		out = append(out, key(v))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func keys(values []portal.Value) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = key(v)
	}
	slices.Sort(out)
	return out
}

func TestValuesAreThePublishedOnes(t *testing.T) {
	ts, db := sharedPortal(t)
	for _, tc := range []struct {
		query string
		where string
		args  []any
		table string // default indikator
	}{
		{"indicator=bosatte&level=fylke", "indikator = ? AND niva = ?", []any{"bosatte", "fylke"}, ""},
		{"indicator=bosatte,intro_deltakere&years=2016-2017&regions=0301,03,0", "indikator IN ('bosatte', 'intro_deltakere') AND aar BETWEEN 2016 AND 2017 AND region IN ('0301', '03', '0')", nil, ""},
		{"indicator=andel_bosatt_6mnd&indicator=ventetid_mnd&years=2017", "indikator IN ('andel_bosatt_6mnd', 'ventetid_mnd') AND aar = 2017", nil, ""},
		{"regions=1902&level=kommune", "region = '1902' AND niva = 'kommune'", nil, ""},
		{"indicator=tolker&years=2014,2017&level=land", "indikator = 'tolker' AND aar IN (2014, 2017) AND niva = 'land'", nil, ""},
		{"inndeling=dagens&indicator=bosatte&regions=3907,5001", "indikator = 'bosatte' AND region IN ('3907', '5001') AND data_per = (SELECT max(data_per) FROM indikator WHERE indikator = 'bosatte')", nil, "indikator_dagens_inndeling"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			var got struct {
				Publication string         `json:"publikasjon"`
				Values      []portal.Value `json:"verdier"`
			}
			getJSON(t, ts.URL+"/api/v1/values?"+tc.query, &got)
			table := cmp.Or(tc.table, "indikator")
			want := martValuesFrom(t, db, table, tc.where, tc.args...)
			if len(want) == 0 {
				t.Fatalf("%s has no values for %s: the case tests nothing", table, tc.where)
			}
			if g := keys(got.Values); !slices.Equal(g, want) {
				t.Errorf("%d values, the mart has %d\nfirst answered: %v\nfirst in mart: %v", len(g), len(want), first(g), first(want))
			}
		})
	}
}

func first(s []string) []string { return s[:min(3, len(s))] }

// TestSuppressedAndPreliminary checks that a suppressed value carries no
// number in any format and that statuses come through.
func TestSuppressedAndPreliminary(t *testing.T) {
	ts, db := sharedPortal(t)
	var ind, region string
	var year int
	if err := db.QueryRow(`SELECT indikator, region, aar FROM indikator WHERE status = ':' ORDER BY ALL LIMIT 1`).Scan(&ind, &region, &year); err != nil {
		t.Fatalf("the small cases should have a suppressed value: %v", err)
	}
	q := fmt.Sprintf("/api/v1/values?indicator=%s&regions=%s&years=%d", ind, region, year)
	var got struct {
		Values []portal.Value `json:"verdier"`
	}
	getJSON(t, ts.URL+q, &got)
	if len(got.Values) != 1 {
		t.Fatalf("%s: %d values", q, len(got.Values))
	}
	if v := got.Values[0]; v.Status != ":" || v.Verdi != nil || v.Teller != nil || v.Nevner != nil {
		t.Errorf("suppressed value answered as %+v", v)
	}
	_, body := get(t, ts.URL+q+"&format=csv")
	recs := readCSV(t, body, ';')
	if r := recs[1]; r[5] != "" || r[6] != "" || r[7] != "" || r[8] != ":" {
		t.Errorf("suppressed value in CSV: %q", r)
	}
}

// readCSV checks the Excel conventions and returns the records.
func readCSV(t *testing.T, body []byte, comma rune) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(body, []byte("\ufeff"))
	if !ok {
		t.Fatalf("CSV does not start with a UTF-8 byte order mark: %q", body[:min(10, len(body))])
	}
	if !bytes.Contains(rest, []byte("\r\n")) {
		t.Error("CSV lines do not end in CRLF")
	}
	r := csv.NewReader(bytes.NewReader(rest))
	r.Comma = comma
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestCSVForExcel: CSV is for the reader's Excel — Norwegian by default
// (';' between fields, decimal comma), English with lang=en (',' and a
// decimal point) — and holds the JSON answer's figures exactly.
func TestCSVForExcel(t *testing.T) {
	dir := shared(t)
	_, ts := newPortal(t, dir)
	for _, tc := range []struct {
		lang         string
		comma        rune
		point, wrong string
	}{
		{"", ';', ",", "."},
		{"&lang=en", ',', ".", ","},
	} {
		q := "/api/v1/values?indicator=andel_bosatt_6mnd,ventetid_mnd,bosatte" + tc.lang
		var js struct {
			Values []portal.Value `json:"verdier"`
		}
		getJSON(t, ts.URL+q, &js)
		resp, body := get(t, ts.URL+q+"&format=csv")
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		recs := readCSV(t, body, tc.comma)
		if want := []string{"indikator", "aar", "niva", "region", "region_navn", "verdi", "teller", "nevner", "status", "data_per"}; !slices.Equal(recs[0], want) {
			t.Fatalf("%s: header %q", q, recs[0])
		}
		if len(recs)-1 != len(js.Values) {
			t.Fatalf("%s: CSV has %d rows, JSON %d", q, len(recs)-1, len(js.Values))
		}
		fractions, names := 0, 0
		for i, v := range js.Values {
			r := recs[i+1]
			if r[0] != v.Indicator || r[3] != v.Region || r[4] != v.RegionName || r[8] != v.Status {
				t.Fatalf("%s: row %d: CSV %q, JSON %+v", q, i+1, r, v)
			}
			if strings.ContainsAny(v.RegionName, "æøåÆØÅ") {
				names++
			}
			if v.Verdi == nil {
				continue
			}
			if strings.Contains(r[5], tc.wrong) {
				t.Fatalf("%s: row %d: %q in %q", q, i+1, tc.wrong, r[5])
			}
			f, err := strconv.ParseFloat(strings.Replace(r[5], tc.point, ".", 1), 64)
			if err != nil || f != *v.Verdi {
				t.Fatalf("%s: row %d: verdi %q, JSON %v", q, i+1, r[5], *v.Verdi)
			}
			if *v.Verdi != math.Trunc(*v.Verdi) {
				fractions++
				if !strings.Contains(r[5], tc.point) {
					t.Errorf("%s: row %d: fraction %q without %q", q, i+1, r[5], tc.point)
				}
			}
		}
		if fractions == 0 || names == 0 {
			t.Errorf("%s: the sample has %d fractions and %d names with æ, ø, å: the test proves too little", q, fractions, names)
		}
	}
}

func TestIndicatorCatalogue(t *testing.T) {
	ts, db := sharedPortal(t)
	var got struct {
		Indicators []struct {
			ID         string   `json:"id"`
			Type       string   `json:"type"`
			Name       string   `json:"navn"`
			Unit       string   `json:"enhet"`
			Definition string   `json:"definisjon"`
			Levels     []string `json:"nivaer"`
		} `json:"indikatorer"`
	}
	getJSON(t, ts.URL+"/api/v1/indicators", &got)
	rows, err := db.Query(`SELECT indikator, type, navn, enhet, definisjon, nivaer FROM indikator_katalog`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, typ, name, unit, def, levels string
		if err := rows.Scan(&id, &typ, &name, &unit, &def, &levels); err != nil {
			t.Fatal(err)
		}
		n++
		i := -1
		for j, g := range got.Indicators {
			if g.ID == id {
				i = j
			}
		}
		if i < 0 {
			t.Errorf("catalogue lacks %s", id)
			continue
		}
		g := got.Indicators[i]
		if g.Type != typ || g.Name != name || g.Unit != unit || g.Definition != def || strings.Join(g.Levels, ",") != levels {
			t.Errorf("%s: answered %+v", id, g)
		}
	}
	if n == 0 || n != len(got.Indicators) {
		t.Errorf("catalogue: %d answered, %d in the mart", len(got.Indicators), n)
	}
	_, body := get(t, ts.URL+"/api/v1/indicators?format=csv")
	if recs := readCSV(t, body, ';'); len(recs) != n+1 {
		t.Errorf("catalogue CSV: %d records for %d indicators", len(recs), n)
	}
}

// TestRegionSearch: a place is found by any of its names, language forms
// and codes, answered once under today's code, with its history.
func TestRegionSearch(t *testing.T) {
	_, ts := newPortal(t, shared(t))
	for _, tc := range []struct {
		q, want, name, history string
	}{
		{"Tromsø", "5501", "Tromsø", "Tromsø — 5501, tidligere 5401 (2020–2023) og 1902 (til 2019)"},
		{"TROMSØ", "5501", "Tromsø", ""},
		{"tromso", "5501", "Tromsø", ""},
		{"5401", "5501", "Tromsø", ""},
		{"1902", "5501", "Tromsø", ""},
		{"karasjok", "5610", "Kárášjohka - Karasjok", ""},
		{"Kárášjohka", "5610", "Kárášjohka - Karasjok", ""},
		{"Rømskog", "3226", "Aurskog-Høland", ""},
		{"0121", "3226", "Aurskog-Høland", ""},
		{"A\u030asnes", "3418", "Åsnes", ""}, // å typed as a + combining ring
		{"aasnes", "3418", "Åsnes", ""},
		{"Ålesund", "1508", "Ålesund", ""},
		{"baerum", "3201", "Bærum", ""},
		{"østfold", "31", "Østfold", ""},
	} {
		var got struct {
			Regions []struct{ Region, Navn, Niva, Historikk string } `json:"regioner"`
		}
		getJSON(t, ts.URL+"/api/v1/regions?q="+url.QueryEscape(tc.q), &got)
		if len(got.Regions) == 0 || got.Regions[0].Region != tc.want || got.Regions[0].Navn != tc.name ||
			(tc.history != "" && got.Regions[0].Historikk != tc.history) {
			t.Errorf("search %q: first hits %+v, want %s %s", tc.q, got.Regions[:min(3, len(got.Regions))], tc.want, tc.name)
		}
		seen := map[string]bool{}
		for _, r := range got.Regions {
			if seen[r.Region] {
				t.Errorf("search %q: %s answered twice", tc.q, r.Region)
			}
			seen[r.Region] = true
		}
	}
	var none struct {
		Regions []struct{ Region string } `json:"regioner"`
	}
	getJSON(t, ts.URL+"/api/v1/regions?q=xyzzy", &none)
	if none.Regions == nil || len(none.Regions) != 0 {
		t.Errorf("search for nothing: %+v, want an empty list", none.Regions)
	}
}

// TestRegionsListEveryCode: without q, /api/v1/regions is region_kode,
// every code 2013 to today with names, validity, predecessors and
// successors.
func TestRegionsListEveryCode(t *testing.T) {
	ts, db := sharedPortal(t)
	var got struct {
		Regions []portal.RegionCode `json:"regioner"`
	}
	getJSON(t, ts.URL+"/api/v1/regions", &got)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM region_kode`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	byCode := map[string]portal.RegionCode{}
	for _, r := range got.Regions {
		byCode[r.Code] = r
	}
	if len(got.Regions) != n || len(byCode) != n {
		t.Fatalf("%d regions (%d codes), region_kode has %d", len(got.Regions), len(byCode), n)
	}
	var name, from string
	var succ, today string
	if err := db.QueryRow(`SELECT navn, strftime(gyldig_fra, '%Y-%m-%d'), array_to_string(etterfolgere, ','), array_to_string(dagens, ',')
		FROM region_kode WHERE region = '1902'`).Scan(&name, &from, &succ, &today); err != nil {
		t.Fatal(err)
	}
	r := byCode["1902"]
	if r.Name != name || r.ValidFrom != from || strings.Join(r.Successors, ",") != succ || strings.Join(r.Today, ",") != today || r.ValidTo == nil {
		t.Errorf("1902: %+v; region_kode: %s %s %s %s", r, name, from, succ, today)
	}
	if r := byCode["5501"]; r.ValidTo != nil || !slices.Contains(r.Earlier, "1902") || !slices.Contains(r.Predecessors, "5401") {
		t.Errorf("5501: %+v", r)
	}
}

func TestPlaceHasRegionFylkeAndNation(t *testing.T) {
	ts, db := sharedPortal(t)
	var got struct {
		Region struct{ Region, Navn, Fylke string } `json:"region"`
		Others []struct{ Region string }            `json:"sammenlignet_med"`
		Values []portal.Value                       `json:"verdier"`
	}
	getJSON(t, ts.URL+"/api/v1/places/1902", &got)
	if got.Region.Navn != "Tromsø" || got.Region.Fylke != "19" || len(got.Others) != 2 || got.Others[0].Region != "19" || got.Others[1].Region != "0" {
		t.Fatalf("place 1902: %+v, compared with %+v", got.Region, got.Others)
	}
	want := martValues(t, db, `region IN ('1902', '19', '0') AND indikator IN (SELECT indikator FROM indikator WHERE region = '1902')`)
	if g := keys(got.Values); !slices.Equal(g, want) {
		t.Errorf("place: %d values, the mart has %d", len(g), len(want))
	}
}

func TestBadRequests(t *testing.T) {
	_, ts := newPortal(t, shared(t))
	for _, tc := range []struct {
		method, path string
		code         int
		want         string
	}{
		{"GET", "/api/v1/values?indicator=nope", 400, "unknown indicator"},
		{"GET", "/api/v1/values?years=20x7", 400, "years"},
		{"GET", "/api/v1/values?years=2018-2016", 400, "years"},
		{"GET", "/api/v1/values?level=bydel", 400, "level"},
		{"GET", "/api/v1/values?regions=9999", 400, "unknown region"},
		{"GET", "/api/v1/values?indicatr=bosatte", 400, "unknown parameter"},
		{"GET", "/api/v1/values?format=xml", 400, "format"},
		{"GET", "/api/v1/values?inndeling=1990", 400, "inndeling"},
		{"GET", "/api/v1/values?indicator=%zz", 400, "malformed"},
		{"GET", "/api/v1/values?regions=" + strings.Repeat("0301,", 201), 400, "at most"},
		{"GET", "/api/v1/values?regions=" + strings.Repeat("0", 3000), 414, "query longer"},
		{"GET", "/api/v1/places/9999", 404, "no region"},
		{"GET", "/api/v1/compare?regions=0301", 400, "at least two"},
		{"GET", "/api/v1/nothing", 404, "no such endpoint"},
		{"POST", "/api/v1/values", 405, "only GET"},
		{"DELETE", "/sted/0301", 405, "only GET"},
		{"GET", "/sted/0000x", 404, "no region"},
		{"GET", "/api/v1/values?years=last:x", 400, "years"},
		{"GET", "/api/v1/values?years=-", 400, "years"},
		{"GET", "/api/v1/values?fylke=0301", 400, "fylke"},
		{"GET", "/api/v1/values?lang=de", 400, "lang"},
		{"GET", "/api/v1/openapi.json?x=1", 400, "unknown parameter"},
	} {
		req, _ := http.NewRequest(tc.method, ts.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s %.60s: %d %.200s; want %d with %q", tc.method, tc.path, resp.StatusCode, body, tc.code, tc.want)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %.60s: an error answer may be cached: %q", tc.method, tc.path, resp.Header.Get("Cache-Control"))
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s %.60s: an error answer without CORS: %q", tc.method, tc.path, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	// Too many values in one answer.
	resp, body := get(t, ts.URL+"/api/v1/values")
	if resp.StatusCode != 400 || !strings.Contains(string(body), "narrow the query") {
		t.Errorf("every value at once: %d %.300s", resp.StatusCode, body)
	}
}

func TestCachingHeaders(t *testing.T) {
	srv, ts := newPortal(t, shared(t))
	url := ts.URL + "/api/v1/places/0301"
	plain, body := get(t, url)
	etag := plain.Header.Get("ETag")
	if !strings.Contains(etag, srv.Publication().ID) {
		t.Errorf("ETag %q does not name the publication %s", etag, srv.Publication().ID)
	}
	if cc := plain.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("Cache-Control %q", cc)
	}
	again, _ := get(t, url, "If-None-Match", etag)
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: %s", again.Status)
	}
	other, _ := get(t, ts.URL+"/api/v1/places/0121")
	if other.Header.Get("ETag") == etag {
		t.Error("two answers share an ETag")
	}
	zipped, zbody := get(t, url, "Accept-Encoding", "gzip")
	if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("ETag") == etag {
		t.Fatalf("gzip: Content-Encoding %q, ETag %q", zipped.Header.Get("Content-Encoding"), zipped.Header.Get("ETag"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zbody))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, body) {
		t.Errorf("gzipped answer differs from the plain one (%v)", err)
	}
	if len(zbody) >= len(body) {
		t.Errorf("gzip did not shrink the answer: %d >= %d", len(zbody), len(body))
	}
}
