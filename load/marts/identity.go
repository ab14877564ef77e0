package marts

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"

	"integstat/extract/contract"
	"integstat/internal/duckappend"
	"integstat/load/warehouse"
	"integstat/transform/pseudo"
	"integstat/transform/store"
)

// ProtectedPersons creates the temporary table named table (one column,
// person) of the persons with protected identity: every person whose row
// has the contract's Protected flag (settlement's skjult_identitet) in any
// delivery the warehouse holds, under every key the person has had (a link
// found later, e.g. the DUF number of a person first seen in NIR, replaces
// a key: the warehouse's person merges). A person is one person across
// sources, so these persons count in the nation only in every indicator of
// every source and are never in a research extract. Once protected in any
// delivery, protected in every data state: the states are published
// together.
func ProtectedPersons(ctx context.Context, conn *sql.Conn, wh *warehouse.Warehouse, table string) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+table+` (person VARCHAR NOT NULL)`); err != nil {
		return fmt.Errorf("marts: protected persons: %w", err)
	}
	var flagged []string
	for _, tb := range contract.TablesWith(contract.Protected) {
		ps, err := flaggedPersons(ctx, conn, wh, tb)
		if err != nil {
			return err
		}
		flagged = append(flagged, ps...)
	}
	if len(flagged) == 0 {
		return nil
	}
	merges, err := wh.ReadMerges()
	if err != nil {
		return fmt.Errorf("marts: %w", err)
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

// flaggedPersons returns the persons whose rows of tb carry the Protected
// flag in any delivery.
func flaggedPersons(ctx context.Context, conn *sql.Conn, wh *warehouse.Warehouse, tb *contract.Table) ([]string, error) {
	ps, err := wh.Partitions(tb.Source, tb.Name)
	if err != nil {
		return nil, fmt.Errorf("marts: protected persons: %w", err)
	}
	var files []string
	for _, p := range ps {
		files = append(files, p.Files...)
	}
	if len(files) == 0 {
		return nil, nil
	}
	rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT person FROM %s WHERE %s AND person IS NOT NULL`,
		store.ReadSQL(files), tb.Cols[tb.ColumnOf(contract.Protected)].Name))
	if err != nil {
		return nil, fmt.Errorf("marts: protected persons: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("marts: protected persons: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("marts: protected persons: %w", err)
	}
	return out, nil
}

// sameKeys returns, sorted, the keys of persons and every key a merge
// joins to one of them (directly or through other merges).
func sameKeys(persons []string, merges []pseudo.Merge) []string {
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
		if a, b := find(m.Old), find(m.New); a != b {
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
		for _, k := range [2]string{m.Old, m.New} {
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
// with the kommunes that place a protected person (contract role
// PersonKommune) emptied on the person's rows, so the models count them in
// the nation only, and the Protected flag (settlement's skjult_identitet)
// set for the person in every data state.
func maskProtected(tb *contract.Table) string {
	if tb.ColumnOf(contract.PersonID) < 0 {
		return "*" // a table about no person (anmodninger, tolk_sprak)
	}
	prot := "person IN (SELECT person FROM " + protectedTable + ")"
	var repl []string
	for _, c := range tb.Cols {
		switch c.Role {
		case contract.PersonKommune:
			repl = append(repl, fmt.Sprintf("CASE WHEN %s THEN NULL ELSE %s END AS %s", prot, c.Name, c.Name))
		case contract.Protected:
			repl = append(repl, fmt.Sprintf("coalesce(%s, false) OR %s AS %s", c.Name, prot, c.Name))
		}
	}
	if len(repl) == 0 {
		return "*"
	}
	return "* REPLACE (" + strings.Join(repl, ", ") + ")"
}
