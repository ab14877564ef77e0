package delivery

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestFormatDecimal(t *testing.T) {
	tests := []struct {
		v    float64
		max  int
		want string
	}{
		{7.5, 2, "7,5"},
		{12, 2, "12"},
		{-0.25, 2, "-0,25"},
		{0.125, 2, "0,12"}, // 0.125 is exact in binary; strconv rounds half to even
		{1.0 / 3, 4, "0,3333"},
		{-0.001, 2, "0"},
		{1234567.5, 1, "1234567,5"},
		{0.1, -1, "0,1"},
		{100, 0, "100"},
	}
	for _, tt := range tests {
		if got := FormatDecimal(tt.v, tt.max); got != tt.want {
			t.Errorf("FormatDecimal(%v, %d) = %q, want %q", tt.v, tt.max, got, tt.want)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr string
	}{
		{in: "7,5", want: 7.5},
		{in: "12", want: 12},
		{in: "-0,25", want: -0.25},
		{in: "0,1", want: 0.1},
		{in: "123456789012,345", want: 123456789012.345},
		{in: "1234567890123456,75", want: 1234567890123456.75}, // more than 15 digits: the slow path
		{in: "7.5", wantErr: "decimal: has a point; the dialect uses a decimal comma"},
		{in: "1 000", wantErr: "decimal: has a space"},
		{in: "", wantErr: "decimal: empty"},
		{in: "1,", wantErr: "decimal: want digits on both sides of the decimal comma"},
		{in: ",5", wantErr: "decimal: want digits on both sides of the decimal comma"},
		{in: "-", wantErr: "decimal: want digits on both sides of the decimal comma"},
		{in: "1,2,3", wantErr: "decimal: want digits with an optional minus and decimal comma"},
		{in: "1e5", wantErr: "decimal: want digits with an optional minus and decimal comma"},
		{in: "NaN", wantErr: "decimal: want digits with an optional minus and decimal comma"},
		{in: strings.Repeat("9", 65), wantErr: "decimal: too long"},
	}
	for _, tt := range tests {
		got, err := ParseDecimal(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseDecimal(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestDecimalRoundTrip(t *testing.T) {
	for _, v := range []float64{0, 0.5, 7.25, -3.75, 1e6 + 0.1, 37.5, math.Pi} {
		s := FormatDecimal(v, -1)
		got, err := ParseDecimal(s)
		if err != nil || got != v {
			t.Errorf("%v → %q → %v, %v", v, s, got, err)
		}
	}
}

func TestBool(t *testing.T) {
	for _, b := range []bool{true, false} {
		got, err := ParseBool(FormatBool(b), false)
		if err != nil || got != b {
			t.Errorf("round trip of %v: %v, %v", b, got, err)
		}
	}
	if FormatBool(true) != "J" || FormatBool(false) != "N" {
		t.Error("FormatBool: want J and N")
	}
	tests := []struct {
		s         string
		json      bool
		want, bad bool
	}{
		{"J", false, true, false},
		{"N", false, false, false},
		{"true", false, false, true}, // a CSV file says J or N
		{"J", true, true, false},
		{"true", true, true, false},
		{"false", true, false, false},
		{"", false, false, true},
		{"j", false, false, true},
		{"Y", true, false, true},
		{"1", true, false, true},
		{"True", true, false, true},
	}
	for _, tc := range tests {
		got, err := ParseBool(tc.s, tc.json)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseBool(%q, json %v) = %v, %v", tc.s, tc.json, got, err)
		}
	}
}

// TestParseDecimalMatchesParseFloat holds ParseDecimal to strconv's
// correctly rounded parse on random decimals of 1 to 22 digits, on both
// sides of the 15 digits its fast path takes.
func TestParseDecimalMatchesParseFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for range 200_000 {
		var b strings.Builder
		if rng.IntN(4) == 0 {
			b.WriteByte('-')
		}
		for range 1 + rng.IntN(11) {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		if rng.IntN(2) == 0 {
			b.WriteByte(',')
			for range 1 + rng.IntN(11) {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		s := b.String()
		want, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseDecimal(s); err != nil || got != want {
			t.Fatalf("ParseDecimal(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}
