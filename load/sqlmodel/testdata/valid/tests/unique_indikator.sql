-- Each kommune and year appears once in indikator.
-- depends: indikator
SELECT kommune, aar, count(*) AS n
FROM indikator
GROUP BY kommune, aar
HAVING count(*) > 1
