package marts

import (
	"fmt"
	"testing"
	"time"

	"integstat/extract/delivery"
	"integstat/extract/reference"
	"integstat/load/warehouse"
)

func TestStates(t *testing.T) {
	at := func(id string) time.Time {
		tm, err := time.ParseInLocation("20060102T150405", id, delivery.Oslo)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	d := func(source, id string, incremental bool) warehouse.DeliveryLoad {
		return warehouse.DeliveryLoad{Source: source, ID: id, Extracted: at(id), Incremental: incremental}
	}
	for _, c := range []struct {
		name string
		in   []warehouse.DeliveryLoad
		want []string
	}{
		{"snapshots, two on one day: the newest of the day", []warehouse.DeliveryLoad{
			d("nir", "20171231T220000", false), d("nir", "20180228T020000", false), d("nir", "20180228T230000", false)},
			[]string{"nir 2017-12-31 [20171231T220000]", "nir 2018-02-28 [20180228T230000]"}},
		{"a late delivery makes its own state only", []warehouse.DeliveryLoad{
			d("bosetting", "20180305T020000", false), d("bosetting", "20170105T020000", false)},
			[]string{"bosetting 2017-01-05 [20170105T020000]", "bosetting 2018-03-05 [20180305T020000]"}},
		{"database reads: the last full read plus the changes after it", []warehouse.DeliveryLoad{
			d("tolk", "20180101T010000", false), d("tolk", "20180102T010000", true), d("tolk", "20180103T010000", true),
			d("tolk", "20180104T010000", false), d("tolk", "20180104T120000", true)},
			[]string{"tolk 2018-01-01 [20180101T010000]", "tolk 2018-01-02 [20180101T010000 20180102T010000]",
				"tolk 2018-01-03 [20180101T010000 20180102T010000 20180103T010000]", "tolk 2018-01-04 [20180104T010000 20180104T120000]"}},
		{"an Oslo date, not a UTC one", []warehouse.DeliveryLoad{d("nir", "20180101T003000", false)},
			[]string{"nir 2018-01-01 [20180101T003000]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, st := range States(c.in) {
				got = append(got, fmt.Sprintf("%s %s %v", st.Source, st.Date.Format(time.DateOnly), st.Deliveries))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got  %v\nwant %v", got, c.want)
			}
		})
	}
}

func TestKommuneInYear(t *testing.T) {
	ref := mustRef(t)
	for _, c := range []struct {
		code string
		year int
		want string
	}{
		{"0706", 2016, "0706"}, // Sandefjord before the merger
		{"0706", 2017, "0710"}, // merged into the new Sandefjord
		{"0719", 2018, "0710"},
		{"1601", 2017, "1601"},
		{"1601", 2018, "5001"}, // Trøndelag
		{"5001", 2017, "1601"}, // a 2018 code in a 2017 record
		{"0301", 2015, "0301"},
	} {
		end := time.Date(c.year, 12, 31, 0, 0, 0, 0, time.UTC)
		if got := codeInYear(ref, c.code, end, 0); got != c.want {
			t.Errorf("%s in %d = %q, want %q", c.code, c.year, got, c.want)
		}
	}
}

func mustRef(t *testing.T) *reference.Data {
	t.Helper()
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ref
}
