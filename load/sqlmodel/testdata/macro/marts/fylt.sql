-- Every kommune and year from fra_aar on with the sum of the counts of the
-- models named in modeller: the grid filled, 0 where they have no row.
-- depends: bosatte_aar
-- materialized: macro
-- parameters: fra_aar, modeller
SELECT k.kommune, k.aar, coalesce(sum(v.antall), 0) AS antall
FROM (SELECT DISTINCT kommune, aar FROM bosatte_aar) AS k
LEFT JOIN query_table(modeller) AS v ON v.kommune = k.kommune AND v.aar = k.aar
WHERE k.aar >= fra_aar
GROUP BY k.kommune, k.aar
