-- Model c reads a through a quoted identifier in another case, d in a subquery
-- and a comma join, e qualified by its schema.
-- depends: kilde
SELECT *
FROM "A"
WHERE x IN (SELECT x FROM kilde, d)
  AND x IN (SELECT x FROM main.e)
