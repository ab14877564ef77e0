-- Model e.
SELECT 1 AS x
