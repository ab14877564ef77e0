-- Settled in Oslo and Trondheim on the grid of every kommune and year.
-- depends: fylt, oslo, trondheim
-- materialized: table
SELECT * FROM fylt(2020, ['oslo', 'trondheim'])
