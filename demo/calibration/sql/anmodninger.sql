-- Requests and decisions at national level (indicators.md, "Requests and
-- decisions"), one row per indicator and year Y of table aar: anmodet,
-- anmodet_em, vedtatt, vedtatt_em (sums; a kommune that has not answered
-- adds nothing to vedtatt), kommuner_anmodet, kommuner_vedtatt.
-- Input: bosetting_anmodninger.
WITH s AS (
    SELECT a.aar,
           coalesce(sum(r.anmodet), 0) AS anmodet,
           coalesce(sum(r.anmodet_em), 0) AS anmodet_em,
           coalesce(sum(r.vedtatt), 0) AS vedtatt,
           coalesce(sum(r.vedtatt_em), 0) AS vedtatt_em,
           count(DISTINCT r.kommunenummer) FILTER (WHERE r.anmodet > 0) AS kommuner_anmodet,
           count(DISTINCT r.kommunenummer) FILTER (WHERE r.vedtatt > 0) AS kommuner_vedtatt
    FROM aar a
    LEFT JOIN bosetting_anmodninger r ON r.aar = a.aar
    GROUP BY a.aar
)
SELECT x.indikator, s.aar, CAST(x.verdi AS DOUBLE), CAST(x.teller AS BIGINT), CAST(x.nevner AS BIGINT)
FROM s
CROSS JOIN LATERAL (VALUES
    ('anmodet', s.anmodet, s.anmodet, NULL),
    ('anmodet_em', s.anmodet_em, s.anmodet_em, NULL),
    ('vedtatt', s.vedtatt, s.vedtatt, NULL),
    ('vedtatt_em', s.vedtatt_em, s.vedtatt_em, NULL),
    ('kommuner_anmodet', s.kommuner_anmodet, s.kommuner_anmodet, NULL),
    ('kommuner_vedtatt', s.kommuner_vedtatt, s.kommuner_vedtatt, NULL)
) AS x(indikator, verdi, teller, nevner);
