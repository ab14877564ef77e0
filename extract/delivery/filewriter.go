package delivery

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
)

// FileWriter writes one file of a delivery. It writes under a temporary name
// in the target directory, computes the sha256 of the bytes as they stream
// through, and on Close renames the file into place, so a file is either
// complete under its final name or absent.
type FileWriter struct {
	dir, name string
	tmp       *os.File
	buf       *bufio.Writer
	hash      hash.Hash
	rows      int64
	done      bool
}

// Create starts writing dir/name. The name must be a plain file name.
func Create(dir, name string) (*FileWriter, error) {
	if err := checkFileName(name); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	return &FileWriter{
		dir:  dir,
		name: name,
		tmp:  tmp,
		buf:  bufio.NewWriterSize(tmp, 256<<10),
		hash: sha256.New(),
	}, nil
}

// checkFileName rejects names that are not a plain file name in the delivery
// directory, such as paths and "..", which a manifest must never point at.
func checkFileName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || filepath.Base(name) != name {
		return fmt.Errorf("file name %q: want a plain file name", name)
	}
	return nil
}

// Write writes p to the file and adds it to the checksum.
func (f *FileWriter) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("write %s: file already closed", f.name)
	}
	n, err := f.buf.Write(p)
	f.hash.Write(p[:n])
	if err != nil {
		return n, fmt.Errorf("write %s: %w", f.name, err)
	}
	return n, nil
}

// SetRows records the number of data rows written, for the manifest entry.
// Only the format writer on top knows what a record is.
func (f *FileWriter) SetRows(n int64) { f.rows = n }

// Close flushes and syncs the file, renames it to its final name and returns
// its manifest entry. On error the temporary file is removed.
func (f *FileWriter) Close() (File, error) {
	if f.done {
		return File{}, fmt.Errorf("close %s: file already closed", f.name)
	}
	f.done = true
	err := f.buf.Flush()
	if err == nil {
		err = f.tmp.Sync()
	}
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), filepath.Join(f.dir, f.name))
	}
	if err != nil {
		os.Remove(f.tmp.Name())
		return File{}, fmt.Errorf("close %s: %w", f.name, err)
	}
	return File{Name: f.name, Rows: f.rows, SHA256: hex.EncodeToString(f.hash.Sum(nil))}, nil
}

// Abort abandons the file and removes its temporary file. It does nothing
// after Close, so it can be deferred.
func (f *FileWriter) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.tmp.Close()
	os.Remove(f.tmp.Name()) // a leftover would only be a dot file no manifest names
}
