-- Region map: for every year and every kommune code valid in it, the three
-- regions a record of that kommune counts in: the nation ('land', '0'), its
-- fylke and the kommune itself. A record whose kommune is '' (unknown, or a
-- person with protected identity) counts in the nation only. Joining facts
-- on (aar, kommune) to this map and grouping by (aar, niva, region) computes
-- a figure at every level in one pass, counting a person once per region.
-- depends: ref_region
-- materialized: table
SELECT aar, region AS kommune, 'land' AS niva, '0' AS region
FROM ref_region WHERE niva = 'kommune'
UNION ALL
SELECT aar, region, 'fylke', fylke
FROM ref_region WHERE niva = 'kommune'
UNION ALL
SELECT aar, region, 'kommune', region
FROM ref_region WHERE niva = 'kommune'
UNION ALL
SELECT aar, '', 'land', '0'
FROM ref_region WHERE niva = 'land'
