-- Kommune names; the word src_bosetting in this comment, in a string and as
-- a column is no read of the source.
-- depends: ref_kommune
SELECT kommune, 'src_bosetting' AS kilde, src_bosetting FROM ref_kommune, (SELECT 1 AS src_bosetting)
