-- IMDi's requests to the kommuner and their decisions in the data state
-- being computed: one row per settlement year and kommune, as delivered
-- (vedtatt NULL where the kommune has not answered).
-- depends: src_bosetting_anmodninger
SELECT aar,
       kommunenummer,
       anmodet,
       anmodet_em,
       vedtatt,
       vedtatt_em
FROM src_bosetting_anmodninger
