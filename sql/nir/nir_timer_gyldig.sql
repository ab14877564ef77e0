-- The hours that count, reduced to what the indicators ask of them: for
-- every person, year Y of table aar, kommune (in Y's codes), tiltak and
-- program, whether there were hours (timer > 0) in a month of Y. Hours
-- count only for a person who has an introprogram or norskopplaering row
-- in the same kommune (indicators.md). This is the one model that reads
-- the large timer table.
-- depends: stg_nir_timer, stg_nir_introprogram, stg_nir_norskopplaering, ref_kommune_aar, aar
-- materialized: table
WITH t AS (
    SELECT DISTINCT t.person, year(t.maaned) AS aar, t.kommunenummer, t.tiltak, t.program
    FROM stg_nir_timer t
    WHERE t.timer > 0
      AND year(t.maaned) IN (SELECT aar FROM aar WHERE NOT neste)
),
rad AS (
    SELECT DISTINCT r.person, a.aar, coalesce(ka.kode_aar, '') AS kommune
    FROM (SELECT person, kommunenummer FROM stg_nir_introprogram
          UNION
          SELECT person, kommunenummer FROM stg_nir_norskopplaering) r
    CROSS JOIN (SELECT aar FROM aar WHERE NOT neste) a
    LEFT JOIN ref_kommune_aar ka ON ka.kode = r.kommunenummer AND ka.aar = a.aar
)
SELECT DISTINCT t.person, t.aar, coalesce(ka.kode_aar, '') AS kommune, t.tiltak, t.program
FROM t
LEFT JOIN ref_kommune_aar ka ON ka.kode = t.kommunenummer AND ka.aar = t.aar
SEMI JOIN rad ON rad.person = t.person AND rad.aar = t.aar AND rad.kommune = coalesce(ka.kode_aar, '')
