-- The region table of both marts (marts.md): every region code and name
-- per year, with its parent fylke ('0' for the nation; the nation has none).
-- Names are those valid in the year, from the embedded reference data.
-- depends: ref_region
SELECT CAST(aar AS INTEGER) AS aar, niva, region, region_navn,
       CASE WHEN niva = 'land' THEN NULL ELSE fylke END AS fylke
FROM ref_region
