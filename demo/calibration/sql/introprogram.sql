-- Introduction programme indicators at national level (indicators.md,
-- "Introduction programme"), one row per indicator and year Y of table aar:
-- intro_rett_plikt, intro_deltakere_3112, intro_deltakere, intro_avsluttet,
-- intro_pabegynt, andel_intro_direkte_arbeid_utdanning,
-- andel_intro_start_3mnd, andel_intro_utvidet, andel_intro_grunnskole,
-- andel_intro_vgs, kommuner_intro, kommuner_intro_grunnskole,
-- kommuner_intro_vgs.
-- Input: intro and timer_gyldig (nir_personer.sql). Persons are person keys,
-- so one person under two identity numbers counts once.

-- every spell in every year, with its kommune in Y's codes and what it says about Y
CREATE OR REPLACE VIEW intro_aar AS
SELECT a.aar,
       i.person,
       i.rettighet,
       i.startdato,
       i.sluttdato,
       i.avslutning,
       kommune_i(i.kommunenummer, a.aar) AS kommune,
       -- the right runs from rett_plikt_dato to sluttdato; open while the
       -- spell runs; two years when the spell never started
       coalesce(i.rettighet = 'RP'
                AND i.rett_plikt_dato <= aar_slutt(a.aar)
                AND CASE WHEN i.sluttdato IS NOT NULL THEN i.sluttdato >= aar_start(a.aar)
                         WHEN i.startdato IS NOT NULL THEN true
                         ELSE pluss_mnd(i.rett_plikt_dato, 24) >= aar_start(a.aar)
                    END, false) AS rett_plikt,
       coalesce(i.startdato <= aar_slutt(a.aar)
                AND (i.sluttdato IS NULL OR i.sluttdato >= aar_start(a.aar)), false) AS deltaker,
       coalesce(i.startdato <= aar_slutt(a.aar)
                AND (i.sluttdato IS NULL OR i.sluttdato >= aar_slutt(a.aar)), false) AS deltaker_3112,
       coalesce(year(i.sluttdato) = a.aar
                AND i.avslutning IN ('ARB', 'UTD', 'AOU', 'FUL'), false) AS avsluttet,
       coalesce(i.utvidet, false) AS utvidet
FROM intro i
CROSS JOIN aar a;

-- per person and year
CREATE OR REPLACE VIEW intro_person AS
SELECT aar,
       person,
       bool_or(rett_plikt) AS rett_plikt,
       bool_or(deltaker) AS deltaker,
       bool_or(deltaker_3112) AS deltaker_3112,
       bool_or(avsluttet) AS avsluttet,
       bool_or(deltaker AND utvidet) AS utvidet
FROM intro_aar
GROUP BY aar, person;

-- the ending spell of a person who completed the programme in Y: the
-- completed spell with the latest sluttdato in Y
CREATE OR REPLACE VIEW intro_avslutning AS
SELECT aar, person, bool_or(avslutning IN ('ARB', 'UTD', 'AOU')) AS direkte
FROM (SELECT *, max(sluttdato) OVER (PARTITION BY aar, person) AS siste
      FROM intro_aar
      WHERE avsluttet)
WHERE sluttdato = siste
GROUP BY aar, person;

-- earliest start over all spells and earliest RP right of each person
CREATE OR REPLACE VIEW intro_start AS
SELECT person,
       min(startdato) AS forste_start,
       min(rett_plikt_dato) FILTER (WHERE rettighet = 'RP') AS forste_rett_plikt
FROM intro
GROUP BY person;

-- hours in the programme by person and year
CREATE OR REPLACE VIEW intro_timer AS
SELECT aar,
       person,
       bool_or(tiltak = 'GRUNNSKOLE') AS grunnskole,
       bool_or(tiltak = 'VGS') AS vgs
FROM timer_gyldig
WHERE program = 'INTRO'
GROUP BY aar, person;

WITH personer AS (
    SELECT a.aar,
           count(*) FILTER (WHERE p.rett_plikt) AS rett_plikt,
           count(*) FILTER (WHERE p.deltaker_3112) AS deltakere_3112,
           count(*) FILTER (WHERE p.deltaker) AS deltakere,
           count(*) FILTER (WHERE p.avsluttet) AS avsluttet,
           count(*) FILTER (WHERE p.avsluttet AND s.direkte) AS direkte,
           count(*) FILTER (WHERE p.deltaker AND p.utvidet) AS utvidet,
           count(*) FILTER (WHERE p.deltaker AND t.grunnskole) AS grunnskole,
           count(*) FILTER (WHERE p.deltaker AND t.vgs) AS vgs
    FROM aar a
    LEFT JOIN intro_person p ON p.aar = a.aar
    LEFT JOIN intro_avslutning s ON s.aar = p.aar AND s.person = p.person
    LEFT JOIN intro_timer t ON t.aar = p.aar AND t.person = p.person
    GROUP BY a.aar
),
start AS (
    SELECT a.aar,
           count(*) FILTER (WHERE year(s.forste_start) = a.aar) AS pabegynt,
           count(*) FILTER (WHERE s.forste_rett_plikt BETWEEN make_date(a.aar - 1, 10, 1) AND make_date(a.aar, 9, 30)) AS kohort,
           count(*) FILTER (WHERE s.forste_rett_plikt BETWEEN make_date(a.aar - 1, 10, 1) AND make_date(a.aar, 9, 30)
                              AND innen_mnd(s.forste_rett_plikt, s.forste_start, 3)) AS start_3mnd
    FROM aar a
    CROSS JOIN intro_start s
    GROUP BY a.aar
),
kommuner AS (
    SELECT a.aar,
           (SELECT count(DISTINCT kommune) FROM intro_aar i WHERE i.aar = a.aar AND i.deltaker) AS intro,
           (SELECT count(DISTINCT kommune) FROM timer_gyldig t
            WHERE t.aar = a.aar AND t.program = 'INTRO' AND t.tiltak = 'GRUNNSKOLE') AS grunnskole,
           (SELECT count(DISTINCT kommune) FROM timer_gyldig t
            WHERE t.aar = a.aar AND t.program = 'INTRO' AND t.tiltak = 'VGS') AS vgs
    FROM aar a
)
SELECT v.indikator, p.aar, CAST(v.verdi AS DOUBLE), CAST(v.teller AS BIGINT), CAST(v.nevner AS BIGINT)
FROM personer p
JOIN start s ON s.aar = p.aar
JOIN kommuner k ON k.aar = p.aar
CROSS JOIN LATERAL (VALUES
    ('intro_rett_plikt', p.rett_plikt, p.rett_plikt, NULL),
    ('intro_deltakere_3112', p.deltakere_3112, p.deltakere_3112, NULL),
    ('intro_deltakere', p.deltakere, p.deltakere, NULL),
    ('intro_avsluttet', p.avsluttet, p.avsluttet, NULL),
    ('intro_pabegynt', s.pabegynt, s.pabegynt, NULL),
    ('andel_intro_direkte_arbeid_utdanning', p.direkte / nullif(p.avsluttet, 0), p.direkte, p.avsluttet),
    ('andel_intro_start_3mnd', s.start_3mnd / nullif(s.kohort, 0), s.start_3mnd, s.kohort),
    ('andel_intro_utvidet', p.utvidet / nullif(p.deltakere, 0), p.utvidet, p.deltakere),
    ('andel_intro_grunnskole', p.grunnskole / nullif(p.deltakere, 0), p.grunnskole, p.deltakere),
    ('andel_intro_vgs', p.vgs / nullif(p.deltakere, 0), p.vgs, p.deltakere),
    ('kommuner_intro', k.intro, k.intro, NULL),
    ('kommuner_intro_grunnskole', k.grunnskole, k.grunnskole, NULL),
    ('kommuner_intro_vgs', k.vgs, k.vgs, NULL)
) AS v(indikator, verdi, teller, nevner);
