-- c
-- depends: a
SELECT * FROM a
