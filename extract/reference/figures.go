package reference

import (
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"strconv"
	"time"
)

// The kinds of published figure, which say how a computed value is compared
// with it (see Figure.Matches).
const (
	KindCount   = "count"   // a count, reproduced exactly
	KindPercent = "percent" // a share published as a whole percentage
	KindMonths  = "months"  // a mean published to one decimal
	KindApprox  = "approx"  // a rounded figure ("om lag 12 700"), within 2 %
)

// Figure is one figure IMDi published in its annual report 2017
// (published_figures.csv), by indicator id of the indicator spec; the
// pipeline's results are checked against these.
type Figure struct {
	Indicator string
	Year      int
	Value     float64
	Kind      string    // KindCount, KindPercent, KindMonths or KindApprox
	AsOf      time.Time // the data state the figure was computed from; zero: the newest state
	Note      string
}

// PublishedFigures parses the embedded published_figures.csv. An error names
// the line and problem.
func PublishedFigures() ([]Figure, error) {
	return parseFigures(dataFS)
}

// indicatorID is the form of an indicator id: lower-case words joined by '_'.
var indicatorID = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// parseFigures reads published_figures.csv from fsys.
func parseFigures(fsys fs.FS) ([]Figure, error) {
	type key struct {
		indicator string
		year      int
		asOf      time.Time
	}
	var out []Figure
	seen := make(map[key]int) // -> line, to reject a figure given twice
	header := []string{"indicator", "year", "value", "kind", "as_of", "note"}
	err := readTable(fsys, figuresFile, ',', header, func(line int, rec []string) error {
		f := Figure{Indicator: rec[0], Kind: rec[3], Note: rec[5]}
		if !indicatorID.MatchString(f.Indicator) {
			return fmt.Errorf("indicator %q is not an indicator id", f.Indicator)
		}
		var err error
		if f.Year, err = strconv.Atoi(rec[1]); err != nil {
			return fmt.Errorf("year %q is not a whole number", rec[1])
		}
		if f.Value, err = parseValue(f.Kind, rec[2]); err != nil {
			return err
		}
		if rec[4] != "" {
			if f.AsOf, err = parseDate("as_of", rec[4]); err != nil {
				return err
			}
		}
		k := key{f.Indicator, f.Year, f.AsOf}
		if first, dup := seen[k]; dup {
			return fmt.Errorf("%s %d repeats the figure on line %d", f.Indicator, f.Year, first)
		}
		seen[k] = line
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parseValue parses the value of a figure of the given kind and checks that
// it has the form the kind implies: a whole number for a count or percent,
// nothing negative or infinite.
func parseValue(kind, s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("value %q is not a non-negative number", s)
	}
	switch kind {
	case KindCount, KindPercent:
		if v != math.Trunc(v) {
			return 0, fmt.Errorf("value %q of a %s is not a whole number", s, kind)
		}
	case KindMonths, KindApprox:
	default:
		return 0, fmt.Errorf("kind %q is not one of %s, %s, %s, %s", kind, KindCount, KindPercent, KindMonths, KindApprox)
	}
	return v, nil
}

// roundingSlack is how close below a half-way point a computed value may
// fall and still round up, in units of the last digit kept. A share or mean
// computed in floating point from whole counts can land a few ulps below the
// exact half it stands for (29/200*100 gives 14.499999999999998, not 14.5);
// a value that is truly below the half is so by at least 1/(2n) for a
// denominator n, far more than the slack for any count of persons.
const roundingSlack = 1e-9

// roundHalfUp rounds x (not negative) to a whole number, halves upwards,
// allowing for roundingSlack.
func roundHalfUp(x float64) float64 {
	return math.Floor(x + 0.5 + roundingSlack)
}

// Matches reports whether a computed value reproduces the published figure
// under its kind:
//   - count: computed equals Value exactly (a count is a whole number);
//   - percent: computed is a fraction from 0 to 1, and computed*100 rounded
//     half-up to a whole number equals Value;
//   - months: computed, a mean, rounded half-up to one decimal equals Value;
//   - approx: computed is within 2 % of Value, bounds included.
//
// Half-up rounding allows for floating-point error (see roundingSlack). A
// NaN or infinite value, or an unknown kind, never matches.
func (f Figure) Matches(computed float64) bool {
	if math.IsNaN(computed) || math.IsInf(computed, 0) {
		return false
	}
	switch f.Kind {
	case KindCount:
		return computed == f.Value
	case KindPercent:
		return roundHalfUp(computed*100) == f.Value
	case KindMonths:
		// Compare in tenths: 8.4 is 84.00000000000001 tenths in floating point.
		return roundHalfUp(computed*10) == math.Round(f.Value*10)
	case KindApprox:
		// |computed-Value| <= Value/50 is exact for whole numbers, unlike 0.02*Value.
		return math.Abs(computed-f.Value)*50 <= math.Abs(f.Value)
	}
	return false
}
