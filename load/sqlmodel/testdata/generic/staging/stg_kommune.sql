-- Kommuner, as delivered.
-- depends: raw_kommune
SELECT kode, fylke, land, niva FROM raw_kommune
