-- Two statements where one query belongs.
SELECT 1 AS x;
DROP TABLE kilde;
