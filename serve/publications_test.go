package serve_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"integstat/marts"
	"integstat/releases"
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
	srv, ts := portal(t, dir)
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
}
