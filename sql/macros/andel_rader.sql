-- The rows of share indicators, the one home of their rule: a share's
-- value is teller / nevner, with no value over nobody (nevner 0).
-- tall names a relation of shares (indikator, aar, niva, region, teller,
-- nevner), usually the calling model's own CTE: an indicator model
-- unpivots pairs, `andeler AS (FROM s UNPIVOT INCLUDE NULLS ((teller,
-- nevner) FOR indikator IN ((innen, alle) AS andel_x, ...)))`, and returns
-- `FROM andel_rader('andeler')` (see macros/antall_rader.sql).
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- materialized: macro
-- parameters: tall
SELECT indikator, aar, niva, region,
       CAST(teller / nullif(nevner, 0) AS DOUBLE) AS verdi, CAST(teller AS BIGINT) AS teller, CAST(nevner AS BIGINT) AS nevner
FROM query_table(tall)
