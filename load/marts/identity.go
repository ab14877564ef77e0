package marts

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"integstat/extract/contract"
	"integstat/internal/duckappend"
	"integstat/load/warehouse"
)

// ProtectedPersons creates the temporary table named table (one column,
// person) of the persons with protected identity: every person whose
// settlement row has skjult_identitet in any delivery the warehouse holds,
// under every key the person has had (a link found later, e.g. the DUF
// number of a person first seen in NIR, replaces a key: the warehouse's
// person merges). A person is one person across sources, so these persons
// count in the nation only in every indicator of every source and are
// never in a research extract. Once protected in any delivery, protected
// in every data state: the states are published together.
func ProtectedPersons(ctx context.Context, conn *sql.Conn, wh *warehouse.Warehouse, table string) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+table+` (person VARCHAR NOT NULL)`); err != nil {
		return fmt.Errorf("marts: protected persons: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(wh.Parquet(), "bosetting", "personer", "delivery_id=*", "*.parquet"))
	if err != nil || len(files) == 0 {
		return err
	}
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = quote(f)
	}
	rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT person FROM read_parquet([%s], hive_partitioning = false, union_by_name = true)
		WHERE skjult_identitet AND person IS NOT NULL`, strings.Join(quoted, ", ")))
	if err != nil {
		return fmt.Errorf("marts: protected persons: %w", err)
	}
	var flagged []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return fmt.Errorf("marts: protected persons: %w", err)
		}
		flagged = append(flagged, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("marts: protected persons: %w", err)
	}
	merges, err := readMerges(wh.PersonMerges())
	if err != nil {
		return err
	}
	keys := sameKeys(flagged, merges)
	out := make([][]driver.Value, len(keys))
	for i, k := range keys {
		out[i] = []driver.Value{k}
	}
	if err := duckappend.Rows(ctx, conn, table, out); err != nil {
		return fmt.Errorf("marts: protected persons: %w", err)
	}
	return nil
}

// readMerges reads the warehouse's person merges as pairs old, new; a
// warehouse whose identity map never merged has none.
func readMerges(path string) ([][2]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("marts: person merges: %w", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("marts: person merges %s: %w", path, err)
	}
	var out [][2]string
	for _, r := range recs[min(1, len(recs)):] {
		if len(r) != 2 {
			return nil, fmt.Errorf("marts: person merges %s: a line of %d fields", path, len(r))
		}
		out = append(out, [2]string{r[0], r[1]})
	}
	return out, nil
}

// sameKeys returns, sorted, the keys of persons and every key a merge
// joins to one of them (directly or through other merges).
func sameKeys(persons []string, merges [][2]string) []string {
	parent := map[string]string{}
	var find func(string) string
	find = func(k string) string {
		p, ok := parent[k]
		if !ok || p == k {
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	for _, m := range merges {
		if a, b := find(m[0]), find(m[1]); a != b {
			parent[a] = b
		}
	}
	roots := map[string]bool{}
	set := map[string]bool{}
	for _, p := range persons {
		roots[find(p)] = true
		set[p] = true
	}
	for _, m := range merges {
		for _, k := range m {
			if roots[find(k)] {
				set[k] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// protectedTable is the temporary table of the build that holds the
// persons of ProtectedPersons.
const protectedTable = "skjult_person"

// maskProtected is the select list of a source view of tb: every column,
// with the kommune of a protected person's rows emptied (so the models
// count them in the nation only) and, in settlement, the person marked
// skjult_identitet in every data state.
func maskProtected(tb *contract.Table) string {
	if _, ok := tb.Column("fnr"); !ok {
		if _, ok := tb.Column("duf"); !ok {
			return "*" // a table about no person (anmodninger)
		}
	}
	prot := "person IN (SELECT person FROM " + protectedTable + ")"
	var repl []string
	for _, c := range []string{"kommunenummer", "bostedskommune"} {
		if _, ok := tb.Column(c); ok {
			repl = append(repl, fmt.Sprintf("CASE WHEN %s THEN NULL ELSE %s END AS %s", prot, c, c))
		}
	}
	if _, ok := tb.Column("skjult_identitet"); ok {
		repl = append(repl, fmt.Sprintf("coalesce(skjult_identitet, false) OR %s AS skjult_identitet", prot))
	}
	if len(repl) == 0 {
		return "*"
	}
	return "* REPLACE (" + strings.Join(repl, ", ") + ")"
}
