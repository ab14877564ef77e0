package tolkdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WatermarkStore keeps the watermark of the last batch written: the greatest
// endret_tidspunkt it held. Load returns the zero time when none is saved.
type WatermarkStore interface {
	Load(ctx context.Context) (time.Time, error)
	Save(ctx context.Context, t time.Time) error
}

// FileWatermark returns a WatermarkStore keeping the watermark in the file
// at path as one RFC 3339 line. Save writes a temporary file beside it,
// syncs it and renames it over path, so a crash leaves either the old
// watermark or the new one, never a torn file.
func FileWatermark(path string) WatermarkStore { return fileWatermark(path) }

type fileWatermark string

func (f fileWatermark) Load(ctx context.Context) (time.Time, error) {
	b, err := os.ReadFile(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("tolkdb: reading the watermark: %w", err)
	}
	text := strings.TrimSpace(string(b))
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return time.Time{}, fmt.Errorf("tolkdb: %s:1: the watermark %q is not an RFC 3339 time", string(f), text)
	}
	return t, nil
}

func (f fileWatermark) Save(ctx context.Context, t time.Time) error {
	path := string(f)
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("tolkdb: saving the watermark: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.WriteString(t.Format(time.RFC3339Nano) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("tolkdb: saving the watermark to %s: %w", path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Run makes one delivery: it loads the watermark (ignoring it when the
// source has Options.Full), reads the changes since then, hands the batch
// to write, and saves the batch's watermark only when write returns nil,
// so rows whose write failed are read again next time.
func Run(ctx context.Context, s *Source, wm WatermarkStore, write func(context.Context, *Batch) error) error {
	since, err := wm.Load(ctx)
	if err != nil {
		return err
	}
	if s.opt.Full {
		since = time.Time{}
	}
	b, err := s.Read(ctx, since)
	if err != nil {
		return err
	}
	if err := write(ctx, b); err != nil {
		return fmt.Errorf("tolkdb: writing the delivery extracted at %s (watermark kept): %w",
			b.ExtractedAt.Format(time.RFC3339), err)
	}
	if err := wm.Save(ctx, b.Watermark); err != nil {
		return err
	}
	return nil
}
