-- A model is not a test.
-- severity: warn
SELECT 1 AS x
