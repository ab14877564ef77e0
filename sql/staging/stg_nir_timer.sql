-- Hours per person, kommune, month and measure in the data state being
-- computed, the columns the NIR models read, as delivered. The largest
-- table: nir_timer_gyldig is the one model that reads it.
-- depends: src_nir_timer
SELECT person,
       kommunenummer,
       maaned,
       tiltak,
       program,
       timer
FROM src_nir_timer
