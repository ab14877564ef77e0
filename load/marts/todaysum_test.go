package marts_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"integstat/load/marts"
)

// TestTodaySumLeaks: a sum of today's kommune 3907 over its 2016 codes
// 0706, 0719 and 0720 is in the model as the sum of its parts; shown while
// a part is suppressed it gives that part away (sum − the others), and the
// build's attack must say so. A suppressed sum, a sum not stated because
// of a split ('.'), a sum whose parts are all shown, and a part suppressed
// only in another data state do not leak.
func TestTodaySumLeaks(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE indikator_historikk (indikator VARCHAR, aar INTEGER, niva VARCHAR, region VARCHAR, status VARCHAR, data_per DATE)`,
		`CREATE TABLE indikator_dagens_inndeling (indikator VARCHAR, aar INTEGER, niva VARCHAR, region VARCHAR, status VARCHAR, data_per DATE, koder VARCHAR)`,
		// State 1: 0719 suppressed (a count of 1 to 4), the others shown.
		`INSERT INTO indikator_historikk VALUES
			('bosatte', 2016, 'kommune', '0706', '', '2017-03-01'),
			('bosatte', 2016, 'kommune', '0719', ':', '2017-03-01'),
			('bosatte', 2016, 'kommune', '0720', '', '2017-03-01'),
			('bosatte', 2016, 'kommune', '0301', '', '2017-03-01'),
			('bosatte', 2016, 'kommune', '0706', '', '2018-03-01'),
			('bosatte', 2016, 'kommune', '0719', '', '2018-03-01'),
			('bosatte', 2016, 'kommune', '0720', '', '2018-03-01')`,
		`INSERT INTO indikator_dagens_inndeling VALUES
			('bosatte', 2016, 'kommune', '3907', '', '2017-03-01', '0706,0719,0720'),
			('bosatte', 2016, 'kommune', '3907', '', '2018-03-01', '0706,0719,0720'),
			('bosatte', 2016, 'kommune', '0301', '', '2017-03-01', '0301')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want []string) {
		t.Helper()
		leaks, err := marts.TodaySumLeaks(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range leaks {
			got = append(got, f.Indicator+"/"+f.Region)
		}
		if !slices.Equal(got, want) {
			t.Errorf("leaks = %v, want %v", got, want)
		}
	}
	// Shown with a suppressed part: 3907 of state 1 gives 0719 away. The
	// same sum in state 2, where 0719 is shown, does not.
	check([]string{"bosatte/3907"})
	// Suppressed as the builder does, or not stated because of a split.
	for _, status := range []string{":", "."} {
		if _, err := db.Exec(`UPDATE indikator_dagens_inndeling SET status = ? WHERE data_per = '2017-03-01' AND region = '3907'`, status); err != nil {
			t.Fatal(err)
		}
		check(nil)
	}
}
