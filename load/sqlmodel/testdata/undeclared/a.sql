-- Model a.
-- depends: kilde
SELECT 1 AS x FROM kilde
