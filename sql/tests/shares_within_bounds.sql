-- Shares are fractions from 0 to 1 with teller <= nevner; means and counts
-- are never negative.
-- depends: indikator_historikk, indikator_katalog
SELECT h.indikator, h.aar, h.niva, h.region, h.data_per, h.verdi, h.teller, h.nevner
FROM indikator_historikk h
JOIN indikator_katalog k USING (indikator)
WHERE (k.type = 'andel' AND (h.verdi < 0 OR h.verdi > 1 OR h.teller > h.nevner
                             OR abs(h.verdi - h.teller / h.nevner) > 1e-9))
   OR h.verdi < 0 OR h.teller < 0 OR h.nevner < 0
