-- A misspelt materialization.
-- materialized: tabel
SELECT 1 AS x
