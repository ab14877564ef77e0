-- Settled in the whole country per year.
-- depends: indikator
SELECT aar, sum(antall)::BIGINT AS antall
FROM indikator
GROUP BY aar
