-- One of two models named same.
SELECT 1 AS x
