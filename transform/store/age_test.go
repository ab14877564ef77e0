package store

import (
	"testing"

	"integstat/extract/contract"
)

// TestAgeOn: the age rule of indicators.md, whole years completed on the
// event day; one born on 29 February turns a year older on 1 March in
// common years.
func TestAgeOn(t *testing.T) {
	for _, c := range []struct {
		name         string
		birth, event [3]int
		want         int
	}{
		{"day of birth", [3]int{2000, 6, 15}, [3]int{2000, 6, 15}, 0},
		{"day before first birthday", [3]int{2000, 6, 15}, [3]int{2001, 6, 14}, 0},
		{"first birthday", [3]int{2000, 6, 15}, [3]int{2001, 6, 15}, 1},
		{"day before a birthday", [3]int{2000, 6, 15}, [3]int{2017, 6, 14}, 16},
		{"a birthday", [3]int{2000, 6, 15}, [3]int{2017, 6, 15}, 17},
		{"month before birthday month", [3]int{1980, 12, 1}, [3]int{2017, 11, 30}, 36},
		{"last day of the year", [3]int{1999, 12, 31}, [3]int{2017, 12, 31}, 18},
		{"29 February, 28 February of a common year", [3]int{2000, 2, 29}, [3]int{2017, 2, 28}, 16},
		{"29 February, 1 March of a common year", [3]int{2000, 2, 29}, [3]int{2017, 3, 1}, 17},
		{"29 February, 28 February of a leap year", [3]int{2000, 2, 29}, [3]int{2016, 2, 28}, 15},
		{"29 February, 29 February of a leap year", [3]int{2000, 2, 29}, [3]int{2016, 2, 29}, 16},
		{"28 February in a leap year", [3]int{2001, 2, 28}, [3]int{2004, 2, 28}, 3},
		{"1 March after a leap day", [3]int{2001, 3, 1}, [3]int{2004, 2, 29}, 2},
		{"1900 is not a leap year", [3]int{1896, 2, 29}, [3]int{1900, 3, 1}, 4},
		{"day before birth", [3]int{2000, 6, 15}, [3]int{2000, 6, 14}, -1},
	} {
		if got := ageOn(c.birth[0], c.birth[1], c.birth[2], c.event[0], c.event[1], c.event[2]); got != c.want {
			t.Errorf("%s: born %v, on %v: age %d, want %d", c.name, c.birth, c.event, got, c.want)
		}
	}
}

// TestAgeColumns: settlement rows keep the age on the settlement and
// decision dates instead of the date of birth; a person still waiting has
// no settlement age.
func TestAgeColumns(t *testing.T) {
	tb, _ := contract.Lookup("bosetting", "personer")
	b := NewBuilder(tb, 10)
	defer b.Release()
	row := func(birth, vedtak, bosatt string) []string {
		v := make([]string, len(tb.Cols))
		set := map[string]string{"duf": "201700000001", "fodselsdato": birth, "kjonn": "K", "kategori": "ASYL",
			"enslig_mindreaarig": "N", "vedtak_dato": vedtak, "bosatt_dato": bosatt, "fra": "MOTTAK",
			"avtalt_selvbosetting": "N", "skjult_identitet": "N", "sist_endret": "2017-12-01 10:00:00"}
		for i, c := range tb.Cols {
			v[i] = set[c.Name]
		}
		return v
	}
	if err := b.Append(row("2002-02-28", "2017-01-10", "2017-02-28"), "p1", "d", 1); err != nil {
		t.Fatal(err)
	}
	if err := b.Append(row("2002-03-01", "2017-01-10", ""), "p2", "d", 2); err != nil {
		t.Fatal(err)
	}
	rec := b.Flush()
	defer rec.Release()
	col := func(name string) int {
		for i, f := range rec.Schema().Fields() {
			if f.Name == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	bos, ved := rec.Column(col("alder_bosatt")), rec.Column(col("alder_vedtak"))
	if bos.ValueStr(0) != "15" || !bos.IsNull(1) {
		t.Errorf("alder_bosatt %s, %v", bos.ValueStr(0), bos.IsNull(1))
	}
	if ved.ValueStr(0) != "14" || ved.ValueStr(1) != "14" {
		t.Errorf("alder_vedtak %s, %s", ved.ValueStr(0), ved.ValueStr(1))
	}
	for _, f := range rec.Schema().Fields() {
		if f.Name == "fodselsdato" {
			t.Error("date of birth in the output")
		}
	}
}
