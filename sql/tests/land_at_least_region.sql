-- A count of persons below national level never exceeds the national
-- count of the same indicator, year and data state.
-- depends: indikator_historikk, indikator_katalog
SELECT h.indikator, h.aar, h.niva, h.region, h.data_per, h.teller, l.teller AS land
FROM indikator_historikk h
JOIN indikator_katalog k USING (indikator)
JOIN indikator_historikk l ON l.indikator = h.indikator AND l.aar = h.aar
                          AND l.data_per = h.data_per AND l.niva = 'land'
WHERE k.type = 'antall' AND h.niva <> 'land' AND h.teller > l.teller
