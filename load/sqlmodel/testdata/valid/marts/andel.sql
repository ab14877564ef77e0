-- Each kommune's share of the country's settled in the year.
-- depends: indikator, land
-- materialized: table
WITH k AS (SELECT kommune, aar, antall FROM indikator)
SELECT k.kommune, k.aar, k.antall / l.antall AS andel
FROM k JOIN land AS l USING (aar);  -- trailing comment after the semicolon
