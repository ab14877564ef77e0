-- The other model named same.
SELECT 2 AS x
