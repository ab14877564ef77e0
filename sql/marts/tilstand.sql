-- The data states of the publication, per source: each state's date
-- (data_per) and the date the next state of the same source replaced it
-- (gyldig_til, exclusive; NULL for the newest). A source's values are
-- stored at the states where it delivered, so the value of any figure as of
-- a date D is one query:
--   SELECT h.* FROM indikator_historikk h
--   JOIN indikator_katalog k USING (indikator)
--   JOIN tilstand t ON t.kilde = k.kilde AND t.data_per = h.data_per
--   WHERE t.data_per <= D AND (t.gyldig_til IS NULL OR D < t.gyldig_til)
-- depends: indikator_historikk
SELECT kilde, data_per,
       lead(data_per) OVER (PARTITION BY kilde ORDER BY data_per) AS gyldig_til
FROM (SELECT DISTINCT kilde, data_per FROM indikator_historikk)
