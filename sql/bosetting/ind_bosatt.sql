-- Settlement indicators over persons settled in Y, at every level
-- (indicators.md, "Settlement"): bosatte and its breakdowns, barnefamilier*,
-- selvbosetting, the shares settled within 6 and 12 months (SP1, SP2) and of
-- unaccompanied minors within 3 months (SP3), waiting times, and the counts
-- of kommuner (national only in the catalogue). Counts are of distinct
-- persons per region; protected identities are in the nation only (their
-- kommune is '' in bos_bosatt), so they never make a kommune count either.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: bos_bosatt, bos_barnefamilie, region_kart
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
           count(DISTINCT b.person) FILTER (WHERE b.kategori = 'OVF') AS ovf,
           count(DISTINCT b.person) FILTER (WHERE b.em) AS em,
           count(DISTINCT b.person) FILTER (WHERE b.em AND b.alder >= 15) AS em_over15,
           count(DISTINCT b.person) FILTER (WHERE b.em AND b.alder < 15) AS em_under15,
           count(DISTINCT b.familie_id) FILTER (WHERE b.barnefamilie) AS familier,
           count(DISTINCT b.person) FILTER (WHERE b.barnefamilie) AS familie_personer,
           count(DISTINCT b.person) FILTER (WHERE b.barnefamilie AND b.alder < 18) AS familie_barn,
           count(DISTINCT b.person) FILTER (WHERE NOT b.em AND NOT b.barnefamilie AND NOT b.skjult) AS andre_voksne,
           count(DISTINCT b.person) FILTER (WHERE b.selvbosatt) AS selvbosatt,
           count(DISTINCT b.kommune) FILTER (WHERE b.selvbosatt AND b.kommune <> '') AS kommuner_selvbosatt,
           count(DISTINCT b.kommune) FILTER (WHERE b.em AND b.kommune <> '') AS kommuner_em,
           count(DISTINCT b.person) FILTER (WHERE b.innen_6mnd) AS innen_6mnd,
           count(DISTINCT b.person) FILTER (WHERE b.innen_12mnd) AS innen_12mnd,
           count(DISTINCT b.person) FILTER (WHERE NOT b.innen_12mnd) AS etter_12mnd,
           count(DISTINCT b.person) FILTER (WHERE b.em AND b.innen_3mnd) AS em_innen_3mnd,
           avg(b.ventedager) / 30.4375 AS ventetid,
           avg(b.ventedager) FILTER (WHERE b.em) / 30.4375 AS ventetid_em,
           avg(b.ventedager) FILTER (WHERE b.barnefamilie) / 30.4375 AS ventetid_familie
    FROM b
    JOIN region_kart r ON r.aar = b.aar AND r.kommune = b.kommune
    GROUP BY b.aar, r.niva, r.region
)
SELECT x.indikator, s.aar, s.niva, s.region,
       CAST(x.verdi AS DOUBLE) AS verdi, CAST(x.teller AS BIGINT) AS teller, CAST(x.nevner AS BIGINT) AS nevner
FROM s
CROSS JOIN LATERAL (VALUES
    ('bosatte', s.bosatte, s.bosatte, NULL),
    ('bosatte_ovf', s.ovf, s.ovf, NULL),
    ('bosatte_em', s.em, s.em, NULL),
    ('bosatte_em_over15', s.em_over15, s.em_over15, NULL),
    ('bosatte_em_under15', s.em_under15, s.em_under15, NULL),
    ('barnefamilier', s.familier, s.familier, NULL),
    ('barnefamilier_personer', s.familie_personer, s.familie_personer, NULL),
    ('barnefamilier_barn', s.familie_barn, s.familie_barn, NULL),
    ('bosatte_andre_voksne', s.andre_voksne, s.andre_voksne, NULL),
    ('bosatte_selvbosatt', s.selvbosatt, s.selvbosatt, NULL),
    ('kommuner_selvbosatt', s.kommuner_selvbosatt, s.kommuner_selvbosatt, NULL),
    ('kommuner_bosatt_em', s.kommuner_em, s.kommuner_em, NULL),
    ('andel_bosatt_6mnd', s.innen_6mnd / nullif(s.bosatte, 0), s.innen_6mnd, s.bosatte),
    ('andel_bosatt_12mnd', s.innen_12mnd / nullif(s.bosatte, 0), s.innen_12mnd, s.bosatte),
    ('bosatt_etter_12mnd', s.etter_12mnd, s.etter_12mnd, NULL),
    ('andel_em_bosatt_3mnd', s.em_innen_3mnd / nullif(s.em, 0), s.em_innen_3mnd, s.em),
    ('ventetid_mnd', s.ventetid, NULL, s.bosatte),
    ('ventetid_mnd_em', s.ventetid_em, NULL, s.em),
    ('ventetid_mnd_barnefamilier', s.ventetid_familie, NULL, s.familie_personer)
) AS x(indikator, verdi, teller, nevner)
