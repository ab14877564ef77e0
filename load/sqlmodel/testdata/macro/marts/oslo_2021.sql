-- Settled in Oslo on the grid from 2021 on.
-- depends: fylt, oslo
SELECT * FROM fylt(2021, ['oslo'])
