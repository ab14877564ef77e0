-- Model a. Model b only mentions it.
-- depends: kilde
SELECT 1 AS x FROM kilde
