-- depends: kilde
SELECT * FROM kilde
