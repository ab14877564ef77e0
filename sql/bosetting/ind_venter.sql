-- Persons waiting for settlement on 31.12.Y (indicators.md, venter_3112*),
-- national only: a decision by 31.12.Y, not from abroad, not settled by
-- then. A waiting household (same familie_id) with a member under 18 and
-- one aged 18 or more on 31.12.Y (age then = Y - birth year) makes its
-- members who are not unaccompanied minors count in venter_3112_familie.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: antall_rader, stg_bosetting_personer, aar
WITH venter AS (
    SELECT a.aar, p.person, p.familie_id, p.em, a.aar - p.fodselsaar AS alder,
           CAST(p.vedtak_dato + INTERVAL 12 MONTH AS DATE) < make_date(a.aar, 12, 31) AS over12mnd
    FROM stg_bosetting_personer p
    JOIN (SELECT aar FROM aar WHERE NOT neste) a ON p.vedtak_dato <= make_date(a.aar, 12, 31)
              AND p.fra IS DISTINCT FROM 'UTLANDET'
              AND (p.bosatt_dato IS NULL OR p.bosatt_dato > make_date(a.aar, 12, 31))
),
familie AS (
    SELECT aar, familie_id
    FROM venter
    WHERE familie_id IS NOT NULL
    GROUP BY aar, familie_id
    HAVING bool_or(alder < 18) AND bool_or(alder >= 18)
),
s AS (
    SELECT a.aar,
           count(DISTINCT v.person) AS venter_3112,
           count(DISTINCT v.person) FILTER (WHERE NOT v.em AND f.familie_id IS NOT NULL) AS venter_3112_familie,
           count(DISTINCT v.person) FILTER (WHERE v.em) AS venter_3112_em,
           count(DISTINCT v.person) FILTER (WHERE v.over12mnd) AS venter_3112_over12mnd,
           venter_3112 - venter_3112_familie - venter_3112_em AS venter_3112_andre
    FROM (SELECT aar FROM aar WHERE NOT neste) a
    LEFT JOIN venter v ON v.aar = a.aar
    LEFT JOIN familie f ON f.aar = v.aar AND f.familie_id = v.familie_id
    GROUP BY a.aar
),
antall AS (
    SELECT indikator, aar, 'land' AS niva, '0' AS region, teller
    FROM s UNPIVOT INCLUDE NULLS (teller FOR indikator IN (
        venter_3112, venter_3112_familie, venter_3112_em, venter_3112_andre, venter_3112_over12mnd
    ))
)
FROM antall_rader('antall')
