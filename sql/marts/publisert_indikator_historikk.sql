-- indikator_historikk as the portal may see it: values the protection
-- suppressed (beskyttet) have verdi, teller and nevner NULL and status ':'.
-- Suppression is decided per source and data state (protect package), so
-- any state a reader looks at is protected as a whole.
-- depends: indikator_historikk
SELECT indikator, aar, niva, region, region_navn,
       CASE WHEN beskyttet THEN NULL ELSE verdi END AS verdi,
       CASE WHEN beskyttet THEN NULL ELSE teller END AS teller,
       CASE WHEN beskyttet THEN NULL ELSE nevner END AS nevner,
       CASE WHEN beskyttet THEN ':' ELSE status END AS status,
       data_per
FROM indikator_historikk
