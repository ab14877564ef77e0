package delivery

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// VerifyError lists every problem Verify found in a delivery, each naming
// the file and what disagreed. Any problem rejects the whole delivery.
type VerifyError struct {
	Dir      string
	Problems []error
}

// Error lists the problems one per line after a summary line.
func (e *VerifyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "delivery %s rejected, %d problem(s):", e.Dir, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (e *VerifyError) Unwrap() []error { return e.Problems }

// Verify checks a delivery directory before any row is read: the manifest is
// present and parseable, its source and delivery_id agree with the directory
// names <inbox>/<source>/<delivery_id> and with extracted_at, every file it
// names is present, and each file's sha256 and data-record count agree with
// it. Records are counted as the readers count them (a quoted field may span
// lines; a malformed record still counts). It returns the manifest, when it
// could be read, and a *VerifyError listing every problem found.
func Verify(dir string) (Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return Manifest{}, &VerifyError{Dir: dir, Problems: []error{err}}
	}
	var problems []error
	add := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf(format, args...))
	}

	abs, err := filepath.Abs(dir)
	if err != nil {
		return m, fmt.Errorf("delivery %s: %w", dir, err)
	}
	if want := filepath.Base(filepath.Dir(abs)); m.Source != want {
		add("%s: source: manifest says %q, directory says %q", ManifestName, m.Source, want)
	}
	if want := filepath.Base(abs); m.DeliveryID != want {
		add("%s: delivery_id: manifest says %q, directory says %q", ManifestName, m.DeliveryID, want)
	}
	if _, err := ParseDeliveryID(m.DeliveryID); err != nil {
		add("%s: %w", ManifestName, err)
	}
	if at, err := time.Parse(time.RFC3339, m.ExtractedAt); err != nil {
		add("%s: extracted_at %q: want RFC 3339 with offset", ManifestName, m.ExtractedAt)
	} else if id := DeliveryID(at); id != m.DeliveryID {
		add("%s: extracted_at %s is delivery id %s, manifest says %q", ManifestName, m.ExtractedAt, id, m.DeliveryID)
	}
	if len(m.Files) == 0 {
		add("%s: lists no files", ManifestName)
	}

	listed := map[string]bool{ManifestName: true}
	for _, f := range m.Files {
		if err := checkFileName(f.Name); err != nil || f.Name == ManifestName {
			add("%s: file name %q: want a plain file name other than %s", ManifestName, f.Name, ManifestName)
			continue
		}
		if listed[f.Name] {
			add("%s: file %s listed twice", ManifestName, f.Name)
			continue
		}
		listed[f.Name] = true
		problems = append(problems, verifyFile(dir, f)...)
	}
	warnUnlisted(dir, listed)
	if len(problems) > 0 {
		return m, &VerifyError{Dir: dir, Problems: problems}
	}
	return m, nil
}

// verifyFile checks one listed file's presence, record count and checksum.
func verifyFile(dir string, f File) []error {
	var problems []error
	if f.Rows < 0 {
		problems = append(problems, fmt.Errorf("%s: rows: manifest says %d, want 0 or more", f.Name, f.Rows))
	}
	want := strings.ToLower(f.SHA256)
	if len(want) != sha256.Size*2 || strings.Trim(want, "0123456789abcdef") != "" {
		problems = append(problems, fmt.Errorf("%s: sha256: manifest says %q, want %d hex digits", f.Name, f.SHA256, sha256.Size*2))
	}
	fh, err := os.Open(filepath.Join(dir, f.Name))
	if errors.Is(err, os.ErrNotExist) {
		return append(problems, fmt.Errorf("%s: listed in the manifest but missing", f.Name))
	}
	if err != nil {
		return append(problems, fmt.Errorf("%s: %w", f.Name, err))
	}
	defer fh.Close()

	h := sha256.New()
	rows, err := countRecords(io.TeeReader(fh, h), f.Name)
	if err != nil {
		problems = append(problems, fmt.Errorf("%s: cannot count rows: %w", f.Name, err))
	} else if rows != f.Rows {
		problems = append(problems, fmt.Errorf("%s: rows: manifest says %d, file has %d", f.Name, f.Rows, rows))
	}
	if _, err := io.Copy(h, fh); err != nil { // whatever the counting left unread
		return append(problems, fmt.Errorf("%s: %w", f.Name, err))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		problems = append(problems, fmt.Errorf("%s: sha256: manifest says %s, file has %s", f.Name, f.SHA256, got))
	}
	return problems
}

// countRecords counts the data records of a delivered file the way its
// reader reads them, choosing the format by the file name.
func countRecords(r io.Reader, name string) (int64, error) {
	var next func() error
	switch {
	case strings.HasSuffix(name, ".csv"):
		cr, err := NewCSVReader(r, name)
		if err != nil {
			return 0, err
		}
		next = func() error { _, err := cr.parse(); return err }
	case strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".jsonl.gz"):
		jr, err := NewJSONLReader(r, name)
		if err != nil {
			return 0, err
		}
		next = func() error { _, err := jr.nextLine(); return err }
	default:
		return 0, errors.New("unknown file type; want .csv, .jsonl or .jsonl.gz")
	}
	var n int64
	for {
		err := next()
		if err == io.EOF {
			return n, nil
		}
		if _, ok := err.(*RowError); err != nil && !ok {
			return n, err
		}
		n++ // a malformed record is a row too: it goes to quarantine
	}
}

// warnUnlisted logs files in dir that the manifest does not list; they are
// ignored, not loaded.
func warnUnlisted(dir string, listed map[string]bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // the listed files' checks already report an unreadable directory
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			slog.Warn("file in delivery not listed in its manifest; ignored", "dir", dir, "file", e.Name())
		}
	}
}
