-- Settled refugees per kommune and year.
-- One row per kommune and year with at least one person settled.
-- depends: bosetting
SELECT kommune, aar, count(*) AS antall
FROM bosetting
GROUP BY kommune, aar;
