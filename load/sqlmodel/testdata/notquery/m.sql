-- A statement that is not a query.
CREATE TABLE m AS SELECT 1 AS x
