-- The identifying columns and the status are never NULL, and a count
-- always has its teller (nothing is suppressed in the analysis mart).
-- depends: indikator_historikk, indikator_katalog
SELECT h.indikator, h.aar, h.niva, h.region, h.data_per
FROM indikator_historikk h
JOIN indikator_katalog k USING (indikator)
WHERE h.aar IS NULL OR h.niva IS NULL OR h.region IS NULL OR h.region_navn IS NULL
   OR h.status IS NULL OR h.data_per IS NULL OR h.verdi IS NULL
   OR (k.type = 'antall' AND h.teller IS NULL)
   OR (k.type <> 'antall' AND h.nevner IS NULL)
