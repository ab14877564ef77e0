package portal

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// TestFormatValue: a page writes figures as its reader's language does —
// Norwegian with decimal comma, no-break space between groups of three
// digits and " %"; English with decimal point, comma between groups and
// "%" — and rounds them the same way in both.
func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		typ    string
		value  float64
		nb, en string
	}{
		{"antall", 0, "0", "0"},
		{"antall", 312, "312", "312"},
		{"antall", 1234, "1\u00a0234", "1,234"},
		{"antall", 999.5, "1\u00a0000", "1,000"},
		{"antall", 1234567, "1\u00a0234\u00a0567", "1,234,567"},
		{"antall", -4321, "-4\u00a0321", "-4,321"},
		{"andel", 0.125, "12,5 %", "12.5%"},
		{"andel", 0.76923, "76,9 %", "76.9%"},
		{"andel", 1, "100 %", "100%"},
		{"andel", 0, "0 %", "0%"},
		{"snitt", 3.45, "3,5", "3.5"},
		{"snitt", 12, "12,0", "12.0"},
		{"snitt", 1234.56, "1234,6", "1234.6"},
	} {
		for l, want := range map[lang]string{langNB: tc.nb, langEN: tc.en} {
			if got := formatValue(tc.typ, tc.value, l); got != want {
				t.Errorf("%s %v in %s: %q, want %q", tc.typ, tc.value, l, got, want)
			}
			f := tc.value
			ind := &Indicator{Type: tc.typ}
			if got := show(ind, Value{Verdi: &f}, true, l); got.Text != want || !got.Has || got.Value != tc.value {
				t.Errorf("show %s %v in %s: %+v, want %q", tc.typ, tc.value, l, got, want)
			}
		}
	}
}

// TestShowStatusesInLanguage: a suppressed or preliminary figure is
// explained in the page's language.
func TestShowStatusesInLanguage(t *testing.T) {
	f := 0.5
	for _, tc := range []struct {
		status string
		l      lang
		want   string
	}{
		{":", langNB, txtSuppressed.nb},
		{":", langEN, txtSuppressed.en},
		{"p", langNB, txtPreliminary.nb},
		{"p", langEN, txtPreliminary.en},
		{".", langEN, txtNotStated.en},
	} {
		if got := show(&Indicator{Type: "andel"}, Value{Verdi: &f, Status: tc.status}, true, tc.l); got.Title != tc.want {
			t.Errorf("%s in %s: title %q, want %q", tc.status, tc.l, got.Title, tc.want)
		}
	}
}

// TestValuesCSVInLanguage: CSV for Norwegian Excel separates fields with
// ';' and writes a decimal comma; for English Excel ',' and a decimal
// point. Each reads back as the same figures.
func TestValuesCSVInLanguage(t *testing.T) {
	v, teller, nevner := 0.7692307692307693, int64(10), int64(13)
	values := []Value{{Indicator: "andel_bosatt_6mnd", Year: 2017, Level: "land", Region: "0", RegionName: "Norge", Verdi: &v, Teller: &teller, Nevner: &nevner, DataPer: "2018-03-05"}}
	for _, tc := range []struct {
		l     lang
		comma rune
		verdi string
	}{
		{langNB, ';', "0,7692307692307693"},
		{langEN, ',', "0.7692307692307693"},
	} {
		body, err := valuesCSV(values, tc.l)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte(bom))))
		r.Comma = tc.comma
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.l, err, body)
		}
		if len(rows) != 2 || len(rows[1]) != 10 || rows[1][5] != tc.verdi || rows[1][6] != "10" || rows[1][7] != "13" {
			t.Errorf("%s: %q", tc.l, rows)
		}
	}
}
