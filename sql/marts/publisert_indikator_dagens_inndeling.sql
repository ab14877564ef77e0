-- indikator_dagens_inndeling as the portal may see it: a sum with a
-- suppressed part is suppressed itself (values NULL, status ':'); a sum that
-- cannot be stated because of a split keeps status '.' and its merknad.
-- depends: indikator_dagens_inndeling
SELECT indikator, aar, niva, region, region_navn,
       CASE WHEN beskyttet THEN NULL ELSE verdi END AS verdi,
       CASE WHEN beskyttet THEN NULL ELSE teller END AS teller,
       nevner,
       CASE WHEN status = '.' THEN '.' WHEN beskyttet THEN ':' ELSE status END AS status,
       data_per,
       koder,
       merknad
FROM indikator_dagens_inndeling
