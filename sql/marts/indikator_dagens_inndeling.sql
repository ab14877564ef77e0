-- Additive counts as a time series on today's municipality structure: the
-- kommune figures of every year and data state, each old code mapped to the
-- code it has in the newest list of the reference data (0706, 0719 and
-- 0720 of 2016 all count as 3804 Sandefjord) and summed. Only indicators
-- the catalogue marks additive and counts (a person or request in one
-- kommune only); a sum is marked beskyttet when any part is, so it never
-- reveals a suppressed part. Preliminary when any part is.
-- depends: indikator_historikk, indikator_katalog, ref_kommune_dagens
SELECT h.indikator,
       h.aar,
       'kommune' AS niva,
       d.kode_dagens AS region,
       any_value(d.navn_dagens) AS region_navn,
       CAST(sum(h.teller) AS DOUBLE) AS verdi,
       CAST(sum(h.teller) AS BIGINT) AS teller,
       CAST(NULL AS BIGINT) AS nevner,
       max(h.status) AS status,
       h.data_per,
       h.kilde,
       bool_or(h.beskyttet) AS beskyttet,
       string_agg(DISTINCT h.region, ',' ORDER BY h.region) AS koder
FROM indikator_historikk h
JOIN indikator_katalog k ON k.indikator = h.indikator
JOIN ref_kommune_dagens d ON d.kode = h.region
WHERE h.niva = 'kommune' AND k.additiv AND k.type = 'antall'
GROUP BY h.indikator, h.aar, d.kode_dagens, h.data_per, h.kilde
