-- d reads the cycle but is not part of it.
-- depends: a
SELECT * FROM a
