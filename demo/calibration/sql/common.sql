-- Helpers every indicator file uses, written from indicators.md:
--   alder(fodt, dato)       age on dato in whole years completed. A person
--                           born on 29 February turns a year older on
--                           1 March in other years. (DuckDB's
--                           date_diff('year', ...) counts calendar-year
--                           boundaries, not completed years, so it is not used.)
--   pluss_mnd(dato, n)      dato + n calendar months, month ends clamped:
--                           2017-08-31 + 6 = 2018-02-28.
--   innen_mnd(tidlig, sen, n)  "sen is within n months of tidlig":
--                           sen <= tidlig + n calendar months.
--   aar_start(y), aar_slutt(y)  1.1.y and 31.12.y.
--   maaneder(fra, til)      waiting time in months: days / 30.4375.
--   kommune_i(kommune, y)   the code the kommune coded kommune has in year y
--                           (table kommune_aar, made from kommuneendringer.csv).
CREATE OR REPLACE MACRO alder(fodt, dato) AS
    year(dato) - year(fodt)
    - CASE WHEN month(dato) * 100 + day(dato) < month(fodt) * 100 + day(fodt) THEN 1 ELSE 0 END;

CREATE OR REPLACE MACRO pluss_mnd(dato, n) AS CAST(dato + to_months(n) AS DATE);

CREATE OR REPLACE MACRO innen_mnd(tidlig, sen, n) AS sen <= pluss_mnd(tidlig, n);

CREATE OR REPLACE MACRO aar_start(y) AS make_date(y, 1, 1);

CREATE OR REPLACE MACRO aar_slutt(y) AS make_date(y, 12, 31);

CREATE OR REPLACE MACRO maaneder(fra, til) AS date_diff('day', fra, til) / 30.4375;

CREATE OR REPLACE MACRO kommune_i(kommune, y) AS
    coalesce((SELECT ka.kode_aar FROM kommune_aar ka WHERE ka.kode = kommune AND ka.aar = y), kommune);
