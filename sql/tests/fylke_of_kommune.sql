-- Every kommune's fylke is a fylke of the same year. (That every figure's
-- region is in the region table is a generic test in marts/schema.txt.)
-- depends: region
SELECT k.aar, k.niva, k.region, k.fylke
FROM region k
LEFT JOIN region f ON f.aar = k.aar AND f.niva = 'fylke' AND f.region = k.fylke
WHERE k.niva = 'kommune' AND f.region IS NULL
