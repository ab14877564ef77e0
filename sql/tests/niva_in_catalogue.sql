-- Every figure is at a level the catalogue names for its indicator, and
-- a national figure's region is '0'. (The levels, statuses and indicator
-- ids themselves are generic tests in marts/schema.txt.)
-- depends: indikator_historikk, indikator_katalog
SELECT h.indikator, h.aar, h.niva, h.region
FROM indikator_historikk h
JOIN indikator_katalog k USING (indikator)
WHERE NOT list_contains(string_split(k.nivaer, ','), h.niva)
   OR (h.niva = 'land' AND h.region <> '0')
