-- Interpreter indicators on 31.12.Y at every level (indicators.md,
-- "Interpreters"). An interpreter is registered on a day when registered by
-- then, not deregistered by then, and with at least one language row valid
-- that day; region: the interpreter's bostedskommune in Y's codes. The best
-- category is the lowest valid that day. tolk_sprak counts distinct
-- languages nationally.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: antall_rader, andel_rader, stg_tolk, stg_tolk_sprak, ref_kommune_aar, region_kart, aar
WITH gyldig AS (
    SELECT a.aar, t.tolk_id, t.kjonn, t.bostedskommune, s.sprak, s.kategori
    FROM (SELECT aar FROM aar WHERE NOT neste) a
    JOIN stg_tolk t ON t.registrert_dato <= make_date(a.aar, 12, 31)
                   AND (t.avregistrert_dato IS NULL OR t.avregistrert_dato > make_date(a.aar, 12, 31))
    JOIN stg_tolk_sprak s ON s.tolk_id = t.tolk_id
                         AND s.gyldig_fra <= make_date(a.aar, 12, 31)
                         AND (s.gyldig_til IS NULL OR s.gyldig_til >= make_date(a.aar, 12, 31))
),
tolker AS (
    SELECT g.aar, g.tolk_id, any_value(g.kjonn) AS kjonn, min(g.kategori) AS beste,
           coalesce(any_value(ka.kode_aar), '') AS kommune
    FROM gyldig g
    LEFT JOIN ref_kommune_aar ka ON ka.kode = g.bostedskommune AND ka.aar = g.aar
    GROUP BY g.aar, g.tolk_id
),
s AS (
    SELECT t.aar, r.niva, r.region,
           count(*) AS tolker,
           count(*) FILTER (WHERE t.beste BETWEEN 1 AND 3) AS tolker_kat1_3,
           count(*) FILTER (WHERE t.kjonn = 'K') AS kvinner
    FROM tolker t
    JOIN region_kart r ON r.aar = t.aar AND r.kommune = t.kommune
    GROUP BY t.aar, r.niva, r.region
),
antall AS (
    SELECT indikator, aar, niva, region, teller
    FROM s UNPIVOT INCLUDE NULLS (teller FOR indikator IN (tolker, tolker_kat1_3))
    UNION ALL
    SELECT 'tolk_sprak', aar, 'land', '0', count(DISTINCT sprak)
    FROM gyldig
    GROUP BY aar
),
andeler AS (
    FROM s UNPIVOT INCLUDE NULLS ((teller, nevner) FOR indikator IN (
        (tolker_kat1_3, tolker) AS andel_tolker_kat1_3,
        (kvinner, tolker) AS andel_tolker_kvinner
    ))
)
FROM antall_rader('antall')
UNION ALL
FROM andel_rader('andeler')
