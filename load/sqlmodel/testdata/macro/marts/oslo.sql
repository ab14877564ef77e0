-- Settled in Oslo.
-- depends: bosatte_aar
SELECT * FROM bosatte_aar WHERE kommune = '0301'
