package portal_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/load/marts"
	"integstat/load/publish"
	"integstat/load/releases"
)

// TestEarlierReleases publishes a release as of 31.12.2017, a newer one,
// and a candidate in mode manual, and checks that /api/v1/publications
// lists the two releases and not the candidate, that publikasjon=ID and
// publisert_per=DATE answer /values, /places and /compare from the
// release asked for (and from the same figures as its mart), and that a
// candidate, an unknown id or a date before the first release is 404.
func TestEarlierReleases(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the marts three times")
	}
	dir := t.TempDir()
	wh := newWarehouse(t, dir, time.Date(2017, 12, 31, 0, 0, 0, 0, time.UTC))
	defer wh.Close()
	ctx := context.Background()
	rs, err := releases.List(dir)
	if err != nil || len(rs) != 1 {
		t.Fatalf("releases %v (%v)", rs, err)
	}
	old := rs[0].ID
	if _, err := marts.Build(ctx, marts.Options{Warehouse: wh}); err != nil {
		t.Fatal(err)
	}
	cand, err := marts.Build(ctx, marts.Options{Warehouse: wh, AsOf: time.Date(2018, 1, 31, 0, 0, 0, 0, time.UTC), Release: releases.Manual})
	if err != nil || cand.Released {
		t.Fatalf("manual build: %+v, %v", cand, err)
	}
	srv, ts := newPortal(t, dir)
	cur := srv.Publication().ID

	var list struct {
		Publications []struct {
			ID       string `json:"publikasjon"`
			Current  bool   `json:"gjeldende"`
			Released []struct {
				At time.Time `json:"tid"`
			} `json:"utgitt"`
		} `json:"publikasjoner"`
	}
	getJSON(t, ts.URL+"/api/v1/publications", &list)
	if len(list.Publications) != 2 || list.Publications[0].ID != cur || !list.Publications[0].Current || list.Publications[1].ID != old ||
		len(list.Publications[1].Released) != 1 {
		t.Fatalf("/api/v1/publications = %+v, want %s (current) and %s", list, cur, old)
	}
	firstAt := list.Publications[1].Released[0].At

	for _, path := range []string{
		"/api/v1/values?indicator=bosatte&level=land",
		"/api/v1/places/0301?",
		"/api/v1/compare?indicator=bosatte&regions=0301,1902",
	} {
		for _, c := range []struct{ query, want string }{
			{"", cur},
			{"&publikasjon=" + old, old},
			{"&publikasjon=" + cur, cur},
			{"&publisert_per=" + firstAt.In(time.Local).Format(time.DateOnly), cur}, // both were released that day: the later one
			{"&publisert_per=2099-01-01", cur},
		} {
			var v struct {
				ID string `json:"publikasjon"`
			}
			getJSON(t, ts.URL+path+c.query, &v)
			if v.ID != c.want {
				t.Errorf("%s%s answered from %q, want %s", path, c.query, v.ID, c.want)
			}
		}
		for _, q := range []string{"&publikasjon=" + cand.Publication, "&publikasjon=20990101T000000.000Z-abc", "&publisert_per=2000-01-01"} {
			if resp, body := get(t, ts.URL+path+q); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s%s: %d %s, want 404", path, q, resp.StatusCode, body)
			}
		}
		if resp, _ := get(t, ts.URL+path+"&publisert_per=yesterday"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s with a bad date: %d, want 400", path, resp.StatusCode)
		}
	}

	// The earlier release answers with its own figures: as of 2017 it has
	// no 2018 values.
	var vals struct {
		Values []struct {
			Year int `json:"aar"`
		} `json:"verdier"`
	}
	getJSON(t, ts.URL+"/api/v1/values?indicator=bosatte&level=land&publikasjon="+old, &vals)
	for _, v := range vals.Values {
		if v.Year > 2017 {
			t.Errorf("release %s (as of 2017-12-31) answers a value of %d", old, v.Year)
		}
	}
	if len(vals.Values) == 0 {
		t.Error("release", old, "answers no values")
	}

	// A JSON-stat answer of an earlier release links to that release.
	var js struct {
		Href string `json:"href"`
		Link map[string][]struct {
			Href string `json:"href"`
		} `json:"link"`
	}
	for _, q := range []string{"publikasjon=" + old, "publisert_per=" + firstAt.In(time.Local).Format(time.DateOnly)} {
		getJSON(t, ts.URL+"/api/v1/values?indicator=bosatte&level=land&format=jsonstat&"+q, &js)
		want := "publikasjon=" + url.QueryEscape(old)
		if strings.Contains(q, "publisert_per") {
			want = "publikasjon=" + url.QueryEscape(cur)
		}
		if !strings.Contains(js.Href, want) || len(js.Link["alternate"]) == 0 || !strings.Contains(js.Link["alternate"][0].Href, want) {
			t.Errorf("JSON-stat of %s: href %s, alternate %+v; want both to name %s", q, js.Href, js.Link["alternate"], want)
		}
	}
	// The same query without naming a release, after the one that named
	// the current release by date: its answer names none (the cache keeps
	// the two apart).
	getJSON(t, ts.URL+"/api/v1/values?indicator=bosatte&level=land&format=jsonstat", &js)
	if strings.Contains(js.Href, "publikasjon=") || len(js.Link["alternate"]) == 0 || strings.Contains(js.Link["alternate"][0].Href, "publikasjon=") {
		t.Errorf("JSON-stat naming no release: href %s, alternate %+v name one", js.Href, js.Link["alternate"])
	}
	checkRevisions(t, ts.URL, dir, old, cur)
}

// checkRevisions checks what the current release cur says of each of its
// figures against the previous release old, from the two published marts
// alone: revised where both published the figure and its value or status
// changed, with the previous value; nothing said where either suppressed it
// (not even "not revised"); and nothing at all on the first release.
func checkRevisions(t *testing.T, base, dir, old, cur string) {
	t.Helper()
	type value struct {
		Indicator      string   `json:"indikator"`
		Year           int      `json:"aar"`
		Level          string   `json:"niva"`
		Region         string   `json:"region"`
		Verdi          *float64 `json:"verdi"`
		Status         string   `json:"status"`
		Revised        *bool    `json:"revidert"`
		Previous       *float64 `json:"forrige_verdi"`
		PreviousStatus *string  `json:"forrige_status"`
	}
	type published struct {
		verdi  sql.NullFloat64
		status string
	}
	prev := map[string]published{}
	db, err := sql.Open("duckdb", filepath.Join(dir, "publications", old, publish.PublishedFile)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT indikator, aar, niva, region, verdi, status FROM indikator WHERE indikator IN ('intro_deltakere', 'bosatte')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ind, level, region string
		var year int
		var p published
		if err := rows.Scan(&ind, &year, &level, &region, &p.verdi, &p.status); err != nil {
			t.Fatal(err)
		}
		prev[fmt.Sprint(ind, year, level, region)] = p
	}
	rows.Close()
	var got struct {
		Values []value `json:"verdier"`
	}
	getJSON(t, base+"/api/v1/values?indicator=intro_deltakere,bosatte", &got)
	revised := 0
	for _, v := range got.Values {
		p, ok := prev[fmt.Sprint(v.Indicator, v.Year, v.Level, v.Region)]
		name := fmt.Sprint(v.Indicator, " ", v.Year, " ", v.Region)
		switch {
		case !ok || !p.verdi.Valid || v.Verdi == nil || p.status == ":" || v.Status == ":":
			if v.Revised != nil || v.Previous != nil || v.PreviousStatus != nil {
				t.Errorf("%s: says %v/%v/%v of a figure one of the releases did not publish", name, v.Revised, v.Previous, v.PreviousStatus)
			}
		case p.verdi.Float64 != *v.Verdi || p.status != v.Status:
			revised++
			if v.Revised == nil || !*v.Revised || v.Previous == nil || *v.Previous != p.verdi.Float64 ||
				(p.status != v.Status) != (v.PreviousStatus != nil) || (v.PreviousStatus != nil && *v.PreviousStatus != p.status) {
				t.Errorf("%s: revised from %v %q to %v %q, answer says %v/%v/%v", name, p.verdi.Float64, p.status, *v.Verdi, v.Status, v.Revised, v.Previous, v.PreviousStatus)
			}
		default:
			if v.Revised == nil || *v.Revised || v.Previous != nil {
				t.Errorf("%s: unchanged, answer says %v/%v", name, v.Revised, v.Previous)
			}
		}
	}
	if revised == 0 {
		t.Errorf("no figure of %s was revised since %s: the NIR figures of 2017 became final", cur, old)
	}
	var first struct {
		Values []value `json:"verdier"`
	}
	getJSON(t, base+"/api/v1/values?indicator=intro_deltakere&publikasjon="+old, &first)
	for _, v := range first.Values {
		if v.Revised != nil {
			t.Errorf("the first release says %s %d %s was revised", v.Indicator, v.Year, v.Region)
			break
		}
	}
}
