-- indikator as the portal may see it: the rows of
-- publisert_indikator_historikk that indikator holds (each indicator at
-- its source's newest data state), so what suppression hides is said in
-- one model only.
-- depends: publisert_indikator_historikk, indikator
SELECT p.*
FROM publisert_indikator_historikk p
JOIN (SELECT DISTINCT indikator, data_per FROM indikator) n
  ON n.indikator = p.indikator AND n.data_per = p.data_per
