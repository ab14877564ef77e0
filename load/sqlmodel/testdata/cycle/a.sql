-- a
-- depends: b
SELECT * FROM b
