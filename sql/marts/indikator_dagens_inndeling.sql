-- Additive counts as a time series on today's municipality structure: the
-- kommune figures of every year and data state, each year's code carried to
-- the code or codes its territory has in the newest list of the reference
-- data (0706, 0719 and 0720 of 2016 all count as 3907 Sandefjord) and
-- summed. Only indicators the catalogue marks additive and counts (a person
-- or request in one kommune only).
--
-- Splits: a year's code whose territory lies in several of today's kommuner
-- (1507 Ålesund of 2023: 1508 and 1580; 1534 Haram of 2013 through 1507)
-- cannot be divided between them, since the records do not say in which
-- part a person lived. A sum of today's kommune that has such a part is not
-- stated (NULL, status '.', the reason in merknad), unless that part is a
-- published zero, which adds nothing to any successor.
--
-- A sum is marked beskyttet when any part is, so it never reveals a
-- suppressed part. Preliminary when any part is.
-- depends: indikator_historikk, indikator_katalog, ref_kommune_dagens
WITH deler AS (
    SELECT h.indikator, h.aar, h.data_per, h.kilde, h.region, h.teller, h.status, h.beskyttet,
           d.kode_dagens, d.navn_dagens, d.merknad,
           -- the part adds exactly what it holds to this kommune of today
           NOT d.delt OR coalesce(h.teller = 0 AND NOT h.beskyttet, false) AS eksakt
    FROM indikator_historikk h
    JOIN indikator_katalog k ON k.indikator = h.indikator
    JOIN ref_kommune_dagens d ON d.aar = h.aar AND d.kode = h.region
    WHERE h.niva = 'kommune' AND k.additiv AND k.type = 'antall'
)
SELECT indikator,
       aar,
       'kommune' AS niva,
       kode_dagens AS region,
       any_value(navn_dagens) AS region_navn,
       CASE WHEN bool_and(eksakt) THEN CAST(sum(teller) AS DOUBLE) END AS verdi,
       CASE WHEN bool_and(eksakt) THEN CAST(sum(teller) AS BIGINT) END AS teller,
       CAST(NULL AS BIGINT) AS nevner,
       CASE WHEN bool_and(eksakt) THEN max(status) ELSE '.' END AS status,
       data_per,
       kilde,
       bool_or(beskyttet) AS beskyttet,
       string_agg(DISTINCT region, ',' ORDER BY region) AS koder,
       string_agg(DISTINCT merknad, ' ' ORDER BY merknad) FILTER (WHERE NOT eksakt) AS merknad
FROM deler
GROUP BY indikator, aar, kode_dagens, data_per, kilde
