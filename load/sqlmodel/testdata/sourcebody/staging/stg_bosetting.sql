-- Settled persons, read from the register: staging may read a source.
-- depends: src_bosetting
SELECT person, kommune FROM src_bosetting
