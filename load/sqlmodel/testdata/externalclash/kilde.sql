-- A model named like the external relation.
SELECT 1 AS x
