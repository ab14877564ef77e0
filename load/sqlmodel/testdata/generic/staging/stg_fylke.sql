-- Fylker, as delivered.
-- depends: raw_fylke
SELECT kode, land FROM raw_fylke
