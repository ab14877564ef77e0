-- Kommuner with fewer than two settled in a year (to be suppressed when published).
-- depends: indikator
-- severity: warn
SELECT kommune, aar, antall FROM indikator WHERE antall < 2 ORDER BY kommune
