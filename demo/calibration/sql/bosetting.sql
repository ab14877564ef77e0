-- Settlement indicators at national level (indicators.md, "Settlement"),
-- one row per indicator and year Y of table aar: bosatte*, barnefamilier*,
-- bosatte_andre_voksne, bosatte_selvbosatt, kommuner_selvbosatt,
-- kommuner_bosatt_em, andel_bosatt_6mnd, andel_bosatt_12mnd,
-- bosatt_etter_12mnd, andel_em_bosatt_3mnd, ventetid_mnd*, venter_3112*.
-- Input: bosetting_personer. A person is a DUF number. Persons with
-- skjult_identitet count at national level; a kommune is counted in
-- kommuner_* only for persons without it.

-- persons settled in Y, with their age on bosatt_dato
CREATE OR REPLACE VIEW bosatt AS
SELECT year(p.bosatt_dato) AS aar,
       p.*,
       coalesce(p.enslig_mindreaarig, false) AS em,
       coalesce(p.skjult_identitet, false) AS skjult,
       alder(p.fodselsdato, p.bosatt_dato) AS alder,
       maaneder(p.vedtak_dato, p.bosatt_dato) AS ventetid
FROM bosetting_personer p
WHERE year(p.bosatt_dato) IN (SELECT aar FROM aar);

-- households settled in Y with a member under 18 and one aged 18 or more,
-- and no unaccompanied minor
CREATE OR REPLACE VIEW barnefamilie AS
SELECT aar, familie_id
FROM bosatt
WHERE familie_id IS NOT NULL
GROUP BY aar, familie_id
HAVING NOT bool_or(em) AND bool_or(alder < 18) AND bool_or(alder >= 18);

-- persons waiting on 31.12.Y: decision by then, not from abroad, not settled by then
CREATE OR REPLACE VIEW venter AS
SELECT a.aar,
       p.duf,
       p.familie_id,
       p.vedtak_dato,
       coalesce(p.enslig_mindreaarig, false) AS em,
       alder(p.fodselsdato, aar_slutt(a.aar)) AS alder
FROM bosetting_personer p
JOIN aar a ON p.vedtak_dato <= aar_slutt(a.aar)
          AND p.fra IS DISTINCT FROM 'UTLANDET'
          AND (p.bosatt_dato IS NULL OR p.bosatt_dato > aar_slutt(a.aar));

-- waiting households with a member under 18 and one aged 18 or more on 31.12.Y
CREATE OR REPLACE VIEW venter_familie AS
SELECT aar, familie_id
FROM venter
WHERE familie_id IS NOT NULL
GROUP BY aar, familie_id
HAVING bool_or(alder < 18) AND bool_or(alder >= 18);

WITH b AS (
    SELECT a.aar,
           count(p.duf) AS bosatte,
           count(*) FILTER (WHERE p.kategori = 'OVF') AS ovf,
           count(*) FILTER (WHERE p.em) AS em,
           count(*) FILTER (WHERE p.em AND p.alder >= 15) AS em_over15,
           count(*) FILTER (WHERE p.em AND p.alder < 15) AS em_under15,
           count(DISTINCT f.familie_id) AS familier,
           count(f.familie_id) AS familie_personer,
           count(f.familie_id) FILTER (WHERE p.alder < 18) AS familie_barn,
           count(*) FILTER (WHERE NOT p.em AND f.familie_id IS NULL AND NOT p.skjult) AS andre_voksne,
           count(*) FILTER (WHERE p.avtalt_selvbosetting) AS selvbosatt,
           count(DISTINCT p.kommunenummer) FILTER (WHERE p.avtalt_selvbosetting AND NOT p.skjult) AS kommuner_selvbosatt,
           count(DISTINCT p.kommunenummer) FILTER (WHERE p.em AND NOT p.skjult) AS kommuner_em,
           count(*) FILTER (WHERE innen_mnd(p.vedtak_dato, p.bosatt_dato, 6)) AS innen_6mnd,
           count(*) FILTER (WHERE innen_mnd(p.vedtak_dato, p.bosatt_dato, 12)) AS innen_12mnd,
           count(*) FILTER (WHERE NOT innen_mnd(p.vedtak_dato, p.bosatt_dato, 12)) AS etter_12mnd,
           count(*) FILTER (WHERE p.em AND innen_mnd(p.vedtak_dato, p.bosatt_dato, 3)) AS em_innen_3mnd,
           avg(p.ventetid) AS ventetid,
           avg(p.ventetid) FILTER (WHERE p.em) AS ventetid_em,
           avg(p.ventetid) FILTER (WHERE f.familie_id IS NOT NULL) AS ventetid_familie
    FROM aar a
    LEFT JOIN bosatt p ON p.aar = a.aar
    LEFT JOIN barnefamilie f ON f.aar = p.aar AND f.familie_id = p.familie_id
    GROUP BY a.aar
),
v AS (
    SELECT a.aar,
           count(w.duf) AS venter,
           count(*) FILTER (WHERE NOT w.em AND f.familie_id IS NOT NULL) AS familie,
           count(*) FILTER (WHERE w.em) AS em,
           count(*) FILTER (WHERE pluss_mnd(w.vedtak_dato, 12) < aar_slutt(a.aar)) AS over12mnd
    FROM aar a
    LEFT JOIN venter w ON w.aar = a.aar
    LEFT JOIN venter_familie f ON f.aar = w.aar AND f.familie_id = w.familie_id
    GROUP BY a.aar
)
SELECT x.indikator, b.aar, CAST(x.verdi AS DOUBLE), CAST(x.teller AS BIGINT), CAST(x.nevner AS BIGINT)
FROM b
JOIN v ON v.aar = b.aar
CROSS JOIN LATERAL (VALUES
    ('bosatte', b.bosatte, b.bosatte, NULL),
    ('bosatte_ovf', b.ovf, b.ovf, NULL),
    ('bosatte_em', b.em, b.em, NULL),
    ('bosatte_em_over15', b.em_over15, b.em_over15, NULL),
    ('bosatte_em_under15', b.em_under15, b.em_under15, NULL),
    ('barnefamilier', b.familier, b.familier, NULL),
    ('barnefamilier_personer', b.familie_personer, b.familie_personer, NULL),
    ('barnefamilier_barn', b.familie_barn, b.familie_barn, NULL),
    ('bosatte_andre_voksne', b.andre_voksne, b.andre_voksne, NULL),
    ('bosatte_selvbosatt', b.selvbosatt, b.selvbosatt, NULL),
    ('kommuner_selvbosatt', b.kommuner_selvbosatt, b.kommuner_selvbosatt, NULL),
    ('kommuner_bosatt_em', b.kommuner_em, b.kommuner_em, NULL),
    ('andel_bosatt_6mnd', b.innen_6mnd / nullif(b.bosatte, 0), b.innen_6mnd, b.bosatte),
    ('andel_bosatt_12mnd', b.innen_12mnd / nullif(b.bosatte, 0), b.innen_12mnd, b.bosatte),
    ('bosatt_etter_12mnd', b.etter_12mnd, b.etter_12mnd, NULL),
    ('andel_em_bosatt_3mnd', b.em_innen_3mnd / nullif(b.em, 0), b.em_innen_3mnd, b.em),
    ('ventetid_mnd', b.ventetid, NULL, b.bosatte),
    ('ventetid_mnd_em', b.ventetid_em, NULL, b.em),
    ('ventetid_mnd_barnefamilier', b.ventetid_familie, NULL, b.familie_personer),
    ('venter_3112', v.venter, v.venter, NULL),
    ('venter_3112_familie', v.familie, v.familie, NULL),
    ('venter_3112_em', v.em, v.em, NULL),
    ('venter_3112_andre', v.venter - v.familie - v.em, v.venter - v.familie - v.em, NULL),
    ('venter_3112_over12mnd', v.over12mnd, v.over12mnd, NULL)
) AS x(indikator, verdi, teller, nevner);
