package marts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"

	"integstat/load/sqlmodel"
	"integstat/sql"
)

// Project parses the embedded SQL models, data tests and the declarations
// beside them. The relations the Go side provides to the models are
// declared in sql/sources.txt; their providers are prepare (aar, the
// reference tables and indikator_katalog: loadReference; the sources:
// sourceView, named by contract's Table.Relation), publishInputs (historikk, publisering,
// ledger_loads, parquet_rows) and writeFiles (the output publikasjon).
func Project() (*sqlmodel.Project, error) {
	return sqlmodel.Parse(sql.Files, ".")
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
