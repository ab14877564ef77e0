-- Introduction-programme decisions in the data state being computed: one
-- row per decision (a spell in one kommune), the columns the NIR models
-- read, as delivered.
-- depends: src_nir_introprogram
SELECT vedtak_id,
       person,
       kommunenummer,
       rettighet,
       rett_plikt_dato,
       startdato,
       sluttdato,
       avslutning,
       utvidet
FROM src_nir_introprogram
