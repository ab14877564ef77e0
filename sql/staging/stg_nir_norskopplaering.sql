-- Rights to Norwegian and social-studies training in the data state being
-- computed: one row per person, kommune and right, the columns the NIR
-- models read, as delivered.
-- depends: src_nir_norskopplaering
SELECT person,
       kommunenummer,
       rettighet,
       rett_plikt_dato,
       forste_time_dato
FROM src_nir_norskopplaering
