-- The header ends at the blank line below.

-- depends: kilde
SELECT * FROM kilde
