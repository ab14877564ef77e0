-- Kommuner per fylke.
-- depends: stg_kommune, stg_fylke
-- materialized: table
SELECT f.kode AS fylke, count(k.kode) AS kommuner, CAST(0 AS BIGINT) AS intern
FROM stg_fylke f LEFT JOIN stg_kommune k ON k.fylke = f.kode
GROUP BY f.kode
