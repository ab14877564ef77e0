-- Every interpreter indicator of the data state on the grid: the figures of
-- ind_tolk at each region the catalogue names, zero counts filled in,
-- shares over nobody left out. This is what the build stores in the
-- history for source tolk.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: indikator_rutenett, ind_tolk
SELECT g.indikator, g.aar, g.niva, g.region,
       CASE WHEN g.type = 'antall' THEN coalesce(v.verdi, 0) ELSE v.verdi END AS verdi,
       CASE WHEN g.type = 'antall' THEN coalesce(v.teller, 0) ELSE v.teller END AS teller,
       v.nevner
FROM indikator_rutenett g
LEFT JOIN ind_tolk v ON v.indikator = g.indikator AND v.aar = g.aar AND v.niva = g.niva AND v.region = g.region
WHERE g.kilde = 'tolk'
  AND (g.type = 'antall' OR coalesce(v.nevner, 0) > 0)
