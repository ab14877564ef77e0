package marts

import "testing"

// TestLinksAreInTheCatalogue checks that every link of identities names
// indicators of the catalogue, a nevner only of shares and means, and
// indicators of one source: identities drops a link it cannot make, which
// would silently leave a leak unprotected.
func TestLinksAreInTheCatalogue(t *testing.T) {
	cat, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if got := identities(cat); len(got.Links) != len(links) {
		t.Fatalf("identities keeps %d of the %d links", len(got.Links), len(links))
	}
	source := map[string]string{}
	for _, c := range cat {
		source[c.ID] = c.Source
	}
	for _, l := range links {
		for _, p := range l.Parts {
			if source[p.Indicator] != source[l.Total.Indicator] {
				t.Errorf("link %s = … + %s spans sources %s and %s", l.Total.Indicator, p.Indicator,
					source[l.Total.Indicator], source[p.Indicator])
			}
		}
	}
	if got := identities(cat[:1]); len(got.Links) != 0 {
		t.Errorf("a catalogue of %s alone keeps %d links", cat[0].ID, len(got.Links))
	}
}
