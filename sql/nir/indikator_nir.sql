-- Every NIR indicator of the data state on the grid: the figures of
-- ind_intro and ind_norsk at each region the catalogue names, zero counts
-- filled in, shares over nobody left out (macros/fylt_rutenett.sql). This
-- is what the build stores in the history for source nir.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: fylt_rutenett, ind_intro, ind_norsk
SELECT * FROM fylt_rutenett('nir', ['ind_intro', 'ind_norsk'])
