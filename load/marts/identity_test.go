package marts_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"integstat/internal/testkit/fixture"
	"integstat/load/publish"
)

// TestProtectedIdentityInNIR checks that a settled person with protected
// identity who is also in NIR, linked through their identity number and
// alone in their NIR kommune, counts in the nation only: no NIR figure of
// that kommune or its fylke, in any data state of either mart, counts
// them, and the national figures do.
func TestProtectedIdentityInNIR(t *testing.T) {
	wh := fixture.Ingest(t, fixture.ProtectedInNIR(t, filepath.Join(smallcases, "inbox")))
	fixture.Build(t, wh, time.Time{})
	for _, file := range []string{publish.AnalysisFile, publish.PublishedFile} {
		db := fixture.OpenMart(t, wh, file)
		// Below the nation the kommune and fylke have nobody in NIR: every
		// count is zero (or suppressed) and no share or mean has a nevner.
		rows, err := db.Query(`SELECT h.indikator, h.aar, h.niva, h.data_per, h.teller, h.nevner
			FROM indikator_historikk h JOIN indikator_katalog k USING (indikator)
			WHERE k.kilde = 'nir' AND ((h.niva = 'kommune' AND h.region = ?) OR (h.niva = 'fylke' AND h.region = ?))
			  AND (coalesce(h.teller, 0) <> 0 OR coalesce(h.nevner, 0) <> 0)`, fixture.ProtectedKommune, fixture.ProtectedFylke)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ind, level string
			var year int
			var per time.Time
			var teller, nevner sql.NullInt64
			if err := rows.Scan(&ind, &year, &level, &per, &teller, &nevner); err != nil {
				t.Fatal(err)
			}
			t.Errorf("%s: %s %d %s (state %s) counts the protected person: teller %v nevner %v",
				file, ind, year, level, per.Format(time.DateOnly), teller, nevner)
		}
		rows.Close()
		// The nation counts them: the hand-computed figures of
		// testdata/smallcases/expected.csv plus one.
		for _, c := range []struct {
			ind  string
			want int64
		}{
			{"intro_deltakere", 11 + 1},
			{"intro_deltakere_3112", 7 + 1},
			{"intro_pabegynt", 5 + 1},
			{"norsk_rp_kohort", 1 + 1},
		} {
			got := fixture.ValueAsOf(t, db, c.ind, 2017, "land", "0", time.Time{})
			if !got.Teller.Valid || got.Teller.Int64 != c.want {
				t.Errorf("%s: %s 2017 land = %v, want %d", file, c.ind, got.Teller, c.want)
			}
		}
	}
}
