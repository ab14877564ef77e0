package demo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/extract/reference"
	"integstat/transform/ident"
)

// The tests read back what emit wrote and recompute every interpreter
// figure from the definitions in indicators.md, with nothing from the
// model but its files.

// tolkSnapshot is one delivery of the interpreter register as read back.
type tolkSnapshot struct {
	at    time.Time
	dir   string
	tolk  map[string]map[string]string // tolk_id -> column -> value
	sprak []map[string]string
}

// readTolkTable reads one CSV file of a delivery into rows keyed by column.
func readTolkTable(t *testing.T, dir, name string) []map[string]string {
	t.Helper()
	tab, ok := contract.Lookup("tolk", name)
	if !ok {
		t.Fatalf("no contract for tolk/%s", name)
	}
	f, err := os.Open(filepath.Join(dir, tab.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr, err := delivery.NewCSVReader(f, tab.File)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(cr.Header(), ";"), strings.Join(tab.Names(), ";"); got != want {
		t.Fatalf("%s header = %s, want %s", tab.File, got, want)
	}
	var out []map[string]string
	for {
		rec, err := cr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for i, v := range rec.Fields {
			row[cr.Header()[i]] = v
		}
		out = append(out, row)
	}
}

// writeTolkSnapshot emits m as known at instant at into dir and reads the
// delivery back, verified against its manifest.
func writeTolkSnapshot(t *testing.T, m *tolkModel, dir string, at time.Time) *tolkSnapshot {
	t.Helper()
	d, err := openDelivery(dir, "tolk", at, Options{Seed: 1}, &answerKey{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.emit(d); err != nil {
		t.Fatal(err)
	}
	if _, err := d.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := delivery.Verify(d.dir); err != nil {
		t.Fatalf("delivery %s: %v", d.id, err)
	}
	s := &tolkSnapshot{at: at, dir: d.dir, tolk: map[string]map[string]string{}}
	for _, r := range readTolkTable(t, d.dir, "tolk") {
		if s.tolk[r["tolk_id"]] != nil {
			t.Fatalf("%s: tolk_id %s twice", d.id, r["tolk_id"])
		}
		s.tolk[r["tolk_id"]] = r
	}
	s.sprak = readTolkTable(t, d.dir, "tolk_sprak")
	return s
}

// writeTolkSnapshots emits m at 23:00 on 31 December of 2013–2017, as the
// demo set does, and reads every delivery back.
func writeTolkSnapshots(t *testing.T, m *tolkModel, dir string) map[int]*tolkSnapshot {
	t.Helper()
	out := map[int]*tolkSnapshot{}
	for y := 2013; y <= 2017; y++ {
		out[y] = writeTolkSnapshot(t, m, dir, time.Date(y, time.December, 31, 23, 0, 0, 0, delivery.Oslo))
	}
	return out
}

// tolkFigures computes the interpreter indicators for 31.12 of year from a
// snapshot, straight from their definitions.
func tolkFigures(t *testing.T, s *tolkSnapshot, year int) map[string]float64 {
	t.Helper()
	d := time.Date(year, time.December, 31, 0, 0, 0, 0, time.UTC)
	parse := func(v string) time.Time {
		x, err := time.Parse("2006-01-02", v)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	best := map[string]int{}       // tolk_id -> best category valid on d
	langs := map[string][]string{} // tolk_id -> languages valid on d
	for _, r := range s.sprak {
		if parse(r["gyldig_fra"]).After(d) || (r["gyldig_til"] != "" && parse(r["gyldig_til"]).Before(d)) {
			continue
		}
		k, _ := strconv.Atoi(r["kategori"])
		id := r["tolk_id"]
		if b, ok := best[id]; !ok || k < b {
			best[id] = k
		}
		langs[id] = append(langs[id], r["sprak"])
	}
	var n, kat13, women float64
	inUse := map[string]bool{}
	for id, r := range s.tolk {
		if parse(r["registrert_dato"]).After(d) || (r["avregistrert_dato"] != "" && !parse(r["avregistrert_dato"]).After(d)) {
			continue
		}
		b, ok := best[id]
		if !ok {
			continue
		}
		n++
		if b <= 3 {
			kat13++
		}
		if r["kjonn"] == "K" {
			women++
		}
		for _, l := range langs[id] {
			inUse[l] = true
		}
	}
	return map[string]float64{
		"tolker": n, "tolker_kat1_3": kat13, "andel_tolker_kat1_3": kat13 / n,
		"tolk_sprak": float64(len(inUse)), "andel_tolker_kvinner": women / n,
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func buildTolk(t *testing.T, seed uint64, factor float64) *tolkModel {
	t.Helper()
	m, err := newTolk(newWorld(seed, 0, newIDAllocator()), factor, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTolkFigures checks every published interpreter figure against the
// value computed from the delivered rows, at the published scale and at
// half of it (counts halved, shares unchanged, languages unchanged).
func TestTolkFigures(t *testing.T) {
	figs, err := reference.PublishedFigures()
	if err != nil {
		t.Fatal(err)
	}
	for _, factor := range []float64{1, 0.5} {
		t.Run(fmt.Sprintf("factor %g", factor), func(t *testing.T) {
			snaps := writeTolkSnapshots(t, buildTolk(t, 1, factor), t.TempDir())
			newest := snaps[2017]
			checked := 0
			for _, f := range figs {
				if !tolkIndicators[f.Indicator] {
					continue
				}
				got := tolkFigures(t, newest, f.Year)[f.Indicator]
				want := f
				if f.Kind != reference.KindPercent && f.Indicator != "tolk_sprak" {
					want.Value = f.Value * factor
					if f.Kind == reference.KindCount {
						want.Value = math.Round(want.Value)
					}
				}
				if !want.Matches(got) {
					t.Errorf("%s %d = %v, want %v (%s)", f.Indicator, f.Year, got, want.Value, f.Kind)
				}
				checked++
			}
			if checked != 11 {
				t.Errorf("checked %d interpreter figures, want the 11 published", checked)
			}
		})
	}
}

var (
	tolkEmailForm = regexp.MustCompile(`^[a-z0-9.-]+@example\.(no|com|org)$`)
	tolkPhoneForm = regexp.MustCompile(`^\+47 400 00 [0-9]{3}$`)
)

// TestTolkSnapshots checks that each snapshot follows the contract and that
// the snapshots tell one story: an older one holds the earlier state of the
// newest one's rows and gives the same figures for its own year.
func TestTolkSnapshots(t *testing.T) {
	snaps := writeTolkSnapshots(t, buildTolk(t, 1, 1), t.TempDir())
	ref := reference.MustLoad()
	newest := snaps[2017]
	stamp := func(v string) time.Time {
		x, err := time.ParseInLocation("2006-01-02 15:04:05", v, delivery.Oslo)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for y := 2013; y <= 2017; y++ {
		s := snaps[y]
		for id, r := range s.tolk {
			if stamp(r["endret_tidspunkt"]).After(s.at) {
				t.Errorf("%d: tolk %s changed after the extraction", y, id)
			}
			if !ref.ValidOn(r["bostedskommune"], s.at) {
				t.Errorf("%d: tolk %s lives in kommune %s, not valid then", y, id, r["bostedskommune"])
			}
			n, err := ident.Parse(r["fnr"], ident.Options{AllowSynthetic: true})
			if err != nil || n.Kind != ident.Fnr || n.Female != (r["kjonn"] == "K") || strconv.Itoa(n.Birth.Year()) != r["fodselsaar"] {
				t.Errorf("%d: tolk %s: identity number does not fit kjonn and fodselsaar (%v)", y, id, err)
			}
			if r["epost"] != "" && !tolkEmailForm.MatchString(r["epost"]) {
				t.Errorf("%d: tolk %s: e-mail outside the example domains", y, id)
			}
			if r["telefon"] != "" && !tolkPhoneForm.MatchString(r["telefon"]) {
				t.Errorf("%d: tolk %s: phone %q outside the fictitious block", y, id, r["telefon"])
			}
			if a := r["avregistrert_dato"]; a != "" && a < r["registrert_dato"] {
				t.Errorf("%d: tolk %s deregistered before registered", y, id)
			}
			// The row is the newest one's earlier state, or the same row
			// if it has not changed since.
			nr := newest.tolk[id]
			switch {
			case nr == nil:
				t.Errorf("%d: tolk %s is gone from the newest snapshot", y, id)
			case !stamp(nr["endret_tidspunkt"]).After(s.at):
				if fmt.Sprint(r) != fmt.Sprint(nr) {
					t.Errorf("%d: tolk %s differs from the newest snapshot without a later change", y, id)
				}
			case r["registrert_dato"] != nr["registrert_dato"] || r["fnr"] != nr["fnr"]:
				t.Errorf("%d: tolk %s: registration or identity changed", y, id)
			}
		}
		// The flags follow the categories registered so far.
		aut, utd := map[string]bool{}, map[string]bool{}
		for _, r := range s.sprak {
			switch r["kategori"] {
			case "1":
				aut[r["tolk_id"]], utd[r["tolk_id"]] = true, true
			case "2":
				aut[r["tolk_id"]] = true
			case "3":
				utd[r["tolk_id"]] = true
			}
		}
		for id, r := range s.tolk {
			if r["statsautorisert"] != delivery.FormatBool(aut[id]) || r["tolkeutdanning"] != delivery.FormatBool(utd[id]) {
				t.Errorf("%d: tolk %s: flags %s/%s do not follow the categories", y, id, r["statsautorisert"], r["tolkeutdanning"])
			}
		}
		type key struct{ id, sprak, fra string }
		keys := map[key]map[string]string{}
		for _, r := range s.sprak {
			k := key{r["tolk_id"], r["sprak"], r["gyldig_fra"]}
			if keys[k] != nil {
				t.Errorf("%d: tolk_sprak key %v twice", y, k)
			}
			keys[k] = r
			if s.tolk[r["tolk_id"]] == nil {
				t.Errorf("%d: tolk_sprak row for unknown tolk %s", y, r["tolk_id"])
			}
			if b, err := language.ParseBase(r["sprak"]); err != nil || b.ISO3() != r["sprak"] {
				t.Errorf("%d: %q is not an ISO 639-3 code", y, r["sprak"])
			}
			if k, err := strconv.Atoi(r["kategori"]); err != nil || k < 1 || k > 5 {
				t.Errorf("%d: kategori %q", y, r["kategori"])
			}
			if r["gyldig_til"] != "" && r["gyldig_til"] < r["gyldig_fra"] {
				t.Errorf("%d: tolk_sprak %v ends before it starts", y, k)
			}
			if stamp(r["endret_tidspunkt"]).After(s.at) {
				t.Errorf("%d: tolk_sprak %v changed after the extraction", y, k)
			}
		}
		for _, nr := range newest.sprak {
			k := key{nr["tolk_id"], nr["sprak"], nr["gyldig_fra"]}
			r := keys[k]
			switch {
			case r == nil && !stamp(nr["endret_tidspunkt"]).After(s.at):
				t.Errorf("%d: tolk_sprak %v missing though registered before", y, k)
			case r != nil && !stamp(nr["endret_tidspunkt"]).After(s.at) && fmt.Sprint(r) != fmt.Sprint(nr):
				t.Errorf("%d: tolk_sprak %v differs without a later change", y, k)
			case r != nil && r["kategori"] != nr["kategori"]:
				t.Errorf("%d: tolk_sprak %v changed category in place", y, k)
			}
		}
		if len(keys) > len(newest.sprak) {
			t.Errorf("%d: %d tolk_sprak rows, more than the newest %d", y, len(keys), len(newest.sprak))
		}
		// No change reaches back: the figures of year y are the same from
		// the snapshot of y and from the newest.
		then, now := tolkFigures(t, s, y), tolkFigures(t, newest, y)
		if fmt.Sprint(then) != fmt.Sprint(now) {
			t.Errorf("%d: figures at the time %v, from the newest snapshot %v", y, then, now)
		}
	}
}

// TestTolkHistory checks that the register's history shows what the model
// promises: interpreters leave, categories improve (the old row closed the
// day before the new one starts), and residents of the kommuner merged into
// Sandefjord get the new code on 1 January 2017.
func TestTolkHistory(t *testing.T) {
	m := buildTolk(t, 1, 1)
	dir := t.TempDir()
	snaps := writeTolkSnapshots(t, m, dir)
	newest := snaps[2017]
	var left, improved, merged int
	for _, r := range newest.tolk {
		if r["avregistrert_dato"] != "" {
			left++
		}
	}
	type lang struct{ id, sprak string }
	byLang := map[lang][]map[string]string{}
	for _, r := range newest.sprak {
		k := lang{r["tolk_id"], r["sprak"]}
		byLang[k] = append(byLang[k], r)
	}
	for k, rows := range byLang { // rows are in gyldig_fra order
		for i := 1; i < len(rows); i++ {
			prev, cur := rows[i-1], rows[i]
			til, _ := time.Parse("2006-01-02", prev["gyldig_til"])
			if prev["gyldig_til"] == "" || til.AddDate(0, 0, 1).Format("2006-01-02") != cur["gyldig_fra"] {
				t.Errorf("%v: row from %s does not end the day before the next starts", k, prev["gyldig_fra"])
			}
			if cur["kategori"] >= prev["kategori"] {
				t.Errorf("%v: category %s follows %s, not an improvement", k, cur["kategori"], prev["kategori"])
			}
			improved++
		}
	}
	// On 1 January 2017 everyone from Sandefjord, Andebu and Stokke lives
	// in the new Sandefjord, changed in the night, unless moved that day.
	ref := reference.MustLoad()
	jan1 := writeTolkSnapshot(t, m, dir, time.Date(2017, time.January, 1, 23, 0, 0, 0, delivery.Oslo))
	for id, r := range snaps[2016].tolk {
		switch r["bostedskommune"] {
		case "0706", "0719", "0720":
			nr := jan1.tolk[id]
			switch {
			case nr["bostedskommune"] == "0710" && nr["endret_tidspunkt"] >= "2017-01-01 01:00:00":
				merged++
			case nr["endret_tidspunkt"] > "2017-01-01 01:00:00" && ref.ValidOn(nr["bostedskommune"], jan1.at):
				// moved away that day
			default:
				t.Errorf("tolk %s in %s in 2016 lives in %s (changed %s) on 1 January 2017", id, r["bostedskommune"], nr["bostedskommune"], nr["endret_tidspunkt"])
			}
		}
	}
	if left == 0 || improved == 0 || merged == 0 {
		t.Errorf("deregistered %d, improvements %d, Sandefjord residents %d; want some of each", left, improved, merged)
	}
}

// TestTolkDeterministic checks that a seed gives byte-identical files and
// another seed different ones.
func TestTolkDeterministic(t *testing.T) {
	files := func(seed uint64) []byte {
		snaps := writeTolkSnapshots(t, buildTolk(t, seed, 1), t.TempDir())
		var all []byte
		for y := 2013; y <= 2017; y++ {
			for _, f := range []string{"tolk.csv", "tolk_sprak.csv"} {
				b, err := os.ReadFile(filepath.Join(snaps[y].dir, f))
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, b...)
			}
		}
		return all
	}
	a, b, c := files(1), files(1), files(2)
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different files")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same files")
	}
}

// TestTolkLanguages checks the language list against ISO 639-3.
func TestTolkLanguages(t *testing.T) {
	if err := checkTolkLanguages(); err != nil {
		t.Fatal(err)
	}
	saved := tolkLanguages
	defer func() { tolkLanguages = saved }()
	for _, bad := range []string{"xyz", "ar", "kur2"} {
		tolkLanguages = append(saved[:len(saved):len(saved)], tolkLanguage{bad, 1, 0})
		if checkTolkLanguages() == nil {
			t.Errorf("%q accepted as an ISO 639-3 code", bad)
		}
	}
}
