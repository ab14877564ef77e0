-- Model d.
SELECT 1 AS x
