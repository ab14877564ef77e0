-- NIR groundwork shared by introprogram.sql and norskopplaering.sql:
--   nir_nokkel    an identity number that a person no longer has → the
--                 person's current number (personer.tidligere_fnr, chains
--                 followed: D-nummer → fnr → corrected fnr).
--   intro, norsk  introprogram and norskopplaering rows with the person key.
--   timer_gyldig  the hours that count: timer > 0, in a year of table aar,
--                 for a person who has an introprogram or norskopplaering row
--                 in the same kommune ("Hours in timer count for a
--                 norskopplaering or introprogram row of the same person in
--                 the same kommune"), kommune codes taken as of the hours' year.
-- Input: nir_personer, nir_introprogram, nir_norskopplaering, nir_timer.

CREATE OR REPLACE TABLE nir_nokkel AS
WITH RECURSIVE kjede(fnr, person, steg) AS (
    SELECT tidligere_fnr, fnr, 1
    FROM nir_personer
    WHERE tidligere_fnr IS NOT NULL AND tidligere_fnr <> fnr
    UNION ALL
    SELECT k.fnr, p.fnr, k.steg + 1
    FROM kjede k
    JOIN nir_personer p ON p.tidligere_fnr = k.person
    WHERE k.steg < 10 AND p.fnr <> k.person
)
SELECT fnr, arg_max(person, steg) AS person
FROM kjede
GROUP BY fnr;

CREATE OR REPLACE VIEW intro AS
SELECT coalesce(n.person, i.fnr) AS person, i.* EXCLUDE (fnr)
FROM nir_introprogram i
LEFT JOIN nir_nokkel n ON n.fnr = i.fnr;

CREATE OR REPLACE VIEW norsk AS
SELECT coalesce(n.person, o.fnr) AS person, o.* EXCLUDE (fnr)
FROM nir_norskopplaering o
LEFT JOIN nir_nokkel n ON n.fnr = o.fnr;

CREATE OR REPLACE TABLE timer_gyldig AS
WITH t AS (
    SELECT coalesce(n.person, t.fnr) AS person,
           year(t.maaned) AS aar,
           coalesce(ka.kode_aar, t.kommunenummer) AS kommune,
           t.tiltak,
           t.program
    FROM nir_timer t
    LEFT JOIN nir_nokkel n ON n.fnr = t.fnr
    LEFT JOIN kommune_aar ka ON ka.kode = t.kommunenummer AND ka.aar = year(t.maaned)
    WHERE t.timer > 0
      AND year(t.maaned) IN (SELECT aar FROM aar)
),
rad AS (
    SELECT DISTINCT r.person, a.aar, coalesce(ka.kode_aar, r.kommunenummer) AS kommune
    FROM (SELECT person, kommunenummer FROM intro
          UNION
          SELECT person, kommunenummer FROM norsk) r
    CROSS JOIN aar a
    LEFT JOIN kommune_aar ka ON ka.kode = r.kommunenummer AND ka.aar = a.aar
)
SELECT t.*
FROM t
SEMI JOIN rad USING (person, aar, kommune);
