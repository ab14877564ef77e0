-- indikator_historikk of the analysis mart (marts.md): every value at every
-- data state stored in the history up to the publication's as-of date,
-- unsuppressed, with the region's name in the year and the status:
-- NIR figures for Y are preliminary ('p') until a state on or after the
-- last day of February Y+1; other figures until a state on or after
-- 31.12.Y (the year is not over before). A source's values are stored at
-- the dates it delivered; indikator_per(D) gives the values as of any D.
-- depends: historikk, ref_region, publisering
SELECT h.indikator,
       CAST(h.aar AS INTEGER) AS aar,
       h.niva,
       h.region,
       r.region_navn,
       h.verdi,
       h.teller,
       h.nevner,
       CASE WHEN h.kilde = 'nir' AND h.data_per < CAST(make_date(h.aar + 1, 3, 1) - INTERVAL 1 DAY AS DATE) THEN 'p'
            WHEN h.kilde <> 'nir' AND h.data_per < make_date(h.aar, 12, 31) THEN 'p'
            ELSE '' END AS status,
       h.data_per,
       h.kilde,
       h.beskyttet
FROM historikk h
JOIN ref_region r ON r.aar = h.aar AND r.niva = h.niva AND r.region = h.region
WHERE h.data_per <= (SELECT as_of FROM publisering)
