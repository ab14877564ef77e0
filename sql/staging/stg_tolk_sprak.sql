-- Interpreters' languages in the data state being computed: the newest row
-- of each (tolk_id, sprak, gyldig_fra) over the state's deliveries, with the
-- category as a number.
-- depends: src_tolk_sprak
SELECT tolk_id, sprak, CAST(kategori AS INTEGER) AS kategori, gyldig_fra, gyldig_til
FROM src_tolk_sprak
QUALIFY row_number() OVER (PARTITION BY tolk_id, sprak, gyldig_fra ORDER BY delivery_id DESC, source_line DESC) = 1
