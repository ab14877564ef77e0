-- Norwegian and social-studies training indicators at national level
-- (indicators.md, "Norwegian and social-studies training"), one row per
-- indicator and year Y of table aar: norsk_deltakere_rp, norsk_deltakere,
-- kommuner_norsk, andel_norsk_start_3mnd, andel_norsk_start_6mnd,
-- norsk_rp_kohort, norsk_asyl_deltakere, kv_maalgruppe, kv_startet.
-- Input: norsk and timer_gyldig (nir_personer.sql).
-- A person counts in norsk_deltakere* when they have a row with the right
-- rettighet and hours that count (same person, same kommune as a row) for
-- NORSK or SAMF in a month of Y; the region would be the hours' kommune.

-- the rights each person holds in training
CREATE OR REPLACE VIEW norsk_rett AS
SELECT person,
       bool_or(rettighet = 'RP') AS rp,
       bool_or(rettighet IN ('RP', 'P', 'R')) AS rp_p_r,
       bool_or(rettighet = 'ASYL') AS asyl
FROM norsk
GROUP BY person;

-- training hours by person, year and kommune
CREATE OR REPLACE VIEW norsk_timer AS
SELECT t.aar, t.person, t.kommune, r.rp, r.rp_p_r, r.asyl,
       bool_or(t.tiltak IN ('NORSK', 'SAMF')) AS norsk_samf,
       bool_or(t.tiltak = 'NORSK') AS norsk
FROM timer_gyldig t
JOIN norsk_rett r USING (person)
GROUP BY ALL;

-- SP4 cohort: a person's earliest RP rett_plikt_dato, and whether
-- forste_time_dato on that row (on any of them, if several share the date)
-- is within 3 and 6 months of it
CREATE OR REPLACE VIEW norsk_kohort AS
SELECT year(forste) AS aar,
       person,
       bool_or(innen_mnd(forste, forste_time_dato, 3)) AS innen_3mnd,
       bool_or(innen_mnd(forste, forste_time_dato, 6)) AS innen_6mnd
FROM (SELECT person, rett_plikt_dato, forste_time_dato,
             min(rett_plikt_dato) OVER (PARTITION BY person) AS forste
      FROM norsk
      WHERE rettighet = 'RP' AND rett_plikt_dato IS NOT NULL)
WHERE rett_plikt_dato = forste
GROUP BY ALL;

WITH timer AS (
    SELECT a.aar,
           count(DISTINCT t.person) FILTER (WHERE t.rp AND t.norsk_samf) AS deltakere_rp,
           count(DISTINCT t.person) FILTER (WHERE t.rp_p_r AND t.norsk_samf) AS deltakere,
           count(DISTINCT t.kommune) FILTER (WHERE t.rp_p_r AND t.norsk_samf) AS kommuner,
           count(DISTINCT t.person) FILTER (WHERE t.asyl AND t.norsk) AS asyl
    FROM aar a
    LEFT JOIN norsk_timer t ON t.aar = a.aar
    GROUP BY a.aar
),
kohort AS (
    SELECT a.aar,
           count(k.person) AS kohort,
           count(*) FILTER (WHERE k.innen_3mnd) AS innen_3mnd,
           count(*) FILTER (WHERE k.innen_6mnd) AS innen_6mnd
    FROM aar a
    LEFT JOIN norsk_kohort k ON k.aar = a.aar
    GROUP BY a.aar
),
kv AS (
    SELECT a.aar,
           count(DISTINCT o.person) AS maalgruppe,
           count(DISTINCT o.person) FILTER (WHERE year(o.forste_time_dato) = a.aar) AS startet
    FROM aar a
    LEFT JOIN norsk o ON o.rettighet = 'KV' AND year(o.rett_plikt_dato) = a.aar
    GROUP BY a.aar
)
SELECT v.indikator, t.aar, CAST(v.verdi AS DOUBLE), CAST(v.teller AS BIGINT), CAST(v.nevner AS BIGINT)
FROM timer t
JOIN kohort k ON k.aar = t.aar
JOIN kv ON kv.aar = t.aar
CROSS JOIN LATERAL (VALUES
    ('norsk_deltakere_rp', t.deltakere_rp, t.deltakere_rp, NULL),
    ('norsk_deltakere', t.deltakere, t.deltakere, NULL),
    ('kommuner_norsk', t.kommuner, t.kommuner, NULL),
    ('andel_norsk_start_3mnd', k.innen_3mnd / nullif(k.kohort, 0), k.innen_3mnd, k.kohort),
    ('andel_norsk_start_6mnd', k.innen_6mnd / nullif(k.kohort, 0), k.innen_6mnd, k.kohort),
    ('norsk_rp_kohort', k.kohort, k.kohort, NULL),
    ('norsk_asyl_deltakere', t.asyl, t.asyl, NULL),
    ('kv_maalgruppe', kv.maalgruppe, kv.maalgruppe, NULL),
    ('kv_startet', kv.startet, kv.startet, NULL)
) AS v(indikator, verdi, teller, nevner);
