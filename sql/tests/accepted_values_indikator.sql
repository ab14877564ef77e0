-- Levels, statuses and indicator ids take only their documented values:
-- niva land/fylke/kommune, status '' or 'p' (':' only in the published
-- mart), indikator from the catalogue at a level the catalogue names.
-- depends: indikator_historikk, indikator_katalog
SELECT h.indikator, h.aar, h.niva, h.region, h.status
FROM indikator_historikk h
LEFT JOIN indikator_katalog k USING (indikator)
WHERE h.niva NOT IN ('land', 'fylke', 'kommune')
   OR h.status NOT IN ('', 'p')
   OR k.indikator IS NULL
   OR NOT list_contains(string_split(k.nivaer, ','), h.niva)
   OR (h.niva = 'land' AND h.region <> '0')
