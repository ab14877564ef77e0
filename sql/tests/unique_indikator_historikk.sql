-- One value per indicator, year, level, region and data state.
-- depends: indikator_historikk
SELECT indikator, aar, niva, region, data_per, count(*) AS n
FROM indikator_historikk
GROUP BY ALL
HAVING count(*) > 1
