-- Model b forgets to declare a.
-- depends: kilde
SELECT *
FROM kilde JOIN a USING (x)
