// Package tolkdb reads the interpreter register (source 3 of sources.md,
// tables tolk and tolk_sprak) straight from its PostgreSQL database.
//
// Each Read is one delivery of the source "tolk": it runs in a single
// REPEATABLE READ, READ ONLY transaction, so both tables come from the same
// snapshot, and it is stamped with the time that transaction started. Reads
// are incremental by endret_tidspunkt: the caller passes the watermark of the
// last delivery it wrote and gets the rows changed since, or passes the zero
// time for a full refresh. Run ties this to a WatermarkStore so the watermark
// moves on only after the batch has been written safely; a failed write means
// the same rows are read again next time, never lost.
//
// Rows come back as strings in the delivery files' dialect, in contract
// order, so the rest of the pipeline validates database reads and file
// deliveries alike. Transient connection failures are retried with capped
// exponential backoff; the DSN's password never appears in logs or errors.
package tolkdb
