package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"integstat/extract/delivery"
)

// DefaultRowGroupRows is the row group length when Options leaves it 0:
// large enough for good compression and statistics, small enough that one
// buffered row group of the widest table stays far below the memory bound.
const DefaultRowGroupRows = 1 << 20

// Options tunes a Writer; the zero value is the production setting.
type Options struct {
	// Part is n in part-<n>.parquet. A re-run writing the same part of a
	// delivery replaces the earlier file whole.
	Part int
	// RowGroupRows is the number of rows per row group (0: DefaultRowGroupRows).
	RowGroupRows int64
	// ZstdLevel is the zstd compression level (0: the codec's default).
	ZstdLevel int
	// KeyID is the id of the pseudonymisation key (never the key), stored
	// in the file's metadata as integstat.key_id so every output says which
	// key made its pseudonyms.
	KeyID string
}

// Info describes a finished file.
type Info struct {
	Path   string // final path of the file
	Rows   int64  // data rows
	Bytes  int64  // file size
	SHA256 string // hex digest of the file's bytes
}

// Writer streams records into one Parquet file of a delivery's partition.
// Nothing is visible under the final name until Close succeeds.
type Writer struct {
	fw    *pqarrow.FileWriter
	out   *delivery.FileWriter // temporary file, digest, rename
	bytes int64
	rows  int64
	path  string
	done  bool
}

// sink counts the bytes on their way to the file. It is deliberately not an
// io.Closer, so the Parquet writer leaves closing to Writer.Close.
type sink struct{ w *Writer }

func (s sink) Write(p []byte) (int, error) {
	n, err := s.w.out.Write(p)
	s.w.bytes += int64(n)
	return n, err
}

// Create starts <root>/<source>/<table>/delivery_id=<deliveryID>/part-<n>.parquet
// with the given schema (normally Schema of the table), zstd-compressed,
// with statistics, in row groups of opt.RowGroupRows rows. The file is
// written under a temporary name in the same directory.
func Create(root, source, table, deliveryID string, schema *arrow.Schema, opt Options) (*Writer, error) {
	for _, seg := range []struct{ what, v string }{{"source", source}, {"table", table}, {"delivery id", deliveryID}} {
		if err := checkSegment(seg.v); err != nil {
			return nil, fmt.Errorf("parquet: %s: %w", seg.what, err)
		}
	}
	if opt.Part < 0 {
		return nil, fmt.Errorf("parquet: part %d is negative", opt.Part)
	}
	if opt.RowGroupRows <= 0 {
		opt.RowGroupRows = DefaultRowGroupRows
	}
	dir := PartitionDir(root, source, table, deliveryID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("parquet: create partition: %w", err)
	}
	name := partName(opt.Part)
	out, err := delivery.Create(dir, name)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	w := &Writer{out: out, path: filepath.Join(dir, name)}
	props := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithStats(true),
		parquet.WithDictionaryDefault(true),
		parquet.WithMaxRowGroupLength(opt.RowGroupRows),
		parquet.WithCreatedBy("integstat"),
		// source_line is unique and ascending: a dictionary only costs a
		// hash per row before it overflows, and deltas store it in a few
		// bits a row.
		parquet.WithDictionaryFor(SourceLineColumn, false),
		parquet.WithEncodingFor(SourceLineColumn, parquet.Encodings.DeltaBinaryPacked),
	}
	// Timestamps (registration times) hardly repeat: a dictionary only
	// costs a hash per value before it overflows.
	for _, f := range schema.Fields() {
		if f.Type.ID() == arrow.TIMESTAMP {
			props = append(props, parquet.WithDictionaryFor(f.Name, false))
		}
	}
	if opt.ZstdLevel != 0 {
		props = append(props, parquet.WithCompressionLevel(opt.ZstdLevel))
	}
	fw, err := pqarrow.NewFileWriter(schema, sink{w}, parquet.NewWriterProperties(props...), pqarrow.DefaultWriterProps())
	if err != nil {
		w.Abort()
		return nil, fmt.Errorf("parquet: %s: %w", w.path, err)
	}
	w.fw = fw
	meta := [][2]string{{"integstat.source", source}, {"integstat.table", table}, {"integstat.delivery_id", deliveryID}}
	if opt.KeyID != "" {
		meta = append(meta, [2]string{"integstat.key_id", opt.KeyID})
	}
	for _, kv := range meta {
		if err := fw.AppendKeyValueMetadata(kv[0], kv[1]); err != nil {
			w.Abort()
			return nil, fmt.Errorf("parquet: %s: metadata: %w", w.path, err)
		}
	}
	return w, nil
}

// Write adds the rows of rec, whose schema must be the Writer's. Rows are
// buffered up to one row group, then compressed and written out. A failed
// Write aborts the file: it could not be completed correctly.
func (w *Writer) Write(rec arrow.RecordBatch) error {
	if w.done {
		return fmt.Errorf("parquet: %s: write after close or abort", w.path)
	}
	if err := w.fw.WriteBuffered(rec); err != nil {
		w.Abort()
		return fmt.Errorf("parquet: %s: %w", w.path, err)
	}
	w.rows += rec.NumRows()
	return nil
}

// Close finishes the file, syncs it, renames it to its final name
// (replacing an earlier file of the same part) and syncs the directory, so
// the file is visible only complete and stays so after a crash.
func (w *Writer) Close() (Info, error) {
	if w.done {
		return Info{}, fmt.Errorf("parquet: %s: close after close or abort", w.path)
	}
	err := w.fw.Close()
	if err != nil {
		w.Abort()
		return Info{}, fmt.Errorf("parquet: %s: finish: %w", w.path, err)
	}
	// Flushes, syncs and renames; removes the temporary file on error.
	f, err := w.out.Close()
	if err != nil {
		w.done = true
		return Info{}, fmt.Errorf("parquet: %w", err)
	}
	w.done = true
	dir := filepath.Dir(w.path)
	// Sync the partition directory (the rename) and its parent (a new
	// partition's entry).
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := syncDir(d); err != nil {
			return Info{}, fmt.Errorf("parquet: %s: sync directory: %w", w.path, err)
		}
	}
	return Info{Path: w.path, Rows: w.rows, Bytes: w.bytes, SHA256: f.SHA256}, nil
}

// Abort gives up the file: the temporary file is removed and nothing
// appears under the final name. It is safe to call after Close.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	if w.fw != nil {
		w.fw.Close() // release buffers; the bytes go to a file about to be removed
	}
	w.out.Abort()
}

// syncDir fsyncs a directory so entries renamed or created in it persist.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkSegment refuses a name that would not be one plain path segment of
// the layout.
func checkSegment(s string) error {
	switch {
	case s == "":
		return errors.New("empty")
	case strings.HasPrefix(s, "."):
		return errors.New("starts with a dot")
	case strings.ContainsAny(s, "/\\=\x00"):
		return errors.New("contains a path separator, '=' or NUL")
	}
	return nil
}
