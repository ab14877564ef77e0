-- A source's part of the grid, filled with the figures of its indicator models.
-- The one home of the rule every indikator_<source> follows: each figure
-- of indikator_rutenett whose source is kildenavn, with the value of the
-- indicator models named in modeller (a list of names, read together with
-- query_table); a count the models have no row for is 0, a share or mean
-- over nobody (no nevner) has no value and no row. A model calls it as
-- fylt_rutenett('nir', ['ind_intro', 'ind_norsk']) and declares the
-- models it names in its own depends.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: indikator_rutenett
-- materialized: macro
-- parameters: kildenavn, modeller
SELECT g.indikator, g.aar, g.niva, g.region,
       CASE WHEN g.type = 'antall' THEN coalesce(v.verdi, 0) ELSE v.verdi END AS verdi,
       CASE WHEN g.type = 'antall' THEN coalesce(v.teller, 0) ELSE v.teller END AS teller,
       v.nevner
FROM indikator_rutenett g
LEFT JOIN query_table(modeller) v ON v.indikator = g.indikator AND v.aar = g.aar AND v.niva = g.niva AND v.region = g.region
WHERE g.kilde = kildenavn
  AND (g.type = 'antall' OR coalesce(v.nevner, 0) > 0)
