-- Every settlement indicator of the data state on the grid: the figures of
-- ind_bosatt, ind_venter and ind_anmodninger at each region the catalogue
-- names, zero counts filled in, shares and means over nobody left out
-- (macros/fylt_rutenett.sql). This is what the build stores in the
-- history for source bosetting.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: fylt_rutenett, ind_bosatt, ind_venter, ind_anmodninger
SELECT * FROM fylt_rutenett('bosetting', ['ind_bosatt', 'ind_venter', 'ind_anmodninger'])
