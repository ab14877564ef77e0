-- Every interpreter indicator of the data state on the grid: the figures of
-- ind_tolk at each region the catalogue names, zero counts filled in,
-- shares over nobody left out (macros/fylt_rutenett.sql). This is what the
-- build stores in the history for source tolk.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- depends: fylt_rutenett, ind_tolk
SELECT * FROM fylt_rutenett('tolk', ['ind_tolk'])
