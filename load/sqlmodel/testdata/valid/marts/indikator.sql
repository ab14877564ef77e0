-- Settled per kommune and year, with the kommune's name.
--
-- A kommune missing from the name list keeps a NULL name (a data test finds it).
-- depends: bosatte
-- depends: kommune_navn, bosatte
-- materialized: TABLE
SELECT b.kommune, b.aar, n.navn, b.antall
FROM bosatte AS b
LEFT JOIN kommune_navn AS n USING (kommune, aar)  -- names valid in the year
