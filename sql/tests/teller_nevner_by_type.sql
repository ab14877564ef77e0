-- A count always has its teller, a share or mean its nevner (nothing is
-- suppressed in the analysis mart). (The columns never NULL are a generic
-- test in marts/schema.txt.)
-- depends: indikator_historikk, indikator_katalog
SELECT h.indikator, h.aar, h.niva, h.region, h.data_per
FROM indikator_historikk h
JOIN indikator_katalog k USING (indikator)
WHERE (k.type = 'antall' AND h.teller IS NULL)
   OR (k.type <> 'antall' AND h.nevner IS NULL)
