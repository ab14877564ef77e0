-- Model b reads kilde, and mentions a (in this header too) without reading it.
-- depends: kilde
WITH a AS (SELECT 1 AS a)    -- a common table expression hides the model a
SELECT 'a' AS navn,          -- a in a line comment
       'it''s a' AS s1,      /* a in a block
                                comment over lines */
       E'a\'s a' AS s2,
       $$ a $$ AS s3,
       $tag$ a ; $tag$ AS s4,
       a_x, x_a, "a_b",      -- identifiers that contain a but are not a
       k.a, a + 1 AS a,      -- a column named a
       k.x IS DISTINCT FROM k.a AS d,
       EXTRACT(year FROM a.d) AS y
FROM kilde AS k, a;
