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

	"integstat/load/warehouse"
)

// Manifest describes a delivered extract: what project asked, under which
// approval, spec and key, from which data state, how much was generalised
// and suppressed, and every file with its rows and sha256. It holds no
// time, so a re-run writes the same bytes.
type Manifest struct {
	Project  string `json:"project"`
	Approval string `json:"approval"`
	// Registration is the project's registration; Extract counts the
	// registration's extracts, this one included.
	Registration   string           `json:"registration"`
	Extract        int              `json:"extract"`
	SpecHash       string           `json:"spec_hash"`
	KeyID          string           `json:"key_id"`
	KeyDerivation  string           `json:"key_derivation"`
	K              int              `json:"k"`
	MaxSuppression float64          `json:"max_suppression"`
	DataState      []StateRef       `json:"data_state"`
	Generalisation []Generalisation `json:"generalisation"`
	// QIUnion is every table.variable of a quasi-identifier delivered to
	// the registration, by this extract and the earlier ones: what k was
	// checked against.
	QIUnion []string    `json:"qi_union"`
	Persons PersonLoss  `json:"persons"`
	Tables  []TableLoss `json:"tables"`
	Files   []File      `json:"files"`
}

// StateRef is the data state of one source an extract read: the state's
// date and the deliveries it consists of.
type StateRef struct {
	Source     string   `json:"source"`
	Date       string   `json:"date"`
	Deliveries []string `json:"deliveries"`
}

// Generalisation is what became of one quasi-identifier's values: each
// person's values are generalised to a level of their own (local
// recoding), so the manifest gives the values (in rows delivered) at each
// level and those of suppressed persons.
type Generalisation struct {
	Variable string   `json:"variable"`
	Levels   []string `json:"levels"`
	MaxLevel string   `json:"max_level"`
	Weight   float64  `json:"weight"`
	// Checked is set for a quasi-identifier checked but not written (the
	// date a written duration is computed from).
	Checked         bool         `json:"checked_only,omitempty"`
	Values          []LevelShare `json:"values"`
	Suppressed      int64        `json:"values_suppressed"`
	SuppressedShare float64      `json:"share_suppressed"`
}

// LevelShare is how many of a quasi-identifier's values went out at one
// level, and their share of all its values.
type LevelShare struct {
	Level  string  `json:"level"`
	Values int64   `json:"values"`
	Share  float64 `json:"share"`
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
	// SmallestGroup is the fewest persons sharing a signature among the
	// persons delivered (with what earlier extracts delivered to them).
	SmallestGroup int64 `json:"smallest_group"`
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

// dataStateText is the data state in one line, for the audit log.
func (m *Manifest) dataStateText() string {
	parts := make([]string, len(m.DataState))
	for i, s := range m.DataState {
		parts[i] = s.Source + " " + strings.Join(s.Deliveries, "+")
	}
	return strings.Join(parts, "; ")
}

// auditRecord is the audit-log entry of the extract.
func (m *Manifest) auditRecord(outcome warehouse.ExtractOutcome, detail, out string) warehouse.Extract {
	e := warehouse.Extract{Project: m.Project, Approval: m.Approval, SpecHash: m.SpecHash, KeyID: m.KeyID,
		DataState: m.dataStateText(), Rows: m.rows(), Suppressed: m.suppressed(), Outcome: outcome, Detail: detail,
		OutDir: out, Checksums: map[string]string{}, Registration: m.Registration, QIUnion: strings.Join(m.QIUnion, ", ")}
	if outcome != warehouse.ExtractDelivered {
		e.Rows = 0
	}
	for _, f := range m.Files {
		e.Checksums[f.Name] = f.SHA256
	}
	return e
}

// write writes every table at the chosen levels, without the suppressed
// persons, then the codebook and the manifest.
func (x *extractor) write(ctx context.Context, out string) error {
	// One thread writes each file, so that the row groups, and so the
	// bytes, never depend on scheduling.
	if err := x.exec(ctx, "SET threads = 1; SET preserve_insertion_order = true"); err != nil {
		return err
	}
	for i, wt := range x.tables {
		var sel []string
		from := fmt.Sprintf("w%d JOIN lv ON lv.u = %s", i, unit(i))
		for _, j := range wt.qis {
			from += fmt.Sprintf(" LEFT JOIN g%d ON g%d.v = CAST(w%d.%s AS VARCHAR)", j, j, i, ident(x.qis[j].name))
		}
		for c, v := range wt.vars[:wt.hidden] {
			col := fmt.Sprintf("w%d.%s", i, ident(v.Name))
			j := x.qiIndex(v.Name)
			switch d := wt.derive[c]; {
			case c == 0:
			case j >= 0 && x.qis[j].household:
				col = fmt.Sprintf("CASE WHEN lv.l%d = 0 THEN %s END", j, col)
			case j >= 0:
				col = x.valueSQL(j)
			case d[0] >= 0 && d[1] >= 0:
				col = durationSQL(col, d[0], d[1])
			}
			sel = append(sel, col+" AS "+ident(v.Name))
		}
		q := fmt.Sprintf("CREATE TEMP TABLE o%d AS SELECT %s FROM %s WHERE NOT %s", i, strings.Join(sel, ", "), from, gone(i, unit(i)))
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
	cb := x.codebook()
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

// durationSQL is a duration (col, computed from the dates of
// quasi-identifiers a and b) given only as precisely as the coarser of the
// two dates goes out for the person: in days while both are exact
// ("61"), else as the whole months ("P2M") or years ("P1Y") between the
// generalised dates, and All with either at All. So it tells nothing that
// the generalised dates do not.
func durationSQL(col string, a, b int) string {
	l := fmt.Sprintf("greatest(lv.l%d, lv.l%d)", a, b)
	da, db := fmt.Sprintf("g%d.ls[%s + 1]", a, l), fmt.Sprintf("g%d.ls[%s + 1]", b, l)
	month := func(d string) string {
		return fmt.Sprintf("(CAST(substr(%s, 1, 4) AS INTEGER) * 12 + CAST(substr(%s, 6, 2) AS INTEGER))", d, d)
	}
	year := func(d string) string { return fmt.Sprintf("CAST(substr(%s, 1, 4) AS INTEGER)", d) }
	return fmt.Sprintf(`CASE WHEN %s >= 3 THEN '%s' WHEN %s IS NULL THEN NULL WHEN %s = 0 THEN CAST(%s AS VARCHAR)
		WHEN %s = 1 THEN 'P' || (%s - %s) || 'M' ELSE 'P' || (%s - %s) || 'Y' END`,
		l, All, col, l, col, l, month(db), month(da), year(db), year(da))
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
