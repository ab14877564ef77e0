-- b
-- depends: c
SELECT * FROM c
