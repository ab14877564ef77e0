package tolkdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"integstat/extract/contract"
	"integstat/extract/delivery"
)

// SourceName is the source every Batch is a delivery of.
const SourceName = "tolk"

// Batch is one read: a delivery of the source "tolk" extracted at the start
// of the transaction that read it.
type Batch struct {
	// ExtractedAt is when the reading transaction started: every row is as
	// the register stood at that moment.
	ExtractedAt time.Time
	// Full is true when the batch holds the whole register (a read since
	// the zero time), false when it holds only rows changed since a
	// watermark.
	Full bool
	// Tolk and Sprak are the rows of the tables tolk and tolk_sprak, in
	// primary-key order, each a slice of strings in contract column order
	// and in the delivery files' dialect: dates YYYY-MM-DD, timestamps
	// Europe/Oslo "YYYY-MM-DD HH:MM:SS", booleans J/N, "" for null.
	Tolk, Sprak [][]string
	// Watermark is the greatest endret_tidspunkt read, as a Europe/Oslo
	// time; the watermark passed in when no row changed.
	Watermark time.Time
}

// Options tune a Source. The zero value is usable.
type Options struct {
	// Full makes Run ignore the saved watermark and read the whole
	// register (a full refresh); the new watermark is saved as usual.
	Full bool
	// Retries is how many more attempts a read gets after a transient
	// failure (connection refused or lost, server starting or shutting
	// down). 0 means DefaultRetries; a negative value means none.
	Retries int
	// BackoffBase is the wait before the first retry, doubled before each
	// further one up to BackoffCap. 0 means DefaultBackoffBase and
	// DefaultBackoffCap.
	BackoffBase, BackoffCap time.Duration
	// Logger receives progress and retry messages; nil means slog.Default.
	// Messages never carry the DSN's password or row contents.
	Logger *slog.Logger
}

// Defaults for the zero Options.
const (
	DefaultRetries     = 5
	DefaultBackoffBase = 500 * time.Millisecond
	DefaultBackoffCap  = 30 * time.Second
)

// Source reads the interpreter register from one PostgreSQL database. It
// holds no connection between reads, so it may live as long as the program.
type Source struct {
	cfg   *pgx.ConnConfig
	where string // the redacted DSN, for logs
	opt   Options
	log   *slog.Logger
}

// ErrDSN is New's error for a DSN that does not parse. It never repeats
// the DSN, which may hold a password.
var ErrDSN = errors.New("tolkdb: the DSN does not parse as a PostgreSQL URL or key=value connection string")

// New returns a Source for the database at dsn, a PostgreSQL URL or
// key=value connection string. It checks only that dsn parses; the first
// Read connects. The error never repeats dsn, which may hold a password.
func New(dsn string, opt Options) (*Source, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx masks passwords in its parse errors only on a best-effort basis.
		return nil, ErrDSN
	}
	if opt.Retries == 0 {
		opt.Retries = DefaultRetries
	}
	if opt.BackoffBase <= 0 {
		opt.BackoffBase = DefaultBackoffBase
	}
	if opt.BackoffCap <= 0 {
		opt.BackoffCap = max(DefaultBackoffCap, opt.BackoffBase)
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Source{cfg: cfg, where: RedactDSN(dsn), opt: opt, log: log}, nil
}

// Read reads every row of tolk and tolk_sprak whose endret_tidspunkt is
// after since (every row when since is zero) in one REPEATABLE READ, READ
// ONLY transaction; the batch's ExtractedAt is that transaction's start. A
// transient failure restarts the whole read, after a backoff, up to
// Options.Retries times; any other failure returns at once.
func (s *Source) Read(ctx context.Context, since time.Time) (*Batch, error) {
	for attempt := 0; ; attempt++ {
		b, err := s.read(ctx, since)
		if err == nil {
			s.log.Info("tolkdb: read the interpreter register", "db", s.where, "full", b.Full,
				"tolk", len(b.Tolk), "tolk_sprak", len(b.Sprak), "extracted_at", b.ExtractedAt, "watermark", b.Watermark)
			return b, nil
		}
		if !Transient(err) || attempt >= s.opt.Retries || ctx.Err() != nil {
			return nil, fmt.Errorf("tolkdb: reading the interpreter register (attempt %d): %w", attempt+1, err)
		}
		wait := backoff(s.opt.BackoffBase, s.opt.BackoffCap, attempt)
		s.log.Warn("tolkdb: transient failure, retrying", "db", s.where, "attempt", attempt+1, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("tolkdb: reading the interpreter register: %w (after %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
	}
}

// read is one attempt of Read.
func (s *Source) read(ctx context.Context, since time.Time) (*Batch, error) {
	conn, err := pgx.ConnectConfig(ctx, s.cfg.Copy())
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("starting the transaction: %w", err)
	}
	defer tx.Rollback(context.Background())

	// The first statement fixes the snapshot every later one reads.
	b := &Batch{Full: since.IsZero(), Watermark: since}
	if err := tx.QueryRow(ctx, "SELECT transaction_timestamp()").Scan(&b.ExtractedAt); err != nil {
		return nil, fmt.Errorf("reading the transaction's start: %w", err)
	}
	for _, t := range b.tables() {
		tab, ok := contract.Lookup(SourceName, t.name)
		if !ok {
			return nil, fmt.Errorf("no contract for table %s", t.name)
		}
		rows, newest, err := readTable(ctx, tx, tab, since)
		if err != nil {
			return nil, fmt.Errorf("reading table %s: %w", t.name, err)
		}
		*t.dst = rows
		if newest.After(b.Watermark) {
			b.Watermark = newest
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("ending the transaction: %w", err)
	}
	return b, nil
}

// tables pairs each table of the register with the field of b that holds
// its rows: the one list of the tables a read reads.
func (b *Batch) tables() []batchTable {
	return []batchTable{{"tolk", &b.Tolk}, {"tolk_sprak", &b.Sprak}}
}

type batchTable struct {
	name string
	dst  *[][]string
}

// Rows returns the rows b holds of the register's table name (tolk or
// tolk_sprak), nil for any other.
func (b *Batch) Rows(name string) [][]string {
	for _, t := range b.tables() {
		if t.name == name {
			return *t.dst
		}
	}
	return nil
}

// changedColumn is the column reads of tab are incremental by: the one the
// contract gives the role ChangedAt (endret_tidspunkt).
func changedColumn(tab *contract.Table) string {
	return tab.Cols[tab.ColumnOf(contract.ChangedAt)].Name
}

// readTable reads the rows of tab changed after since, formatted as in a
// file delivery, and the greatest endret_tidspunkt among them (zero if
// none).
func readTable(ctx context.Context, tx pgx.Tx, tab *contract.Table, since time.Time) ([][]string, time.Time, error) {
	var arg any // nil: a full read
	if !since.IsZero() {
		arg = wallClock(since)
	}
	rows, err := tx.Query(ctx, selectSQL(tab), arg)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer rows.Close()
	var (
		out    [][]string
		newest time.Time
	)
	n := len(tab.Cols)
	for rows.Next() {
		row := make([]string, n)
		dst := make([]any, n+1)
		for i := range row {
			dst[i] = &row[i]
		}
		var changed time.Time
		dst[n] = &changed
		if err := rows.Scan(dst...); err != nil {
			return nil, time.Time{}, err
		}
		out = append(out, row)
		if changed.After(newest) {
			newest = changed
		}
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, err
	}
	if newest.IsZero() {
		return out, time.Time{}, nil
	}
	return out, osloTime(newest), nil
}

// selectSQL builds the query reading tab: each contract column converted to
// the delivery dialect, then the raw endret_tidspunkt for the watermark,
// filtered by $1 (a wall-clock timestamp, or null for all rows) and in
// primary-key order.
func selectSQL(tab *contract.Table) string {
	exprs := make([]string, 0, len(tab.Cols)+1)
	for _, c := range tab.Cols {
		exprs = append(exprs, "coalesce("+asText(pgx.Identifier{c.Name}.Sanitize(), c.Type)+", '')")
	}
	changed := pgx.Identifier{changedColumn(tab)}.Sanitize()
	exprs = append(exprs, changed)
	key := make([]string, len(tab.Key))
	for i, k := range tab.Key {
		key[i] = pgx.Identifier{k}.Sanitize()
	}
	return "SELECT " + strings.Join(exprs, ", ") +
		" FROM " + pgx.Identifier{tab.Name}.Sanitize() +
		" WHERE $1::timestamp IS NULL OR " + changed + " > $1::timestamp" +
		" ORDER BY " + strings.Join(key, ", ")
}

// asText gives the SQL expression for column c of contract type t in the
// delivery dialect. char(n) values cast to text lose their padding.
func asText(c string, t contract.Type) string {
	switch t {
	case contract.Date:
		return "to_char(" + c + ", 'YYYY-MM-DD')"
	case contract.Timestamp:
		return "to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS')"
	case contract.Bool:
		return "CASE WHEN " + c + " THEN 'J' WHEN NOT " + c + " THEN 'N' END"
	default:
		return c + "::text"
	}
}

// wallClockLayout writes a timestamp without zone at PostgreSQL's full
// (microsecond) precision.
const wallClockLayout = "2006-01-02 15:04:05.999999"

// wallClock gives t as the register stores timestamps: Oslo wall-clock
// time without a zone, as text for a timestamp parameter.
func wallClock(t time.Time) string {
	return t.In(delivery.Oslo).Format(wallClockLayout)
}

// osloTime turns a timestamp without zone, as pgx decodes it (the wall
// clock in a UTC time.Time), into the Europe/Oslo time it stands for. A
// wall clock in the spring-forward gap does not exist; it maps to an
// earlier instant, never a later one, so a watermark made from it can only
// make the next read take a few rows again, never skip one.
func osloTime(w time.Time) time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), delivery.Oslo)
	l := t.In(delivery.Oslo)
	back := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
	if back.After(w) {
		t = t.Add(-back.Sub(w))
	}
	return t
}
