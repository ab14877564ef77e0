-- Norwegian and social-studies training indicators at every level
-- (indicators.md, "Norwegian and social-studies training").
--   norsk_deltakere_rp / norsk_deltakere / norsk_asyl_deltakere: persons
--   with a norskopplaering row of the right kind (anywhere) and hours that
--   count in NORSK or SAMF (NORSK only for asylum seekers) in a month of Y;
--   region: the kommune of the hours.
--   The SP4 cohort of Y: persons whose earliest RP rett_plikt_dato is in Y;
--   region: that row's kommune; started within 3 or 6 months when that
--   row's forste_time_dato is on or before the date + 3 or 6 months.
--   kv_maalgruppe / kv_startet: KV rows with rett_plikt_dato in Y (and
--   forste_time_dato in Y); region: the row's kommune.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: antall_rader, andel_rader, stg_nir_norskopplaering, nir_timer_gyldig, ref_kommune_aar, region_kart, aar
WITH rett AS (
    SELECT person,
           bool_or(rettighet = 'RP') AS rp,
           bool_or(rettighet IN ('RP', 'P', 'R')) AS rp_p_r,
           bool_or(rettighet = 'ASYL') AS asyl
    FROM stg_nir_norskopplaering
    GROUP BY person
),
timer AS (
    SELECT t.aar, r2.niva, r2.region,
           count(DISTINCT t.person) FILTER (WHERE r.rp AND t.tiltak IN ('NORSK', 'SAMF')) AS norsk_deltakere_rp,
           count(DISTINCT t.person) FILTER (WHERE r.rp_p_r AND t.tiltak IN ('NORSK', 'SAMF')) AS norsk_deltakere,
           count(DISTINCT t.kommune) FILTER (WHERE r.rp_p_r AND t.tiltak IN ('NORSK', 'SAMF') AND t.kommune <> '') AS kommuner_norsk,
           count(DISTINCT t.person) FILTER (WHERE r.asyl AND t.tiltak = 'NORSK') AS norsk_asyl_deltakere
    FROM nir_timer_gyldig t
    JOIN rett r ON r.person = t.person
    JOIN region_kart r2 ON r2.aar = t.aar AND r2.kommune = t.kommune
    WHERE t.tiltak IN ('NORSK', 'SAMF')
    GROUP BY t.aar, r2.niva, r2.region
),
kohort AS (
    SELECT year(o.forste) AS aar, o.person, coalesce(ka.kode_aar, '') AS kommune,
           coalesce(o.forste_time_dato <= CAST(o.forste + INTERVAL 3 MONTH AS DATE), false) AS innen_3mnd,
           coalesce(o.forste_time_dato <= CAST(o.forste + INTERVAL 6 MONTH AS DATE), false) AS innen_6mnd
    FROM (SELECT *, min(rett_plikt_dato) OVER (PARTITION BY person) AS forste
          FROM stg_nir_norskopplaering
          WHERE rettighet = 'RP' AND rett_plikt_dato IS NOT NULL) o
    LEFT JOIN ref_kommune_aar ka ON ka.kode = o.kommunenummer AND ka.aar = year(o.forste)
    WHERE o.rett_plikt_dato = o.forste AND year(o.forste) IN (SELECT aar FROM aar WHERE NOT neste)
),
kv AS (
    SELECT year(o.rett_plikt_dato) AS aar, o.person, coalesce(ka.kode_aar, '') AS kommune,
           coalesce(year(o.forste_time_dato) = year(o.rett_plikt_dato), false) AS startet
    FROM stg_nir_norskopplaering o
    LEFT JOIN ref_kommune_aar ka ON ka.kode = o.kommunenummer AND ka.aar = year(o.rett_plikt_dato)
    WHERE o.rettighet = 'KV' AND year(o.rett_plikt_dato) IN (SELECT aar FROM aar WHERE NOT neste)
),
rader AS (
    SELECT x.aar, r.niva, r.region,
           count(DISTINCT x.person) FILTER (WHERE x.hva = 'kohort') AS norsk_rp_kohort,
           count(DISTINCT x.person) FILTER (WHERE x.hva = 'kohort' AND x.innen_3mnd) AS innen_3mnd,
           count(DISTINCT x.person) FILTER (WHERE x.hva = 'kohort' AND x.innen_6mnd) AS innen_6mnd,
           count(DISTINCT x.person) FILTER (WHERE x.hva = 'kv') AS kv_maalgruppe,
           count(DISTINCT x.person) FILTER (WHERE x.hva = 'kv' AND x.startet) AS kv_startet
    FROM (SELECT aar, person, kommune, 'kohort' AS hva, innen_3mnd, innen_6mnd, false AS startet FROM kohort
          UNION ALL
          SELECT aar, person, kommune, 'kv', false, false, startet FROM kv) x
    JOIN region_kart r ON r.aar = x.aar AND r.kommune = x.kommune
    GROUP BY x.aar, r.niva, r.region
),
antall AS (
    SELECT indikator, aar, niva, region, teller
    FROM timer UNPIVOT INCLUDE NULLS (teller FOR indikator IN (
        norsk_deltakere_rp, norsk_deltakere, kommuner_norsk, norsk_asyl_deltakere
    ))
    UNION ALL
    SELECT indikator, aar, niva, region, teller
    FROM rader UNPIVOT INCLUDE NULLS (teller FOR indikator IN (norsk_rp_kohort, kv_maalgruppe, kv_startet))
),
andeler AS (
    FROM rader UNPIVOT INCLUDE NULLS ((teller, nevner) FOR indikator IN (
        (innen_3mnd, norsk_rp_kohort) AS andel_norsk_start_3mnd,
        (innen_6mnd, norsk_rp_kohort) AS andel_norsk_start_6mnd
    ))
)
FROM antall_rader('antall')
UNION ALL
FROM andel_rader('andeler')
