-- The ledger balances for every delivery and table (read = loaded +
-- quarantined), and the Parquet partition of each holds exactly the rows
-- the ledger says were loaded.
-- depends: ledger_loads, parquet_rows
SELECT l.source, l.delivery_id, l.tbl, l.read, l.loaded, l.quarantined, p.rows AS parquet_rows
FROM ledger_loads l
LEFT JOIN parquet_rows p ON p.source = l.source AND p.tbl = l.tbl AND p.delivery_id = l.delivery_id
WHERE l.read <> l.loaded + l.quarantined
   OR coalesce(p.rows, 0) <> l.loaded
