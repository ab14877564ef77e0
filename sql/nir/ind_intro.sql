-- Introduction-programme indicators at every level (indicators.md,
-- "Introduction programme"). A person counts once in each region where one
-- of their spells qualifies. Person-level facts used within a region:
--   the ending spell of a person who completed in Y (the completed spell
--   with the latest sluttdato in Y) for andel_intro_direkte_arbeid_utdanning;
--   an utvidet spell during Y, and INTRO hours in GRUNNSKOLE or VGS in Y,
--   for the shares of participants.
-- intro_pabegynt counts in the kommune of the person's earliest spell, and
-- andel_intro_start_3mnd in the kommune of the earliest RP decision.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: antall_rader, andel_rader, nir_intro_aar, nir_timer_gyldig, stg_nir_introprogram, ref_kommune_aar, region_kart, aar
WITH avslutning AS (
    SELECT aar, person, bool_or(avslutning IN ('ARB', 'UTD', 'AOU')) AS direkte
    FROM (SELECT *, max(sluttdato) OVER (PARTITION BY aar, person) AS siste
          FROM nir_intro_aar WHERE avsluttet)
    WHERE sluttdato = siste
    GROUP BY aar, person
),
utvidet AS (
    SELECT DISTINCT aar, person FROM nir_intro_aar WHERE deltaker AND utvidet
),
skole AS (
    SELECT aar, person, bool_or(tiltak = 'GRUNNSKOLE') AS grunnskole, bool_or(tiltak = 'VGS') AS vgs
    FROM nir_timer_gyldig
    WHERE program = 'INTRO' AND tiltak IN ('GRUNNSKOLE', 'VGS')
    GROUP BY aar, person
),
spell AS (
    SELECT i.*, s.direkte, u.person IS NOT NULL AS har_utvidet,
           coalesce(k.grunnskole, false) AS grunnskole, coalesce(k.vgs, false) AS vgs
    FROM nir_intro_aar i
    LEFT JOIN avslutning s ON s.aar = i.aar AND s.person = i.person
    LEFT JOIN utvidet u ON u.aar = i.aar AND u.person = i.person
    LEFT JOIN skole k ON k.aar = i.aar AND k.person = i.person
),
personer AS (
    SELECT i.aar, r.niva, r.region,
           count(DISTINCT i.person) FILTER (WHERE i.rett_plikt) AS intro_rett_plikt,
           count(DISTINCT i.person) FILTER (WHERE i.deltaker_3112) AS intro_deltakere_3112,
           count(DISTINCT i.person) FILTER (WHERE i.deltaker) AS intro_deltakere,
           count(DISTINCT i.person) FILTER (WHERE i.avsluttet) AS intro_avsluttet,
           count(DISTINCT i.person) FILTER (WHERE i.avsluttet AND i.direkte) AS direkte,
           count(DISTINCT i.person) FILTER (WHERE i.deltaker AND i.har_utvidet) AS utvidet,
           count(DISTINCT i.person) FILTER (WHERE i.deltaker AND i.grunnskole) AS grunnskole,
           count(DISTINCT i.person) FILTER (WHERE i.deltaker AND i.vgs) AS vgs,
           count(DISTINCT i.kommune) FILTER (WHERE i.deltaker AND i.kommune <> '') AS kommuner_intro
    FROM spell i
    JOIN region_kart r ON r.aar = i.aar AND r.kommune = i.kommune
    GROUP BY i.aar, r.niva, r.region
),
forste AS (
    SELECT person,
           min(startdato) AS forste_start,
           min(rett_plikt_dato) FILTER (WHERE rettighet = 'RP') AS forste_rett_plikt
    FROM stg_nir_introprogram
    GROUP BY person
),
pabegynt AS (
    SELECT year(f.forste_start) AS aar, i.person, coalesce(ka.kode_aar, '') AS kommune
    FROM stg_nir_introprogram i
    JOIN forste f ON f.person = i.person AND i.startdato = f.forste_start
    LEFT JOIN ref_kommune_aar ka ON ka.kode = i.kommunenummer AND ka.aar = year(f.forste_start)
    WHERE year(f.forste_start) IN (SELECT aar FROM aar WHERE NOT neste)
),
kohort AS (
    -- Y is the year whose 1.10.(Y-1)–30.9.Y window holds the earliest RP date
    SELECT year(CAST(f.forste_rett_plikt + INTERVAL 3 MONTH AS DATE)) AS aar, i.person,
           coalesce(ka.kode_aar, '') AS kommune,
           coalesce(f.forste_start <= CAST(f.forste_rett_plikt + INTERVAL 3 MONTH AS DATE), false) AS innen_3mnd
    FROM stg_nir_introprogram i
    JOIN forste f ON f.person = i.person AND i.rettighet = 'RP' AND i.rett_plikt_dato = f.forste_rett_plikt
    LEFT JOIN ref_kommune_aar ka ON ka.kode = i.kommunenummer
          AND ka.aar = year(CAST(f.forste_rett_plikt + INTERVAL 3 MONTH AS DATE))
),
start AS (
    SELECT x.aar, r.niva, r.region,
           count(DISTINCT x.person) FILTER (WHERE x.hva = 'pabegynt') AS intro_pabegynt,
           count(DISTINCT x.person) FILTER (WHERE x.hva = 'kohort') AS kohort,
           count(DISTINCT x.person) FILTER (WHERE x.hva = 'kohort' AND x.innen_3mnd) AS start_3mnd
    FROM (SELECT aar, person, kommune, 'pabegynt' AS hva, false AS innen_3mnd FROM pabegynt
          UNION ALL
          SELECT aar, person, kommune, 'kohort', innen_3mnd FROM kohort
          WHERE aar IN (SELECT aar FROM aar WHERE NOT neste)) x
    JOIN region_kart r ON r.aar = x.aar AND r.kommune = x.kommune
    GROUP BY x.aar, r.niva, r.region
),
skolekommuner AS (
    SELECT t.aar, r.niva, r.region,
           count(DISTINCT t.kommune) FILTER (WHERE t.tiltak = 'GRUNNSKOLE') AS kommuner_intro_grunnskole,
           count(DISTINCT t.kommune) FILTER (WHERE t.tiltak = 'VGS') AS kommuner_intro_vgs
    FROM nir_timer_gyldig t
    JOIN region_kart r ON r.aar = t.aar AND r.kommune = t.kommune
    WHERE t.program = 'INTRO' AND t.tiltak IN ('GRUNNSKOLE', 'VGS') AND t.kommune <> ''
    GROUP BY t.aar, r.niva, r.region
),
antall AS (
    SELECT indikator, aar, niva, region, teller
    FROM personer UNPIVOT INCLUDE NULLS (teller FOR indikator IN (
        intro_rett_plikt, intro_deltakere_3112, intro_deltakere, intro_avsluttet, kommuner_intro
    ))
    UNION ALL
    SELECT indikator, aar, niva, region, teller
    FROM start UNPIVOT INCLUDE NULLS (teller FOR indikator IN (intro_pabegynt))
    UNION ALL
    SELECT indikator, aar, niva, region, teller
    FROM skolekommuner UNPIVOT INCLUDE NULLS (teller FOR indikator IN (kommuner_intro_grunnskole, kommuner_intro_vgs))
),
andeler AS (
    SELECT indikator, aar, niva, region, teller, nevner
    FROM personer UNPIVOT INCLUDE NULLS ((teller, nevner) FOR indikator IN (
        (direkte, intro_avsluttet) AS andel_intro_direkte_arbeid_utdanning,
        (utvidet, intro_deltakere) AS andel_intro_utvidet,
        (grunnskole, intro_deltakere) AS andel_intro_grunnskole,
        (vgs, intro_deltakere) AS andel_intro_vgs
    ))
    UNION ALL
    SELECT indikator, aar, niva, region, teller, nevner
    FROM start UNPIVOT INCLUDE NULLS ((teller, nevner) FOR indikator IN ((start_3mnd, kohort) AS andel_intro_start_3mnd))
)
FROM antall_rader('antall')
UNION ALL
FROM andel_rader('andeler')
