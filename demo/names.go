package demo

import "math/rand/v2"

// Countries of the refugees settled, with weights per year, after the
// annual report: Syrians, Eritreans and Afghans the largest groups in
// 2015–2017, Eritreans and Somalis before the Syrian war peaked.
var countryMix = map[int][]weighted{
	2013: {{"ERI", 25}, {"SOM", 22}, {"SYR", 10}, {"AFG", 10}, {"ETH", 8}, {"IRN", 6}, {"IRQ", 5}, {"SDN", 4}, {"COD", 4}, {"MMR", 3}, {"XXX", 3}},
	2014: {{"ERI", 27}, {"SYR", 25}, {"SOM", 14}, {"AFG", 8}, {"ETH", 6}, {"IRN", 5}, {"IRQ", 4}, {"SDN", 4}, {"COD", 3}, {"MMR", 2}, {"XXX", 2}},
	2015: {{"SYR", 42}, {"ERI", 25}, {"AFG", 7}, {"SOM", 7}, {"IRQ", 5}, {"ETH", 4}, {"IRN", 4}, {"SDN", 2}, {"COD", 2}, {"XXX", 2}},
	2016: {{"SYR", 46}, {"ERI", 20}, {"AFG", 12}, {"IRQ", 6}, {"SOM", 4}, {"IRN", 4}, {"ETH", 3}, {"SDN", 2}, {"COD", 2}, {"XXX", 1}},
	2017: {{"SYR", 45}, {"ERI", 19}, {"AFG", 11}, {"IRQ", 8}, {"SOM", 4}, {"IRN", 4}, {"ETH", 3}, {"SDN", 2}, {"COD", 3}, {"XXX", 1}},
}

type weighted struct {
	code string
	w    float64
}

func pickWeighted(r *rand.Rand, ws []weighted) string {
	var t float64
	for _, w := range ws {
		t += w.w
	}
	x := r.Float64() * t
	for _, w := range ws {
		if x < w.w {
			return w.code
		}
		x -= w.w
	}
	return ws[len(ws)-1].code
}

// country draws a country of citizenship plausible for refugees settled
// in year (clamped to the years the mix covers).
func country(r *rand.Rand, year int) string {
	if year < 2013 {
		year = 2013
	}
	if year > 2017 {
		year = 2017
	}
	return pickWeighted(r, countryMix[year])
}

// nameGroup maps a country to the naming tradition used for its persons;
// stateless persons (XXX) are mostly Palestinians from Syria.
var nameGroup = map[string]string{
	"SYR": "arabic", "IRQ": "arabic", "SDN": "arabic", "XXX": "arabic",
	"ERI": "tigrinya", "ETH": "amharic", "SOM": "somali",
	"AFG": "dari", "IRN": "persian", "COD": "congolese", "MMR": "karen",
}

type namePool struct{ female, male, family []string }

var namePools = map[string]namePool{
	"arabic": {
		female: []string{"Amira", "Fatima", "Layla", "Nour", "Rania", "Hiba", "Yasmin", "Reem", "Aya", "Salma", "Dana", "Lina"},
		male:   []string{"Ahmad", "Mohammad", "Omar", "Khaled", "Yusuf", "Hassan", "Ali", "Rami", "Samer", "Tariq", "Bilal", "Karim"},
		family: []string{"Al-Hassan", "Haddad", "Khalil", "Ibrahim", "Mansour", "Nasser", "Saleh", "Darwish", "Hamdan", "Aziz", "Rahman", "Sabbagh"},
	},
	"tigrinya": {
		female: []string{"Senait", "Helen", "Selam", "Yordanos", "Mebrat", "Saba", "Feven", "Lemlem", "Rahwa", "Luwam"},
		male:   []string{"Yonas", "Tesfay", "Dawit", "Filmon", "Samuel", "Habtom", "Mehari", "Robel", "Kidane", "Efrem"},
		family: []string{"Tesfamariam", "Ghebremedhin", "Haile", "Berhane", "Kidane", "Woldu", "Tekle", "Gebreyesus", "Mehari", "Asmerom"},
	},
	"amharic": {
		female: []string{"Tigist", "Meron", "Hanna", "Bethlehem", "Selamawit", "Almaz"},
		male:   []string{"Abebe", "Dawit", "Tewodros", "Bereket", "Yared", "Getachew"},
		family: []string{"Bekele", "Tadesse", "Girma", "Alemu", "Kebede", "Desta"},
	},
	"somali": {
		female: []string{"Hodan", "Fadumo", "Amina", "Sahra", "Hibo", "Ifrah", "Ayaan", "Nimco"},
		male:   []string{"Abdi", "Mohamed", "Abdullahi", "Hassan", "Ahmed", "Farah", "Yusuf", "Omar"},
		family: []string{"Warsame", "Farah", "Abdi", "Hussein", "Jama", "Osman", "Aden", "Nur"},
	},
	"dari": {
		female: []string{"Mariam", "Zahra", "Fereshta", "Shabnam", "Parwana", "Nazanin", "Sakina"},
		male:   []string{"Ahmad", "Mustafa", "Hamid", "Jawad", "Reza", "Sayed", "Naweed"},
		family: []string{"Rahimi", "Ahmadi", "Hosseini", "Mohammadi", "Karimi", "Sultani", "Jafari"},
	},
	"persian": {
		female: []string{"Shirin", "Parisa", "Leila", "Mahsa", "Sara", "Neda"},
		male:   []string{"Amir", "Babak", "Dariush", "Kaveh", "Reza", "Arash"},
		family: []string{"Tehrani", "Rostami", "Moradi", "Ebrahimi", "Kazemi", "Sadeghi"},
	},
	"congolese": {
		female: []string{"Grace", "Esther", "Josephine", "Mireille", "Chantal", "Aline"},
		male:   []string{"Jean", "Patrick", "Emmanuel", "Didier", "Josué", "Pascal"},
		family: []string{"Mukendi", "Kabila", "Ilunga", "Tshibangu", "Mbuyi", "Kasongo"},
	},
	"karen": {
		female: []string{"Naw Paw", "Naw Htoo", "Naw Eh", "Naw Say"},
		male:   []string{"Saw Htoo", "Saw Kaw", "Saw Eh", "Saw Moo"},
		family: []string{"Htoo", "Paw", "Wah", "Say"},
	},
	"norwegian": {
		female: []string{"Ingrid", "Kari", "Marte", "Silje", "Nora", "Åse", "Solveig", "Bjørg"},
		male:   []string{"Ole", "Lars", "Knut", "Håkon", "Øyvind", "Jørgen", "Per", "Magnus"},
		family: []string{"Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Bråten", "Sæther"},
	},
}

// personName draws a given and a family name plausible for country.
func personName(r *rand.Rand, country string, female bool) (given, family string) {
	g, ok := nameGroup[country]
	if !ok {
		g = "norwegian"
	}
	p := namePools[g]
	if female {
		given = p.female[r.IntN(len(p.female))]
	} else {
		given = p.male[r.IntN(len(p.male))]
	}
	return given, p.family[r.IntN(len(p.family))]
}

// familyName draws a family name for a household.
func familyName(r *rand.Rand, country string) string {
	_, f := personName(r, country, false)
	return f
}

// streetNames for plausible addresses (direct identifiers in the sources).
var streetNames = []string{"Storgata", "Kirkeveien", "Skolegata", "Parkveien", "Fjordgata", "Bjørkeveien", "Solbakken", "Åsveien", "Stasjonsveien", "Kongens gate", "Øvre Slottsgate", "Nedre Bakklandet"}
