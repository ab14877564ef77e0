package delivery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // Oslo must load on machines without a zoneinfo database.
)

// ManifestName is the file name of a delivery's manifest.
const ManifestName = "manifest.json"

// deliveryIDLayout is the time layout of a delivery id: YYYYMMDDTHHMMSS.
const deliveryIDLayout = "20060102T150405"

// Oslo is the Europe/Oslo time zone, in which delivery ids, CSV timestamps and
// the sources' local times are expressed.
var Oslo = mustLoadLocation("Europe/Oslo")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("delivery: load time zone %s: %v", name, err))
	}
	return loc
}

// Manifest is a delivery's manifest.json: which system delivered, when it was
// extracted, and the files with their data-row counts and checksums.
type Manifest struct {
	Source      string `json:"source"`
	DeliveryID  string `json:"delivery_id"`  // YYYYMMDDTHHMMSS, Europe/Oslo
	ExtractedAt string `json:"extracted_at"` // RFC 3339 with offset, e.g. 2018-03-01T02:00:00+01:00
	Files       []File `json:"files"`
}

// File is one data file's entry in a manifest. Rows counts data records, not
// the header and not physical lines; SHA256 is the lower-case hex digest of
// the file's bytes as stored (compressed, for .gz files).
type File struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// ReadManifest reads and parses dir/manifest.json. A missing manifest gives an
// error that matches os.ErrNotExist, so callers can tell a delivery still
// arriving from a corrupt one.
func ReadManifest(dir string) (Manifest, error) {
	path := filepath.Join(dir, ManifestName)
	data, err := os.ReadFile(path)
	if err != nil {
		return Manifest{}, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("%s: parse manifest: %w", path, err)
	}
	if dec.More() {
		return Manifest{}, fmt.Errorf("%s: parse manifest: data after the JSON object", path)
	}
	return m, nil
}

// WriteManifest writes m as dir/manifest.json with stable formatting (two-space
// indent, trailing newline). It writes a temporary file and renames it into
// place, so a reader never sees a partial manifest; writing the manifest last
// is what marks a delivery complete.
func WriteManifest(dir string, m Manifest) error {
	if m.Files == nil {
		m.Files = []File{} // "files": [] rather than null
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	data = append(data, '\n')
	f, err := Create(dir, ManifestName)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	if _, err := f.Close(); err != nil {
		return err
	}
	return nil
}

// DeliveryID formats t, taken in Europe/Oslo, as a delivery id
// (YYYYMMDDTHHMMSS). Sub-second precision is dropped.
func DeliveryID(t time.Time) string {
	return t.In(Oslo).Format(deliveryIDLayout)
}

// ParseDeliveryID parses a delivery id as a time in Europe/Oslo. In the hour
// that repeats when summer time ends the id is ambiguous; the manifest's
// extracted_at, which carries the offset, is the exact time.
func ParseDeliveryID(id string) (time.Time, error) {
	t, err := time.ParseInLocation(deliveryIDLayout, id, Oslo)
	if err != nil || t.Format(deliveryIDLayout) != id {
		return time.Time{}, fmt.Errorf("delivery id %q: want YYYYMMDDTHHMMSS, a valid Europe/Oslo local time", id)
	}
	return t, nil
}
