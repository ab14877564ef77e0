-- Every introduction-programme spell (introprogram row) in every year Y of
-- table aar, with its kommune in Y's codes and what the spell says about Y:
--   rett_plikt    an RP decision whose right overlaps Y: from rett_plikt_dato
--                 to sluttdato; open while the spell runs; two years after
--                 rett_plikt_dato for a spell never started
--   deltaker      in the programme during Y (startdato <= 31.12.Y, sluttdato
--                 null or >= 1.1.Y); deltaker_3112 on 31.12.Y
--   avsluttet     ended in Y with avslutning ARB, UTD, AOU or FUL
-- depends: stg_nir_introprogram, ref_kommune_aar, aar
-- materialized: table
SELECT a.aar,
       i.person,
       i.rettighet,
       i.rett_plikt_dato,
       i.startdato,
       i.sluttdato,
       i.avslutning,
       coalesce(i.utvidet, false) AS utvidet,
       coalesce(ka.kode_aar, '') AS kommune,
       coalesce(i.rettighet = 'RP'
                AND i.rett_plikt_dato <= make_date(a.aar, 12, 31)
                AND CASE WHEN i.sluttdato IS NOT NULL THEN i.sluttdato >= make_date(a.aar, 1, 1)
                         WHEN i.startdato IS NOT NULL THEN true
                         ELSE CAST(i.rett_plikt_dato + INTERVAL 24 MONTH AS DATE) >= make_date(a.aar, 1, 1)
                    END, false) AS rett_plikt,
       coalesce(i.startdato <= make_date(a.aar, 12, 31)
                AND (i.sluttdato IS NULL OR i.sluttdato >= make_date(a.aar, 1, 1)), false) AS deltaker,
       coalesce(i.startdato <= make_date(a.aar, 12, 31)
                AND (i.sluttdato IS NULL OR i.sluttdato >= make_date(a.aar, 12, 31)), false) AS deltaker_3112,
       coalesce(year(i.sluttdato) = a.aar
                AND i.avslutning IN ('ARB', 'UTD', 'AOU', 'FUL'), false) AS avsluttet
FROM stg_nir_introprogram i
CROSS JOIN (SELECT aar FROM aar WHERE NOT neste) a
LEFT JOIN ref_kommune_aar ka ON ka.kode = i.kommunenummer AND ka.aar = a.aar
