-- Households counted in barnefamilier: persons sharing a familie_id settled
-- in year Y, with no unaccompanied minor, at least one member under 18 and
-- one aged 18 or more, ages on each member's bosatt_dato.
-- depends: bos_bosatt
SELECT aar, familie_id
FROM bos_bosatt
WHERE familie_id IS NOT NULL
GROUP BY aar, familie_id
HAVING NOT bool_or(em) AND bool_or(alder < 18) AND bool_or(alder >= 18)
