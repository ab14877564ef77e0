package research

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"integstat/warehouse"
)

// Manifest describes a delivered extract: what project asked, under which
// approval, spec and key, from which data state, how much was generalised
// and suppressed, and every file with its rows and sha256. It holds no
// time, so a re-run writes the same bytes.
type Manifest struct {
	Project        string           `json:"project"`
	Approval       string           `json:"approval"`
	SpecHash       string           `json:"spec_hash"`
	KeyID          string           `json:"key_id"`
	KeyDerivation  string           `json:"key_derivation"`
	K              int              `json:"k"`
	MaxSuppression float64          `json:"max_suppression"`
	DataState      []StateRef       `json:"data_state"`
	Generalisation []Generalisation `json:"generalisation"`
	Persons        PersonLoss       `json:"persons"`
	Tables         []TableLoss      `json:"tables"`
	Files          []File           `json:"files"`
}

// StateRef is the data state of one source an extract read: the state's
// date and the deliveries it consists of.
type StateRef struct {
	Source     string   `json:"source"`
	Date       string   `json:"date"`
	Deliveries []string `json:"deliveries"`
}

// Generalisation is the level a quasi-identifier was generalised to.
type Generalisation struct {
	Variable  string   `json:"variable"`
	Level     int      `json:"level"`
	LevelName string   `json:"level_name"`
	MaxLevel  string   `json:"max_level"`
	Levels    []string `json:"levels"`
}

// PersonLoss is the extract's persons (in any table) before and after
// suppression: k is met for persons across all tables, so a person is
// suppressed with all their rows in every table. Share is what
// max_suppression limits.
type PersonLoss struct {
	PersonsIn  int64   `json:"persons_in"`
	Suppressed int64   `json:"persons_suppressed"`
	PersonsOut int64   `json:"persons_out"`
	Share      float64 `json:"share_suppressed"`
}

// TableLoss is one table's rows before and after suppression (the rows of
// the suppressed persons).
type TableLoss struct {
	Table      string  `json:"table"`
	RowsIn     int64   `json:"rows_in"`
	Suppressed int64   `json:"rows_suppressed"`
	RowsOut    int64   `json:"rows_out"`
	Share      float64 `json:"share_suppressed"`
}

// File is one output file.
type File struct {
	Name   string `json:"name"`
	Table  string `json:"table,omitempty"`
	Rows   int64  `json:"rows,omitempty"`
	SHA256 string `json:"sha256"`
}

// ManifestFile is the name of the manifest in an extract's directory.
const ManifestFile = "manifest.json"

func (m *Manifest) rows() (n int64) {
	for _, t := range m.Tables {
		n += t.RowsOut
	}
	return n
}

func (m *Manifest) suppressed() (n int64) {
	for _, t := range m.Tables {
		n += t.Suppressed
	}
	return n
}

// levelSummary is the generalisation in one line: "fodselsaar: 5-year band, …".
func (m *Manifest) levelSummary() string {
	parts := make([]string, len(m.Generalisation))
	for i, g := range m.Generalisation {
		parts[i] = g.Variable + ": " + g.LevelName
	}
	return strings.Join(parts, ", ")
}

// dataStateText is the data state in one line, for the audit log.
func (m *Manifest) dataStateText() string {
	parts := make([]string, len(m.DataState))
	for i, s := range m.DataState {
		parts[i] = s.Source + " " + strings.Join(s.Deliveries, "+")
	}
	return strings.Join(parts, "; ")
}

// auditRecord is the audit-log entry of the extract.
func (m *Manifest) auditRecord(outcome, detail, out string) warehouse.Extract {
	e := warehouse.Extract{Project: m.Project, Approval: m.Approval, SpecHash: m.SpecHash, KeyID: m.KeyID,
		DataState: m.dataStateText(), Rows: m.rows(), Suppressed: m.suppressed(), Outcome: outcome, Detail: detail,
		OutDir: out, Checksums: map[string]string{}}
	if outcome != "delivered" {
		e.Rows = 0
	}
	for _, f := range m.Files {
		e.Checksums[f.Name] = f.SHA256
	}
	return e
}

// write writes every table at the chosen levels, without the suppressed
// persons, then the codebook and the manifest.
func (x *extractor) write(ctx context.Context, levels []int, out string) error {
	// One thread writes each file, so that the row groups, and so the
	// bytes, never depend on scheduling.
	if err := x.exec(ctx, "SET threads = 1; SET preserve_insertion_order = true"); err != nil {
		return err
	}
	for i, wt := range x.tables {
		sel := make([]string, len(wt.vars))
		for c, v := range wt.vars {
			sel[c] = fmt.Sprintf("w%d.%s", i, ident(v.Name))
			if j := x.qiIndex(v.Name); j >= 0 && levels[j] > 0 {
				sel[c] = fmt.Sprintf("g%d.l%d AS %s", j, levels[j], ident(v.Name))
			}
		}
		_, from := x.generalised(i, levels)
		where := unit(i) + " NOT IN (SELECT u FROM sup)"
		q := fmt.Sprintf("CREATE TEMP TABLE o%d AS SELECT %s FROM %s WHERE %s", i, strings.Join(sel, ", "), from, where)
		if err := x.exec(ctx, q); err != nil {
			return fmt.Errorf("%w (table %s)", err, wt.t.Name)
		}
		var n int64
		if err := x.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM o%d", i)).Scan(&n); err != nil {
			return fmt.Errorf("research: %w", err)
		}
		if n != x.m.Tables[i].RowsOut {
			return fmt.Errorf("research: %s: %d rows written, %d expected after suppression", wt.t.Name, n, x.m.Tables[i].RowsOut)
		}
		for _, f := range x.p.Formats {
			name := wt.t.Name + "." + f
			opts := "FORMAT csv, HEADER true"
			if f == FormatParquet {
				opts = fmt.Sprintf("FORMAT parquet, COMPRESSION zstd, KV_METADATA {'integstat.project': %s, 'integstat.key_id': %s}",
					literal(x.m.Project), literal(x.m.KeyID))
			}
			if err := x.exec(ctx, fmt.Sprintf("COPY (SELECT * FROM o%d ORDER BY ALL) TO %s (%s)", i, literal(filepath.Join(out, name)), opts)); err != nil {
				return err
			}
			if err := x.addFile(out, name, wt.t.Name, n); err != nil {
				return err
			}
		}
	}
	cb := x.codebook(levels)
	b, err := json.MarshalIndent(cb, "", "  ")
	if err != nil {
		return fmt.Errorf("research: codebook: %w", err)
	}
	if err := writeFile(out, "codebook.json", append(b, '\n')); err != nil {
		return err
	}
	if err := x.addFile(out, "codebook.json", "", 0); err != nil {
		return err
	}
	var md bytes.Buffer
	cb.WriteMarkdown(&md)
	if err := writeFile(out, "codebook.md", md.Bytes()); err != nil {
		return err
	}
	if err := x.addFile(out, "codebook.md", "", 0); err != nil {
		return err
	}
	slices.SortFunc(x.m.Files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	b, err = json.MarshalIndent(x.m, "", "  ")
	if err != nil {
		return fmt.Errorf("research: manifest: %w", err)
	}
	return writeFile(out, ManifestFile, append(b, '\n'))
}

func (x *extractor) qiIndex(name string) int {
	return slices.IndexFunc(x.qis, func(q qi) bool { return q.name == name })
}

// addFile records an output file in the manifest with its sha256.
func (x *extractor) addFile(dir, name, table string, rows int64) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("research: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("research: %s: %w", name, err)
	}
	x.m.Files = append(x.m.Files, File{Name: name, Table: table, Rows: rows, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

func writeFile(dir, name string, b []byte) error {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		return fmt.Errorf("research: %w", err)
	}
	return nil
}
