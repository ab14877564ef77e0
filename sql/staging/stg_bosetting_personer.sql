-- Refugees with a decision that gives grounds for settlement, in the data
-- state being computed: one row per person (DUF number, pseudonymised),
-- with nulls of the optional flags made false.
-- depends: src_bosetting_personer
SELECT person,
       fodselsaar,
       alder_bosatt,
       kategori,
       coalesce(enslig_mindreaarig, false) AS em,
       coalesce(skjult_identitet, false) AS skjult,
       coalesce(avtalt_selvbosetting, false) AS selvbosatt,
       familie_id,
       vedtak_dato,
       bosatt_dato,
       kommunenummer,
       fra
FROM src_bosetting_personer
