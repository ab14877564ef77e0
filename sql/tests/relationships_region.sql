-- Every figure's region exists in the region table for its year and level,
-- and every kommune's fylke is a fylke of that year.
-- depends: indikator_historikk, region
SELECT h.indikator, h.aar, h.niva, h.region
FROM indikator_historikk h
LEFT JOIN region r ON r.aar = h.aar AND r.niva = h.niva AND r.region = h.region
WHERE r.region IS NULL
UNION ALL
SELECT 'region', k.aar, k.niva, k.region
FROM region k
LEFT JOIN region f ON f.aar = k.aar AND f.niva = 'fylke' AND f.region = k.fylke
WHERE k.niva = 'kommune' AND f.region IS NULL
