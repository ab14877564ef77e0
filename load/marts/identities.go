package marts

import "integstat/load/protect"

// links are the identities between indicators that hold by the definitions
// of shared/spec/indicators.md at every year and region, besides the
// regional hierarchy and the catalogue's del_av categories (groups): a
// share's or mean's nevner is the count of persons it is over, and those
// settled within 12 months and those settled after are the settled. They
// are stated per indicator, not per cell; identities checks them against
// the catalogue.
var links = []protect.Link{
	// Settlement: a share's and a mean's nevner are the persons counted.
	nevnerIs("andel_bosatt_6mnd", "bosatte"),
	nevnerIs("andel_bosatt_12mnd", "bosatte"),
	nevnerIs("ventetid_mnd", "bosatte"),
	nevnerIs("andel_em_bosatt_3mnd", "bosatte_em"),
	nevnerIs("ventetid_mnd_em", "bosatte_em"),
	nevnerIs("ventetid_mnd_barnefamilier", "barnefamilier_personer"),
	// Settled within 12 months, or after: the complement.
	{Total: protect.Term{Indicator: "bosatte", Part: protect.Teller},
		Parts: []protect.Term{{Indicator: "andel_bosatt_12mnd", Part: protect.Teller}, {Indicator: "bosatt_etter_12mnd", Part: protect.Teller}}},
	// NIR: the participants, the completed and the cohort.
	nevnerIs("andel_intro_utvidet", "intro_deltakere"),
	nevnerIs("andel_intro_grunnskole", "intro_deltakere"),
	nevnerIs("andel_intro_vgs", "intro_deltakere"),
	nevnerIs("andel_intro_direkte_arbeid_utdanning", "intro_avsluttet"),
	nevnerIs("andel_norsk_start_3mnd", "norsk_rp_kohort"),
	nevnerIs("andel_norsk_start_6mnd", "norsk_rp_kohort"),
	// Interpreters: the share of category 1-3 is tolker_kat1_3 of tolker.
	{Total: protect.Term{Indicator: "tolker_kat1_3", Part: protect.Teller},
		Parts: []protect.Term{{Indicator: "andel_tolker_kat1_3", Part: protect.Teller}}},
	nevnerIs("andel_tolker_kat1_3", "tolker"),
	nevnerIs("andel_tolker_kvinner", "tolker"),
}

// nevnerIs links the nevner of a share or mean to the count it is over.
func nevnerIs(share, count string) protect.Link {
	return protect.Link{Total: protect.Term{Indicator: count, Part: protect.Teller},
		Parts: []protect.Term{{Indicator: share, Part: protect.Nevner}}}
}

// identities returns what package protect models besides the hierarchy:
// the catalogue's categories (groups) and those links whose indicators are
// all in the catalogue (a share's nevner link is only made for shares).
func identities(cat []Indicator) protect.Identities {
	byID := map[string]Indicator{}
	for _, c := range cat {
		byID[c.ID] = c
	}
	id := protect.Identities{Groups: groups(cat)}
next:
	for _, l := range links {
		for _, t := range append([]protect.Term{l.Total}, l.Parts...) {
			ind, ok := byID[t.Indicator]
			if !ok || (t.Part == protect.Nevner && ind.Type == Count) {
				continue next
			}
		}
		id.Links = append(id.Links, l)
	}
	return id
}
