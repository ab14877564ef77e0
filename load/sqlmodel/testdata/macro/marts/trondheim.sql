-- Settled in Trondheim.
-- depends: bosatte_aar
SELECT * FROM bosatte_aar WHERE kommune = '5001'
