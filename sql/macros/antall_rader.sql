-- The rows of count indicators, the one home of their rule: a count's
-- value is the count itself (teller), and it has no denominator.
-- tall names a relation of counts (indikator, aar, niva, region, teller),
-- usually the calling model's own CTE: an indicator model unpivots its
-- counts, `antall AS (FROM s UNPIVOT INCLUDE NULLS (teller FOR indikator
-- IN (...)))`, and returns `FROM antall_rader('antall')`. query_table
-- finds the name where the macro is called, so the caller's CTEs are seen.
-- Output: indikator, aar, niva, region, verdi, teller, nevner.
-- materialized: macro
-- parameters: tall
SELECT indikator, aar, niva, region,
       CAST(teller AS DOUBLE) AS verdi, CAST(teller AS BIGINT) AS teller, CAST(NULL AS BIGINT) AS nevner
FROM query_table(tall)
