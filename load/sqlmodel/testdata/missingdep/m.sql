-- Reads a relation nobody provides.
-- depends: kilde, nosuch
SELECT * FROM kilde
