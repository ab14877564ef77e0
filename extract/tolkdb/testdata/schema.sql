-- The interpreter register's tables as the register (and demo/tolk_postgres.go)
-- creates them: native types, Oslo wall-clock timestamps without a zone.
CREATE TABLE tolk (
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
CREATE INDEX tolk_endret ON tolk (endret_tidspunkt);
CREATE TABLE tolk_sprak (
	tolk_id          integer NOT NULL,
	sprak            char(3) NOT NULL,
	kategori         integer NOT NULL CHECK (kategori BETWEEN 1 AND 5),
	gyldig_fra       date NOT NULL,
	gyldig_til       date,
	endret_tidspunkt timestamp NOT NULL,
	PRIMARY KEY (tolk_id, sprak, gyldig_fra)
);
CREATE INDEX tolk_sprak_endret ON tolk_sprak (endret_tidspunkt);
