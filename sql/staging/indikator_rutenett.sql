-- The grid of figures a data state publishes: every indicator of the
-- catalogue at every region of each level the catalogue names for it, in
-- every year of table aar, with the regions valid in that year (the year
-- after the state's own only for the catalogue's neste_aar figures). The
-- per-source indicator models fill it: a count missing from the grid's
-- region is 0; a share or mean over nobody has no value and no row.
-- depends: indikator_katalog, ref_region, aar
SELECT k.indikator, k.kilde, k.type, r.aar, r.niva, r.region
FROM indikator_katalog k
JOIN ref_region r ON list_contains(string_split(k.nivaer, ','), r.niva)
JOIN aar a ON a.aar = r.aar
WHERE NOT a.neste OR k.neste_aar
