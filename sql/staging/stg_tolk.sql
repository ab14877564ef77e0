-- Interpreters in the data state being computed: the newest row of each
-- tolk_id over the state's deliveries (a full snapshot and the database
-- reads after it; a file delivery alone is already one row per tolk_id).
-- depends: src_tolk_tolk
SELECT tolk_id, kjonn, fodselsaar, bostedskommune, registrert_dato, avregistrert_dato
FROM src_tolk_tolk
QUALIFY row_number() OVER (PARTITION BY tolk_id ORDER BY delivery_id DESC, source_line DESC) = 1
