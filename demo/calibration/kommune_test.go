package calibration

import (
	"testing"

	"integstat/extract/reference"
)

func TestCodeInYear(t *testing.T) {
	changes := changesByCode(reference.MustLoad().Changes)
	tests := []struct {
		code string
		year int
		want string
	}{
		{"0301", 2017, "0301"},
		{"1601", 2017, "1601"},
		{"1601", 2018, "5001"}, // Trondheim into Trøndelag
		{"0719", 2016, "0719"},
		{"0719", 2017, "0710"}, // Andebu into Sandefjord
		{"0722", 2018, "0729"}, // Nøtterøy into Færder
		{"1201", 2020, "4601"}, // Bergen into Vestland
		{"1850", 2020, "1850"}, // Tysfjord was split: no single successor
	}
	for _, tt := range tests {
		if got := codeInYear(changes, tt.code, tt.year); got != tt.want {
			t.Errorf("codeInYear(%s, %d) = %s, want %s", tt.code, tt.year, got, tt.want)
		}
	}
}
