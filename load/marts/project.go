package marts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"

	"integstat/load/sqlmodel"
	"integstat/sql"
)

// externals are the relations the Go side provides to the models.
var externals = []string{
	"aar", "ref_region", "ref_kommune_aar", "ref_kommune_dagens", "ref_region_kode", "indikator_katalog",
	"src_nir_personer", "src_nir_introprogram", "src_nir_norskopplaering", "src_nir_timer",
	"src_bosetting_personer", "src_bosetting_anmodninger", "src_tolk_tolk", "src_tolk_sprak",
	"historikk", "publisering", "ledger_loads", "parquet_rows",
}

// Project parses the embedded SQL models and data tests.
func Project() (*sqlmodel.Project, error) {
	return sqlmodel.Parse(sql.Files, ".", externals)
}

// modelsHash identifies the SQL and the catalogue a state was computed
// with, so that a new version of them recomputes every state.
func modelsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(sql.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sql.Files, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16], err
}

// currentMethod is the method version of the models (sql/metode.txt); a
// variable so that a test can play a bump of it.
var currentMethod = sql.CurrentMethod
