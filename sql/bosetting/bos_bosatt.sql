-- Persons settled in year Y (bosatt_dato in Y, for every Y of table aar):
-- the population of the settlement indicators. kommune is the settlement
-- kommune in Y's codes, or '' for a person with protected identity, who
-- counts at national level only. ventedager: days from vedtak_dato to
-- bosatt_dato (months = days / 30.4375).
-- depends: stg_bosetting_personer, ref_kommune_aar, aar
-- materialized: table
SELECT year(p.bosatt_dato) AS aar,
       p.person,
       p.familie_id,
       p.kategori,
       p.em,
       p.skjult,
       p.selvbosatt,
       p.alder_bosatt AS alder,
       p.vedtak_dato,
       p.bosatt_dato,
       date_diff('day', p.vedtak_dato, p.bosatt_dato) AS ventedager,
       CASE WHEN p.skjult THEN '' ELSE coalesce(ka.kode_aar, '') END AS kommune
FROM stg_bosetting_personer p
LEFT JOIN ref_kommune_aar ka ON ka.kode = p.kommunenummer AND ka.aar = year(p.bosatt_dato)
WHERE year(p.bosatt_dato) IN (SELECT aar FROM aar WHERE NOT neste)
