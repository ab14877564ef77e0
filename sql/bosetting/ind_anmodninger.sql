-- Requests and decisions (indicators.md, "Requests and decisions") at every
-- level: sums of anmodet, anmodet_em, vedtatt, vedtatt_em for year Y (a
-- kommune that has not answered adds nothing to vedtatt), and the kommuner
-- with anmodet > 0 or vedtatt > 0. Region: the kommune of the row, in Y's
-- codes.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: antall_rader, stg_bosetting_anmodninger, ref_kommune_aar, region_kart, aar
WITH r AS (
    SELECT CAST(a.aar AS INTEGER) AS aar, coalesce(ka.kode_aar, '') AS kommune,
           a.anmodet, a.anmodet_em, a.vedtatt, a.vedtatt_em
    FROM stg_bosetting_anmodninger a
    LEFT JOIN ref_kommune_aar ka ON ka.kode = a.kommunenummer AND ka.aar = a.aar
    WHERE a.aar IN (SELECT aar FROM aar)
),
s AS (
    SELECT r.aar, k.niva, k.region,
           coalesce(sum(r.anmodet), 0) AS anmodet,
           coalesce(sum(r.anmodet_em), 0) AS anmodet_em,
           coalesce(sum(r.vedtatt), 0) AS vedtatt,
           coalesce(sum(r.vedtatt_em), 0) AS vedtatt_em,
           count(DISTINCT r.kommune) FILTER (WHERE r.anmodet > 0 AND r.kommune <> '') AS kommuner_anmodet,
           count(DISTINCT r.kommune) FILTER (WHERE r.vedtatt > 0 AND r.kommune <> '') AS kommuner_vedtatt
    FROM r
    JOIN region_kart k ON k.aar = r.aar AND k.kommune = r.kommune
    GROUP BY r.aar, k.niva, k.region
),
antall AS (
    FROM s UNPIVOT INCLUDE NULLS (teller FOR indikator IN (
        anmodet, anmodet_em, vedtatt, vedtatt_em, kommuner_anmodet, kommuner_vedtatt
    ))
)
FROM antall_rader('antall')
