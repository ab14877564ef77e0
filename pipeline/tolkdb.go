package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"integstat/extract/contract"
	"integstat/extract/delivery"
	"integstat/extract/files"
	"integstat/extract/tolkdb"
)

// IngestDB reads the interpreter register from its PostgreSQL database
// (changes since the last read, or everything when full) and loads the read
// as a delivery of its own, extracted at the start of the read's
// transaction. The watermark, kept in the warehouse's state, moves on only
// after the delivery is written and recorded, so a failure means the same
// changes are read again, never lost. A read that finds no change loads
// nothing.
func IngestDB(ctx context.Context, opt IngestOptions, src *tolkdb.Source) (*IngestSummary, error) {
	in, err := newIngester(opt)
	if err != nil {
		return nil, err
	}
	wh, log := opt.Warehouse, in.log
	sum := &IngestSummary{}
	wm := tolkdb.FileWatermark(wh.Watermark(tolkdb.SourceName))
	err = tolkdb.Run(ctx, src, wm, func(ctx context.Context, b *tolkdb.Batch) error {
		if len(b.Tolk)+len(b.Sprak) == 0 {
			log.Info("interpreter register: no changes since the last read")
			return nil
		}
		id := delivery.DeliveryID(b.ExtractedAt)
		if _, loaded, err := wh.Loaded(tolkdb.SourceName, id); err != nil {
			return err
		} else if loaded {
			// Delivery ids count seconds: a second read within the same
			// second cannot be a delivery of its own. Its changes stay
			// unread (the watermark is kept) and come with the next read.
			return fmt.Errorf("tolk/%s: the register was read twice within one second; the changes will be read next time", id)
		}
		d := files.Decision{Arrival: files.Arrival{Source: tolkdb.SourceName, ID: id, Extracted: b.ExtractedAt, Digest: batchDigest(b)}, Action: files.Load}
		// A read of the changes since the last one is not a snapshot: the
		// marts take a data state as the last full read plus the changes.
		in.incremental = !b.Full
		rec, err := in.loadFrom(ctx, d, batchRows(b))
		if err != nil {
			return fmt.Errorf("tolk/%s: %w", id, err)
		}
		sum.Loaded++
		for _, t := range rec.Tables {
			sum.Rows += t.Read
			sum.Quarantined += t.Quarantine
		}
		log.Info("interpreter register read from the database and loaded", "delivery", id, "full", b.Full, "tolk", len(b.Tolk), "tolk_sprak", len(b.Sprak))
		return nil
	})
	return sum, err
}

// batchRows yields a database read's rows as a delivery's tables; a row's
// line is its position in the read.
func batchRows(b *tolkdb.Batch) rowSource {
	return func(tb *contract.Table, fn files.RowFunc) error {
		for i, r := range b.Rows(tb.Name) {
			if err := fn(int64(i+1), r, "", nil); err != nil {
				return err
			}
		}
		return nil
	}
}

// batchDigest identifies a read's content for the ledger.
func batchDigest(b *tolkdb.Batch) string {
	h := sha256.New()
	fmt.Fprintf(h, "postgres full=%v watermark=%s\x00", b.Full, b.Watermark.UTC().Format("2006-01-02T15:04:05.999999Z"))
	for _, rows := range [][][]string{b.Tolk, b.Sprak} {
		for _, r := range rows {
			for _, v := range r {
				h.Write([]byte(v))
				h.Write([]byte{0})
			}
			h.Write([]byte{'\n'})
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
