
-- Kommune names per year, once each.
-- materialized: table
-- depends: kommune
SELECT DISTINCT kode AS kommune, navn, aar
FROM kommune
