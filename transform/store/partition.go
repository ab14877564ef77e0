package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The partition layout is written here once: Create writes by it,
// Partitions lists by it, and package warehouse hands it to the readers.
//
//	<root>/<source>/<table>/delivery_id=<delivery id>/part-<n>.parquet
const (
	partitionKey = DeliveryIDColumn + "=" // Hive-style: the partition's column and value
	partPrefix   = "part-"
	partSuffix   = ".parquet"
)

// PartitionDir is the directory of one delivery's partition of a table.
func PartitionDir(root, source, table, deliveryID string) string {
	return filepath.Join(root, source, table, partitionKey+deliveryID)
}

// PartGlob is the glob pattern (filepath.Glob's and DuckDB's) of the
// finished part files of one delivery's partition of a table; "*" for
// source, table or deliveryID matches every one. Temporary files of a
// running or crashed writer do not match.
func PartGlob(root, source, table, deliveryID string) string {
	return filepath.Join(PartitionDir(root, source, table, deliveryID), partPrefix+"*"+partSuffix)
}

// ReadSQL is DuckDB's table expression that reads the part files given (a
// listing's, such as Partitions'): by column name, since a later delivery
// may carry columns an earlier one lacks, and without hive partitioning,
// since the delivery id in the path is no column of the rows.
func ReadSQL(files []string) string {
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = "'" + strings.ReplaceAll(f, "'", "''") + "'"
	}
	return "read_parquet([" + strings.Join(quoted, ", ") + "], hive_partitioning = false, union_by_name = true)"
}

// PartPathRegexp matches the end of a part file's path (with '/'
// separators, as DuckDB reports file names) and captures, in this order,
// the source, the table and the delivery id, for SQL that reads the
// layout from file names (regexp_extract).
const PartPathRegexp = `([^/]+)/([^/]+)/` + partitionKey + `([^/]+)/` + partPrefix + `[^/]*\` + partSuffix + `$`

// partName is the name of part n of a partition.
func partName(n int) string { return partPrefix + strconv.Itoa(n) + partSuffix }

// Partition is one delivery's complete files of a table.
type Partition struct {
	DeliveryID string
	Dir        string
	Files      []string // paths of the part-<n>.parquet files, in name order
}

// Partitions lists the partitions of source's table under root in
// delivery id order (the ids are extraction times, so that is time order).
// Only finished files count: temporary files of a writer that is running
// or crashed are skipped, and a partition with no finished file is left
// out. A table never written has no partitions and no error.
func Partitions(root, source, table string) ([]Partition, error) {
	tableDir := filepath.Dir(PartitionDir(root, source, table, ""))
	entries, err := os.ReadDir(tableDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("parquet: list partitions: %w", err)
	}
	var out []Partition
	for _, e := range entries {
		id, ok := strings.CutPrefix(e.Name(), partitionKey)
		if !ok || !e.IsDir() {
			continue
		}
		dir := filepath.Join(tableDir, e.Name())
		files, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("parquet: list partition: %w", err)
		}
		p := Partition{DeliveryID: id, Dir: dir}
		for _, f := range files {
			if isPart(f.Name()) && f.Type().IsRegular() {
				p.Files = append(p.Files, filepath.Join(dir, f.Name()))
			}
		}
		if len(p.Files) > 0 {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DeliveryID < out[j].DeliveryID })
	return out, nil
}

// isPart reports whether name is a finished data file's name.
func isPart(name string) bool {
	return strings.HasPrefix(name, partPrefix) && strings.HasSuffix(name, partSuffix)
}

// isTemp reports whether name is a file being written: delivery.Create's
// temporary name for a part, ".part-<n>.parquet.tmp-<random>".
func isTemp(name string) bool {
	rest, ok := strings.CutPrefix(name, ".")
	return ok && isPart(rest[:max(strings.Index(rest, ".tmp-"), 0)])
}

// CleanTemp removes the temporary files that writers which crashed or were
// never closed left anywhere under root, and returns how many it removed.
// Run it when no Writer is working under root (at the start of a run): it
// would remove a running writer's file too.
func CleanTemp(root string) (int, error) {
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return fs.SkipAll
			}
			return err
		}
		if d.Type().IsRegular() && isTemp(d.Name()) {
			if err := os.Remove(path); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("parquet: clean temporary files: %w", err)
	}
	return n, nil
}
