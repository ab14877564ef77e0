-- Settled per kommune: declares only the staging view, but its body also reads
-- the register itself, qualified and quoted in another case, in a subquery.
-- depends: stg_bosetting, ref_kommune
SELECT s.kommune, count(*) AS antall
FROM stg_bosetting AS s JOIN ref_kommune USING (kommune)
WHERE s.person IN (SELECT person FROM main."SRC_BOSETTING")
GROUP BY s.kommune
