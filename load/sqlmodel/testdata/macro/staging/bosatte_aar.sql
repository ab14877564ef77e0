-- Settled refugees per kommune and year.
-- depends: bosetting
SELECT kommune, aar, count(*) AS antall
FROM bosetting
GROUP BY kommune, aar
