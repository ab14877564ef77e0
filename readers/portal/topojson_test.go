package portal

import (
	"fmt"
	"os"
	"testing"

	"integstat/extract/reference"
)

// TestDecodeQuantizedTopoJSON decodes a small quantized topology by hand:
// delta-encoded arcs, the transform, a shared arc reversed (~0), and a
// multipolygon.
func TestDecodeQuantizedTopoJSON(t *testing.T) {
	data, err := os.ReadFile("testdata/topojson/quantized.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeTopoJSON(data, "kommunenummer", "kommunenavn")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		// arc 0: (2,0) (2,4) → (11,60) (11,61); arc 1: (2,4) (0,4) (0,0) → (11,61) (10,61) (10,60)
		"0001 Vest": "[[[[11 60] [11 61] [10 61] [10 60]]]]",
		// ~0: (11,61) (11,60); arc 2: (2,0) (4,0) (4,4) (2,4) → (11,60) (12,60) (12,61) (11,61)
		"0002 Øst": "[[[[11 61] [11 60] [12 60] [12 61] [11 61]]] [[[14 62] [14.5 62] [14.5 62.25] [14 62.25]]]]",
	}
	if len(got) != len(want) {
		t.Fatalf("%d outlines", len(got))
	}
	for _, o := range got {
		if g := fmt.Sprint(o.Polygons); g != want[o.Code+" "+o.Name] {
			t.Errorf("%s %s: %s", o.Code, o.Name, g)
		}
	}
}

// TestMapsDrawTodaysRegions: the embedded outlines give a path for each
// of today's kommuner and fylker, none empty.
func TestMapsDrawTodaysRegions(t *testing.T) {
	for _, tc := range []struct {
		load func() (*mapBase, error)
		want int
		name string
	}{{kommuneMap, 357, reference.OutlineKommuner}, {fylkeMap, 15, reference.OutlineFylker}} {
		m, err := tc.load()
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Shapes) != tc.want {
			t.Errorf("%s: %d shapes, want %d", tc.name, len(m.Shapes), tc.want)
		}
		for _, s := range m.Shapes {
			if len(s.D) < 10 || s.Name == "" {
				t.Errorf("%s %s %q: path %q", tc.name, s.Code, s.Name, s.D)
			}
		}
	}
}

// TestMapClasses: figures fall in five classes of about equal size, the
// legend's bounds inclusive above; suppressed and missing areas keep theirs.
func TestMapClasses(t *testing.T) {
	ind := &Indicator{Type: "antall"}
	v := mapView{}
	for i := 1; i <= 10; i++ {
		v.Areas = append(v.Areas, mapArea{Value: float64(i), Has: true})
	}
	v.Areas = append(v.Areas, mapArea{Class: "prikket"}, mapArea{Class: "mangler"})
	v.colour(ind, langNB)
	var got []string
	for _, a := range v.Areas {
		got = append(got, a.Class)
	}
	if fmt.Sprint(got) != "[k0 k0 k1 k1 k2 k2 k3 k3 k4 k4 prikket mangler]" {
		t.Errorf("classes %v", got)
	}
	if fmt.Sprint(v.Legend) != "[{k0 1 – 2} {k1 over 2 til 4} {k2 over 4 til 6} {k3 over 6 til 8} {k4 over 8 til 10}]" {
		t.Errorf("legend %v", v.Legend)
	}
}
