-- indikator as the portal may see it: the current figures with suppressed
-- values NULL and status ':'.
-- depends: indikator
SELECT indikator, aar, niva, region, region_navn,
       CASE WHEN beskyttet THEN NULL ELSE verdi END AS verdi,
       CASE WHEN beskyttet THEN NULL ELSE teller END AS teller,
       CASE WHEN beskyttet THEN NULL ELSE nevner END AS nevner,
       CASE WHEN beskyttet THEN ':' ELSE status END AS status,
       data_per
FROM indikator
