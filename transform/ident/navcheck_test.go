package ident

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// navResult is what @navikt/fnrvalidator's idnr returns for one number.
type navResult struct {
	Status  string   `json:"status"`
	Type    string   `json:"type"`
	Reasons []string `json:"reasons"`
}

// navChecksumReason is the reason fnrvalidator gives for wrong control digits.
const navChecksumReason = "checksums don't match"

// TestAgreesWithNAVFnrvalidator runs NAV's @navikt/fnrvalidator (the
// version pinned in testdata/navcheck) under Node on about 20 000 valid and
// invalid numbers and checks that Parse agrees with it wherever the two
// sets of rules coincide. Each way they differ is listed in README.md and
// checked here to go the documented way.
func TestAgreesWithNAVFnrvalidator(t *testing.T) {
	numbers := navSample(rand.New(rand.NewPCG(2032, 1964)))
	nav := runNAV(t, numbers)
	if len(nav) != len(numbers) {
		t.Fatalf("fnrvalidator answered %d of %d numbers", len(nav), len(numbers))
	}

	counts := map[string]int{}
	allow := Options{AllowSynthetic: true}
	for i, s := range numbers {
		res := nav[i]
		n, err := Parse(s, allow)
		navValid := res.Status == "valid"

		// Both implement Skatteetaten's control-digit rules, including the
		// 2032 rule for the first digit, so they must agree exactly.
		if len(s) == 11 && AllDigits(s) {
			ourChecksum := errors.Is(err, ErrControlDigit1) || errors.Is(err, ErrControlDigit2)
			if navChecksum := slices.Contains(res.Reasons, navChecksumReason); ourChecksum != navChecksum {
				t.Errorf("%q: control digits: Parse error %v, fnrvalidator reasons %v", s, err, res.Reasons)
			}
		}

		switch {
		case !navValid && err != nil:
			counts["both invalid"]++
		case !navValid:
			t.Errorf("%q: fnrvalidator says invalid %v, Parse accepts it as %+v", s, res.Reasons, n)
		case err == nil:
			counts["both valid"]++
			if want := navType(n); res.Type != want {
				t.Errorf("%q: fnrvalidator type %q, Parse gives %+v (type %q)", s, res.Type, n, want)
			}
		default:
			diff := documentedDifference(s, res, err)
			if diff == "" {
				t.Errorf("%q: fnrvalidator accepts it as %q, Parse rejects it: %v", s, res.Type, err)
			}
			counts[diff]++
		}

		// Synthetic numbers: fnrvalidator always accepts them as "tnr";
		// Parse only with AllowSynthetic, which is off by default.
		plainErr := Validate(s, Options{})
		switch {
		case err == nil && n.Synthetic:
			if !errors.Is(plainErr, ErrSynthetic) {
				t.Errorf("%q: synthetic, but without AllowSynthetic the error is %v", s, plainErr)
			}
			counts["synthetic refused by default"]++
		case (err == nil) != (plainErr == nil):
			t.Errorf("%q: AllowSynthetic changed a non-synthetic verdict: %v, %v", s, err, plainErr)
		}
	}

	t.Logf("outcomes over %d numbers: %v", len(numbers), counts)
	// Every class must be exercised, so that the test cannot pass vacuously.
	for _, class := range []string{
		"both valid", "both invalid", "synthetic refused by default",
		diffHNumber, diffCentury, diffLeapDay1900,
	} {
		if counts[class] == 0 {
			t.Errorf("the sample has no case of %q", class)
		}
	}
	if counts["both valid"] < 5000 || counts["both invalid"] < 5000 {
		t.Errorf("too few agreements in the sample: %v", counts)
	}
}

// The deliberate differences to fnrvalidator (README.md).
const (
	diffHNumber     = "H-number: fnrvalidator accepts, Parse rejects"
	diffCentury     = "century table broken: fnrvalidator does not check it"
	diffLeapDay1900 = "29 February 1900: fnrvalidator takes year 00 as 2000"
)

// documentedDifference names the README's difference that explains
// fnrvalidator accepting s while Parse rejects it with err, or returns "".
func documentedDifference(s string, res navResult, err error) string {
	switch {
	case errors.Is(err, ErrHNumber) && (res.Type == "hnr" || res.Type == "dnr-and-hnr"):
		return diffHNumber
	case errors.Is(err, ErrIndividualNumber):
		return diffCentury
	case errors.Is(err, ErrDate) && s[2:6] == "0200" && (s[0] == '2' || s[0] == '6') && s[1] == '9':
		return diffLeapDay1900
	}
	return ""
}

// navType is the type fnrvalidator gives a number Parse accepts.
func navType(n Number) string {
	switch {
	case n.Kind == DNumber && n.Synthetic:
		return "dnr-and-tnr"
	case n.Kind == DNumber:
		return "dnr"
	case n.Synthetic:
		return "tnr"
	}
	return "fnr"
}

// runNAV installs the pinned fnrvalidator into a temporary directory and
// returns its verdict on each number. Without node and npm it skips the
// test, unless CI=true, where it fails.
func runNAV(t *testing.T, numbers []string) []navResult {
	t.Helper()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if err := errors.Join(errNode, errNpm); err != nil {
		msg := fmt.Sprintf("cross-check against @navikt/fnrvalidator needs node and npm on PATH: %v", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "check.js"} {
		b, err := os.ReadFile(filepath.Join("testdata", "navcheck", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	install := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts")
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}

	in, err := json.Marshal(numbers)
	if err != nil {
		t.Fatal(err)
	}
	check := exec.CommandContext(ctx, node, "check.js")
	check.Dir = dir
	check.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	check.Stderr = &stderr
	out, err := check.Output()
	if err != nil {
		t.Fatalf("node check.js: %v\n%s", err, stderr.Bytes())
	}
	var res []navResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("decoding fnrvalidator's answer: %v", err)
	}
	return res
}

// Control-digit weights as Skatteetaten publishes them, kept apart from
// the package's own so that the sample does not rest on the code it tests.
var (
	navK1Weights = []int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	navK2Weights = []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
)

// withControlDigits appends the control digits to nine digits: K1 leaving
// remainder rest (0 before 2032; 1, 2 or 3 as well from 2032) and K2
// leaving remainder 0. ok is false if either would be 10.
func withControlDigits(nine string, rest int) (s string, ok bool) {
	b := []byte(nine)
	sum := 0
	for i, w := range navK1Weights {
		sum += w * int(b[i]-'0')
	}
	k1 := ((rest-sum)%11 + 11) % 11
	if k1 == 10 {
		return "", false
	}
	b = append(b, byte('0'+k1))
	sum = 0
	for i, w := range navK2Weights {
		sum += w * int(b[i]-'0')
	}
	k2 := (11 - sum%11) % 11
	if k2 == 10 {
		return "", false
	}
	return string(append(b, byte('0'+k2))), true
}

// navSample draws about 20 000 numbers, valid and invalid, covering every
// rule on which Parse and fnrvalidator agree or differ.
func navSample(r *rand.Rand) []string {
	var out []string
	// add completes day, month, yy and individual number ind with control
	// digits for remainder rest; it draws again (via retry) if impossible.
	add := func(day, month, yy, ind, rest int) bool {
		s, ok := withControlDigits(fmt.Sprintf("%02d%02d%02d%03d", day, month, yy, ind), rest)
		if ok {
			out = append(out, s)
		}
		return ok
	}
	repeat := func(n int, gen func() bool) {
		for got := 0; got < n; {
			if gen() {
				got++
			}
		}
	}
	dOffset := func() int { return 40 * r.IntN(2) }

	// Real fødselsnumre and D-numbers within the century table.
	repeat(4000, func() bool {
		b := randomBirth(r)
		return add(b.Day()+dOffset(), int(b.Month()), b.Year()%100, individualNumber(r, b.Year()), 0)
	})
	// Synthetic ones, from the generator.
	for range 2000 {
		out = append(out, Synthetic(r, randomBirth(r), r.IntN(2) == 0, r.IntN(2) == 0))
	}
	// The 2032 rule: remainders 1–3, any individual number.
	repeat(1500, func() bool {
		b := randomBirth(r)
		return add(b.Day()+dOffset(), int(b.Month()), b.Year()%100, r.IntN(1000), 1+r.IntN(3))
	})
	// Any real-looking date and individual number: valid, century table
	// broken, or no such date (31 April, 29 February).
	repeat(3000, func() bool {
		return add(1+r.IntN(31)+dOffset(), 1+r.IntN(12), r.IntN(100), r.IntN(1000), 0)
	})
	// Century table broken on purpose: 750–899 with YY 40–99, 500–749 with YY 40–53.
	repeat(500, func() bool {
		if r.IntN(2) == 0 {
			return add(1+r.IntN(28), 1+r.IntN(12), 40+r.IntN(60), 750+r.IntN(150), 0)
		}
		return add(1+r.IntN(28), 1+r.IntN(12), 40+r.IntN(14), 500+r.IntN(250), 0)
	})
	// 29 February 00 in both centuries the table allows.
	repeat(300, func() bool { return add(29+dOffset(), 2, 0, r.IntN(1000), 0) })
	// H-numbers (month + 40), NHN test numbers (+ 65), FH-numbers (first digit 8 or 9).
	repeat(1000, func() bool {
		b := randomBirth(r)
		return add(b.Day()+dOffset(), int(b.Month())+40, b.Year()%100, individualNumber(r, b.Year()), r.IntN(4))
	})
	repeat(300, func() bool {
		b := randomBirth(r)
		return add(b.Day()+dOffset(), int(b.Month())+65, b.Year()%100, individualNumber(r, b.Year()), 0)
	})
	repeat(300, func() bool {
		return add(80+r.IntN(20), r.IntN(100), r.IntN(100), r.IntN(1000), 0)
	})
	// Impossible days and months with valid control digits.
	repeat(1000, func() bool {
		day, month := 1+r.IntN(28), 1+r.IntN(12)
		if r.IntN(2) == 0 {
			day = []int{0, 32, 39, 40, 72, 79}[r.IntN(6)]
		} else {
			month = []int{0, 13, 20, 39, 53, 60, 65, 78, 80, 93, 99}[r.IntN(11)]
		}
		return add(day, month, r.IntN(100), r.IntN(1000), r.IntN(4))
	})
	// Typing errors in valid numbers: one digit changed, or two neighbours swapped.
	valid := slices.Clone(out[:6000])
	for range 4000 {
		b := []byte(valid[r.IntN(len(valid))])
		if i := r.IntN(10); r.IntN(2) == 0 {
			b[i], b[i+1] = b[i+1], b[i]
		} else {
			b[i] = byte('0' + (int(b[i]-'0')+1+r.IntN(9))%10)
		}
		out = append(out, string(b))
	}
	// Random digits.
	for range 2000 {
		out = append(out, fmt.Sprintf("%011d", r.Int64N(100_000_000_000)))
	}
	// Malformed.
	out = append(out, "", "0", "3112995671", "311299567150", "3112995671x", "311299567\u0665",
		"3112995671\u0665", " 3112995671", "31129956715 ", "31.12.99567", "abcdefghijk")
	return out
}
