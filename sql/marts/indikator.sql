-- indikator of the analysis mart (marts.md): the figures as of the
-- publication's as-of date: for each source, the values of its newest data
-- state on or before that date (a state holds every value of its source).
-- depends: indikator_historikk
SELECT h.*
FROM indikator_historikk h
JOIN (SELECT kilde, max(data_per) AS data_per FROM indikator_historikk GROUP BY kilde) n
  ON n.kilde = h.kilde AND n.data_per = h.data_per
