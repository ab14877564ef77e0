-- Every settlement indicator of the data state on the grid: the figures of
-- ind_bosatt, ind_venter and ind_anmodninger at each region the catalogue
-- names, zero counts filled in, shares and means over nobody left out.
-- This is what the build stores in the history for source bosetting.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: indikator_rutenett, ind_bosatt, ind_venter, ind_anmodninger
WITH v AS (
    SELECT * FROM ind_bosatt
    UNION ALL SELECT * FROM ind_venter
    UNION ALL SELECT * FROM ind_anmodninger
)
SELECT g.indikator, g.aar, g.niva, g.region,
       CASE WHEN g.type = 'antall' THEN coalesce(v.verdi, 0) ELSE v.verdi END AS verdi,
       CASE WHEN g.type = 'antall' THEN coalesce(v.teller, 0) ELSE v.teller END AS teller,
       v.nevner
FROM indikator_rutenett g
LEFT JOIN v ON v.indikator = g.indikator AND v.aar = g.aar AND v.niva = g.niva AND v.region = g.region
WHERE g.kilde = 'bosetting'
  AND (g.type = 'antall' OR coalesce(v.nevner, 0) > 0)
