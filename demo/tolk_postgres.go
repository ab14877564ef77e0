package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The interpreter register runs on PostgreSQL (sources.md, source 3). With
// Options.TolkPostgres set, the generator also writes it there, in the native types
// the pipeline's database reader expects, so that reader can be run against
// a real server.

// TolkSchema creates the register's tables, tolk and tolk_sprak, if
// absent, in the native types the register uses. Timestamps are Oslo local
// time without a zone, as the register keeps them; the indexes on
// endret_tidspunkt serve the pipeline's incremental reads. It is the one
// statement of the register's schema: the database reader's tests
// (extract/tolkdb) create their fixture register with it.
const TolkSchema = `
CREATE TABLE IF NOT EXISTS tolk (
	tolk_id           integer PRIMARY KEY,
	fnr               char(11) NOT NULL,
	fornavn           text,
	etternavn         text,
	epost             text,
	telefon           text,
	kjonn             char(1) NOT NULL CHECK (kjonn IN ('K', 'M')),
	fodselsaar        integer,
	bostedskommune    char(4),
	statsautorisert   boolean NOT NULL,
	tolkeutdanning    boolean NOT NULL,
	registrert_dato   date NOT NULL,
	avregistrert_dato date,
	endret_tidspunkt  timestamp NOT NULL
);
CREATE INDEX IF NOT EXISTS tolk_endret ON tolk (endret_tidspunkt);
CREATE TABLE IF NOT EXISTS tolk_sprak (
	tolk_id          integer NOT NULL,
	sprak            char(3) NOT NULL,
	kategori         integer NOT NULL CHECK (kategori BETWEEN 1 AND 5),
	gyldig_fra       date NOT NULL,
	gyldig_til       date,
	endret_tidspunkt timestamp NOT NULL,
	PRIMARY KEY (tolk_id, sprak, gyldig_fra)
);
CREATE INDEX IF NOT EXISTS tolk_sprak_endret ON tolk_sprak (endret_tidspunkt);
`

// tolkDB is a connection to the PostgreSQL database the interpreter
// register is written into.
type tolkDB struct {
	conn *pgx.Conn
}

// openTolkDB connects to the database at dsn and creates the tables tolk
// and tolk_sprak, emptying them if they exist, so that a run writes the
// register afresh. Errors never show the DSN, which may hold a password.
func openTolkDB(ctx context.Context, dsn string) (*tolkDB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx redacts passwords only on a best-effort basis: leave its text out.
		return nil, errors.New("demo: the interpreter database address does not parse as a PostgreSQL connection string or URL")
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("demo: connecting to the interpreter database: %w", err)
	}
	if _, err := conn.Exec(ctx, TolkSchema+"TRUNCATE tolk, tolk_sprak;\n"); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("demo: creating the interpreter tables: %w", err)
	}
	return &tolkDB{conn: conn}, nil
}

// close closes the connection.
func (db *tolkDB) close() {
	db.conn.Close(context.Background())
}

// writePostgres COPY-loads the newest state (as of 2017-12-31 23:00) of this
// replica into the database, in one transaction.
func (t *tolkModel) writePostgres(ctx context.Context, db *tolkDB) error {
	tolk, sprak := t.stateAt(tolkNewest)
	tx, err := db.conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("demo: writing the interpreter database: %w", err)
	}
	defer tx.Rollback(context.Background())
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"tolk"},
		[]string{"tolk_id", "fnr", "fornavn", "etternavn", "epost", "telefon", "kjonn", "fodselsaar",
			"bostedskommune", "statsautorisert", "tolkeutdanning", "registrert_dato", "avregistrert_dato", "endret_tidspunkt"},
		pgx.CopyFromSlice(len(tolk), func(i int) ([]any, error) {
			r := tolk[i]
			u := r.u
			return []any{u.id, u.fnr, u.given, u.family, pgText(u.email), pgText(u.phone), sexCode(u.female),
				u.birthYear, r.home, r.aut, r.utd, u.reg, pgDate(r.dereg), pgLocal(r.changed)}, nil
		}))
	if err != nil {
		return fmt.Errorf("demo: copying rows into tolk: %w", err)
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"tolk_sprak"},
		[]string{"tolk_id", "sprak", "kategori", "gyldig_fra", "gyldig_til", "endret_tidspunkt"},
		pgx.CopyFromSlice(len(sprak), func(i int) ([]any, error) {
			r := sprak[i]
			return []any{r.id, r.lang, r.kat, r.from, pgDate(r.to), pgLocal(r.changed)}, nil
		}))
	if err != nil {
		return fmt.Errorf("demo: copying rows into tolk_sprak: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("demo: committing the interpreter database: %w", err)
	}
	return nil
}

// pgText gives the database value of a text field: "" is null.
func pgText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// pgDate gives the database value of a date: the zero time is null.
func pgDate(d time.Time) any {
	if d.IsZero() {
		return nil
	}
	return d
}

// pgLocal gives a timestamp without zone: the Oslo wall-clock time of t.
func pgLocal(t time.Time) time.Time {
	l := t.In(tolkNewest.Location())
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}
