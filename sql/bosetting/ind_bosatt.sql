-- Settlement indicators over persons settled in Y, at every level
-- (indicators.md, "Settlement"): bosatte and its breakdowns, barnefamilier*,
-- selvbosetting, the shares settled within 6 and 12 months (SP1, SP2) and of
-- unaccompanied minors within 3 months (SP3), waiting times, and the counts
-- of kommuner (national only in the catalogue). Counts are of distinct
-- persons per region; protected identities are in the nation only (their
-- kommune is '' in bos_bosatt), so they never make a kommune count either.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: antall_rader, andel_rader, bos_bosatt, bos_barnefamilie, region_kart
WITH b AS (
    SELECT b.*,
           f.familie_id IS NOT NULL AS barnefamilie,
           b.bosatt_dato <= CAST(b.vedtak_dato + INTERVAL 6 MONTH AS DATE) AS innen_6mnd,
           b.bosatt_dato <= CAST(b.vedtak_dato + INTERVAL 12 MONTH AS DATE) AS innen_12mnd,
           b.bosatt_dato <= CAST(b.vedtak_dato + INTERVAL 3 MONTH AS DATE) AS innen_3mnd
    FROM bos_bosatt b
    LEFT JOIN bos_barnefamilie f ON f.aar = b.aar AND f.familie_id = b.familie_id
),
s AS (
    SELECT b.aar, r.niva, r.region,
           count(DISTINCT b.person) AS bosatte,
           count(DISTINCT b.person) FILTER (WHERE b.kategori = 'OVF') AS bosatte_ovf,
           count(DISTINCT b.person) FILTER (WHERE b.em) AS bosatte_em,
           count(DISTINCT b.person) FILTER (WHERE b.em AND b.alder >= 15) AS bosatte_em_over15,
           count(DISTINCT b.person) FILTER (WHERE b.em AND b.alder < 15) AS bosatte_em_under15,
           count(DISTINCT b.familie_id) FILTER (WHERE b.barnefamilie) AS barnefamilier,
           count(DISTINCT b.person) FILTER (WHERE b.barnefamilie) AS barnefamilier_personer,
           count(DISTINCT b.person) FILTER (WHERE b.barnefamilie AND b.alder < 18) AS barnefamilier_barn,
           count(DISTINCT b.person) FILTER (WHERE NOT b.em AND NOT b.barnefamilie AND NOT b.skjult) AS bosatte_andre_voksne,
           count(DISTINCT b.person) FILTER (WHERE b.selvbosatt) AS bosatte_selvbosatt,
           count(DISTINCT b.kommune) FILTER (WHERE b.selvbosatt AND b.kommune <> '') AS kommuner_selvbosatt,
           count(DISTINCT b.kommune) FILTER (WHERE b.em AND b.kommune <> '') AS kommuner_bosatt_em,
           count(DISTINCT b.person) FILTER (WHERE b.innen_6mnd) AS innen_6mnd,
           count(DISTINCT b.person) FILTER (WHERE b.innen_12mnd) AS innen_12mnd,
           count(DISTINCT b.person) FILTER (WHERE NOT b.innen_12mnd) AS bosatt_etter_12mnd,
           count(DISTINCT b.person) FILTER (WHERE b.em AND b.innen_3mnd) AS em_innen_3mnd,
           avg(b.ventedager) / 30.4375 AS ventetid,
           avg(b.ventedager) FILTER (WHERE b.em) / 30.4375 AS ventetid_em,
           avg(b.ventedager) FILTER (WHERE b.barnefamilie) / 30.4375 AS ventetid_familie
    FROM b
    JOIN region_kart r ON r.aar = b.aar AND r.kommune = b.kommune
    GROUP BY b.aar, r.niva, r.region
),
antall AS (
    FROM s UNPIVOT INCLUDE NULLS (teller FOR indikator IN (
        bosatte, bosatte_ovf, bosatte_em, bosatte_em_over15, bosatte_em_under15,
        barnefamilier, barnefamilier_personer, barnefamilier_barn, bosatte_andre_voksne,
        bosatte_selvbosatt, kommuner_selvbosatt, kommuner_bosatt_em, bosatt_etter_12mnd
    ))
),
andeler AS (
    FROM s UNPIVOT INCLUDE NULLS ((teller, nevner) FOR indikator IN (
        (innen_6mnd, bosatte) AS andel_bosatt_6mnd,
        (innen_12mnd, bosatte) AS andel_bosatt_12mnd,
        (em_innen_3mnd, bosatte_em) AS andel_em_bosatt_3mnd
    ))
)
FROM antall_rader('antall')
UNION ALL
FROM andel_rader('andeler')
UNION ALL
-- means: the mean in months over the persons (nevner), no teller
SELECT indikator, aar, niva, region, verdi, CAST(NULL AS BIGINT), nevner
FROM s UNPIVOT INCLUDE NULLS ((verdi, nevner) FOR indikator IN (
    (ventetid, bosatte) AS ventetid_mnd,
    (ventetid_em, bosatte_em) AS ventetid_mnd_em,
    (ventetid_familie, barnefamilier_personer) AS ventetid_mnd_barnefamilier
))
