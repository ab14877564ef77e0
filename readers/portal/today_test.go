package portal_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"integstat/internal/testkit/fixture"
	"integstat/load/marts"
	"integstat/load/releases"
)

// TestSplitOnTodaysStructure serves a publication with a 2024 delivery: a
// sum on today's structure with a part that was split (1507 Ålesund of 2023,
// now 1508 and 1580) is not stated, with the reason in the API and on the
// page, and the page of the former code says where it lies today.
func TestSplitOnTodaysStructure(t *testing.T) {
	wh := fixture.Ingest(t, fixture.FutureInbox(t, smallInbox))
	res, err := marts.Build(context.Background(), marts.Options{Warehouse: wh})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := releases.Release(wh.Dir, releases.Request{Candidate: res.Publication, By: "test"}); err != nil {
		t.Fatal(err)
	}
	_, ts := newPortal(t, wh.Dir)

	var got struct {
		Values []struct {
			Year   int      `json:"aar"`
			Region string   `json:"region"`
			Verdi  *float64 `json:"verdi"`
			Status string   `json:"status"`
			Note   string   `json:"merknad"`
		} `json:"verdier"`
	}
	getJSON(t, ts.URL+"/api/v1/values?inndeling=dagens&indicator=anmodet&regions=1508,1580&years=2023-2024", &got)
	byKey := map[string]int{}
	for i, v := range got.Values {
		byKey[v.Region+"/"+strconv.Itoa(v.Year)] = i
	}
	for _, region := range []string{"1508", "1580"} {
		i, ok := byKey[region+"/2023"]
		if !ok {
			t.Fatalf("no 2023 value of %s on today's structure: %+v", region, got.Values)
		}
		v := got.Values[i]
		if v.Verdi != nil || v.Status != "." || !strings.Contains(v.Note, "1507") {
			t.Errorf("%s 2023 = %+v, want no value, status '.' and a merknad naming 1507", region, v)
		}
	}
	if i, ok := byKey["1508/2024"]; !ok || got.Values[i].Verdi == nil || *got.Values[i].Verdi != 5 || got.Values[i].Note != "" {
		t.Errorf("1508 2024 on today's structure: %+v, want 5", got.Values)
	}

	_, page := get(t, ts.URL+"/sted/1508")
	for _, want := range []string{"Ikke oppgitt (.):", "2023: 1507 Ålesund (2023) ligger i dag i flere kommuner"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page of 1508 lacks %q", want)
		}
	}
	// Below its series on today's structure, the figures as published for
	// the year's codes: Ålesund's 2023 requests were 4 under 1507.
	if !strings.Contains(string(page), "2023: Ålesund (1507) 4") {
		t.Errorf("page of 1508 does not give the 2023 figure as published for 1507")
	}
	_, page = get(t, ts.URL+"/en/sted/1508")
	if !strings.Contains(string(page), "Not stated (.):") || !strings.Contains(string(page), "split between several") {
		t.Errorf("English page of 1508 does not explain the figure not stated")
	}
	_, page = get(t, ts.URL+"/sted/1507")
	for _, want := range []string{`href="/sted/1508"`, `href="/sted/1580"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page of former 1507 does not link to today's kommune: lacks %s", want)
		}
	}
}
