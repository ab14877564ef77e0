-- Every kommune settled in has a name in its year.
-- depends: indikator
-- severity: error
SELECT kommune, aar FROM indikator WHERE navn IS NULL ORDER BY kommune
