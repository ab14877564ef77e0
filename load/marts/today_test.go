package marts_test

import (
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"integstat/extract/reference"
	"integstat/internal/testkit/fixture"
	"integstat/load/publish"
	"integstat/load/releases"
	"integstat/transform/validate"
)

// TestFutureRegisters loads a 2024 delivery and builds the marts on it: each
// row is validated against the list in force on its date (a 2024 row with
// 5501 loads, one with 5401 is quarantined), the 2024 figures are on the
// 2024 codes, and today's structure carries every code to today without
// dividing a split code's figures between its successors.
func TestFutureRegisters(t *testing.T) {
	wh := fixture.Ingest(t, fixture.FutureInbox(t, filepath.Join(smallcases, "inbox")))

	// Validation: the rows that must not load, and only they, are quarantined.
	qf, err := os.Open(wh.QuarantineFile("bosetting", fixture.FutureID, "anmodninger.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer qf.Close()
	qr := csv.NewReader(qf)
	qr.Comma, qr.FieldsPerRecord = ';', -1
	q, err := qr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(smallcases, "inbox", "bosetting", "20180305T020000", "anmodninger.csv"))
	if err != nil {
		t.Fatal(err)
	}
	firstLine := strings.Count(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n") + 1
	var want []string
	for i, r := range fixture.FutureRequests {
		if !r.Load {
			want = append(want, strings.Join([]string{strconv.Itoa(firstLine + i), validate.ReasonKommune}, "|"))
		}
	}
	var got []string
	for _, r := range q[1:] {
		got = append(got, r[1]+"|"+r[3])
	}
	if !slices.Equal(got, want) {
		t.Errorf("quarantined %q, want %q", got, want)
	}

	// Three of the delivery's requests were quarantined, more than the hold
	// rules allow: the candidate waits for a statistician, who releases it.
	res := fixture.Build(t, wh, time.Time{})
	if len(res.Held) == 0 || res.Released {
		t.Fatalf("a delivery that quarantined 3 of its requests was not held: %+v", res)
	}
	if _, err := releases.Release(wh.Dir, releases.Request{Candidate: res.Publication, By: "test", Note: "2024 codes checked"}); err != nil {
		t.Fatal(err)
	}
	fixture.CheckPublished(t, wh)
	db := fixture.OpenMart(t, wh, publish.AnalysisFile)
	for _, tt := range []struct {
		year   int
		region string
		want   int64
	}{{2024, "5501", 7}, {2024, "1508", 5}, {2023, "5401", 6}, {2023, "1507", 4}} {
		v := fixture.ValueAsOf(t, db, "anmodet", tt.year, "kommune", tt.region, time.Time{})
		if !v.Found || v.Teller.Int64 != tt.want {
			t.Errorf("anmodet %d %s = %+v, want %d", tt.year, tt.region, v, tt.want)
		}
	}

	// Today's structure, as both marts hold it.
	type sum struct {
		verdi         sql.NullFloat64
		status, koder string
		merknad       sql.NullString
	}
	read := func(db *sql.DB, year int, region string) (s sum, ok bool) {
		err := db.QueryRow(`SELECT verdi, status, koder, merknad FROM indikator_dagens_inndeling
			WHERE indikator = 'anmodet' AND aar = ? AND region = ?`, year, region).Scan(&s.verdi, &s.status, &s.koder, &s.merknad)
		if err == sql.ErrNoRows {
			return s, false
		}
		if err != nil {
			t.Fatal(err)
		}
		return s, true
	}
	pub := fixture.OpenMart(t, wh, publish.PublishedFile)
	tests := []struct {
		year          int
		region, koder string
		want          float64 // -1: not stated, because of a split
		split         string  // the split code the merknad names
	}{
		{2024, "5501", "5501", 7, ""},
		{2023, "5501", "5401", 6, ""},                // Tromsø 5401 → 5501
		{2016, "5501", "1902", 0, ""},                // Tromsø 1902 → 5401 → 5501
		{2016, "3907", "0706,0719,0720", 0, ""},      // Sandefjord 2017, renumbered 2020 and 2024
		{2017, "3903", "0702,0713,0714", 0, ""},      // Holmestrand and Hof 2018, Sande 2020
		{2016, "5001", "1601,1662", 2, ""},           // Trondheim 2018, Klæbu 2020
		{2016, "3101", "0101", 0, ""},                // Halden → 3001 → 3101
		{2024, "1508", "1508", 5, ""},                // Ålesund after the split
		{2023, "1508", "1507", -1, "1507"},           // Ålesund before it: split
		{2023, "1580", "1507", -1, "1507"},           // Haram likewise
		{2016, "1806", "1805,1850,1854", -1, "1850"}, // Narvik: Tysfjord's 3 cannot be divided
		{2016, "1875", "1849,1850", -1, "1850"},      // Hamarøy likewise
		{2017, "1806", "1805,1850,1854", 0, ""},      // Tysfjord's published zero adds nothing
	}
	for _, tt := range tests {
		for _, f := range []struct {
			name string
			db   *sql.DB
		}{{"analyse", db}, {"publisert", pub}} {
			s, ok := read(f.db, tt.year, tt.region)
			name := f.name + ": anmodet " + strconv.Itoa(tt.year) + " " + tt.region
			switch {
			case !ok:
				t.Errorf("%s: no row", name)
			case s.koder != tt.koder:
				t.Errorf("%s: sums %s, want %s", name, s.koder, tt.koder)
			case tt.want < 0 && (s.verdi.Valid || s.status != "." || !strings.Contains(s.merknad.String, tt.split)):
				t.Errorf("%s = %+v, want no value, status '.' and a merknad naming %s", name, s, tt.split)
			case tt.want >= 0 && s.status != ":" && (!s.verdi.Valid || s.verdi.Float64 != tt.want || s.merknad.Valid):
				t.Errorf("%s = %+v, want %v and no merknad", name, s, tt.want)
			}
		}
	}
	t.Run("region_kode", func(t *testing.T) { checkRegionKode(t, pub) })
}

// checkRegionKode checks the region_kode table of a published mart against
// real histories: every code once, with names, validity, the codes before
// and after it and where it lies today.
func checkRegionKode(t *testing.T, db *sql.DB) {
	type row struct {
		navn, gyldigTil                     string
		forms, preds, succs, today, earlier []string
	}
	list := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	get := func(niva, code string) (r row) {
		var forms, preds, succs, today, earlier any
		var til sql.NullTime
		err := db.QueryRow(`SELECT navn, gyldig_til, navneformer, forgjengere, etterfolgere, dagens, tidligere
			FROM region_kode WHERE niva = ? AND region = ?`, niva, code).Scan(&r.navn, &til, &forms, &preds, &succs, &today, &earlier)
		if err != nil {
			t.Fatalf("region_kode %s %s: %v", niva, code, err)
		}
		if til.Valid {
			r.gyldigTil = til.Time.Format(time.DateOnly)
		}
		r.forms, r.preds, r.succs, r.today, r.earlier = list(forms), list(preds), list(succs), list(today), list(earlier)
		return r
	}
	tests := []struct {
		niva, code, til string
		preds, succs    []string
		today, earlier  []string
		forms           []string
	}{
		{"kommune", "5501", "", []string{"5401"}, nil, []string{"5501"}, []string{"1902", "5401"}, []string{"Tromsø"}},
		{"kommune", "5401", "2024-01-01", []string{"1902"}, []string{"5501"}, []string{"5501"}, nil, nil},
		{"kommune", "1902", "2020-01-01", nil, []string{"5401"}, []string{"5501"}, nil, nil},
		{"kommune", "1534", "2020-01-01", nil, []string{"1507"}, []string{"1508", "1580"}, nil, nil},
		{"kommune", "1580", "", []string{"1507"}, nil, []string{"1580"}, []string{"1504", "1507", "1523", "1529", "1534", "1546"}, []string{"Haram"}},
		{"kommune", "5610", "", []string{"5437"}, nil, []string{"5610"}, []string{"2021", "5437"}, []string{"Kárášjohka - Karasjok", "Kárášjohka", "Karasjok"}},
		{"kommune", "3101", "", []string{"3001"}, nil, []string{"3101"}, []string{"0101", "3001"}, nil},
		// Viken: Østfold, Akershus, Buskerud, with Jevnaker and Lunner of Oppland and Svelvik of Vestfold.
		{"fylke", "30", "2024-01-01", []string{"01", "02", "05", "06", "07"}, []string{"31", "32", "33"}, []string{"31", "32", "33"}, nil, nil},
		{"fylke", "55", "", []string{"54"}, nil, []string{"55"}, []string{"19", "54"}, []string{"Troms"}},
		{"land", "0", "", nil, nil, []string{"0"}, nil, []string{"Norge"}},
	}
	for _, tt := range tests {
		r := get(tt.niva, tt.code)
		if r.gyldigTil != tt.til || !slices.Equal(r.preds, tt.preds) || !slices.Equal(r.succs, tt.succs) ||
			!slices.Equal(r.today, tt.today) || !slices.Equal(r.earlier, tt.earlier) {
			t.Errorf("%s %s: til %q, from %q, to %q, today %q, earlier %q; want %q, %q, %q, %q, %q",
				tt.niva, tt.code, r.gyldigTil, r.preds, r.succs, r.today, r.earlier, tt.til, tt.preds, tt.succs, tt.today, tt.earlier)
		}
		for _, f := range tt.forms {
			if !slices.Contains(r.forms, f) {
				t.Errorf("%s %s: name forms %q lack %q", tt.niva, tt.code, r.forms, f)
			}
		}
	}
	// Every code of the reference data once, and every name in UTF-8.
	var codes, distinct, bad int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT niva || region),
		count(*) FILTER (WHERE list_filter(navneformer, n -> n LIKE '%?%' OR NOT n = trim(n)) <> [])
		FROM region_kode`).Scan(&codes, &distinct, &bad); err != nil {
		t.Fatal(err)
	}
	ref := reference.MustLoad()
	want := map[string]bool{"land0": true}
	for _, k := range ref.Kommuner {
		want["kommune"+k.Code] = true
	}
	for _, f := range ref.Fylker {
		want["fylke"+f.Code] = true
	}
	if codes != len(want) || distinct != codes || bad > 0 {
		t.Errorf("region_kode: %d rows, %d distinct, %d with a lost letter; want %d codes once", codes, distinct, bad, len(want))
	}
}
