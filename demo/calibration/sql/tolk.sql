-- Interpreter indicators at national level (indicators.md, "Interpreters"),
-- on 31.12.Y for every year Y of table aar: tolker, tolker_kat1_3,
-- andel_tolker_kat1_3, tolk_sprak, andel_tolker_kvinner.
-- Input: tolk_tolk, tolk_sprak. An interpreter is registered on day d if
-- registrert_dato <= d, avregistrert_dato is null or > d, and at least one
-- tolk_sprak row is valid on d (gyldig_fra <= d, gyldig_til null or >= d).

-- every valid language row of a registered interpreter on 31.12.Y
CREATE OR REPLACE VIEW tolk_gyldig AS
SELECT a.aar, t.tolk_id, t.kjonn, s.sprak, s.kategori
FROM aar a
JOIN tolk_tolk t ON t.registrert_dato <= aar_slutt(a.aar)
                AND (t.avregistrert_dato IS NULL OR t.avregistrert_dato > aar_slutt(a.aar))
JOIN tolk_sprak s ON s.tolk_id = t.tolk_id
                 AND s.gyldig_fra <= aar_slutt(a.aar)
                 AND (s.gyldig_til IS NULL OR s.gyldig_til >= aar_slutt(a.aar));

WITH tolker AS (
    SELECT aar, tolk_id, any_value(kjonn) AS kjonn, min(kategori) AS beste_kategori
    FROM tolk_gyldig
    GROUP BY aar, tolk_id
),
s AS (
    SELECT a.aar,
           count(t.tolk_id) AS tolker,
           count(*) FILTER (WHERE t.beste_kategori BETWEEN 1 AND 3) AS kat1_3,
           count(*) FILTER (WHERE t.kjonn = 'K') AS kvinner,
           (SELECT count(DISTINCT g.sprak) FROM tolk_gyldig g WHERE g.aar = a.aar) AS sprak
    FROM aar a
    LEFT JOIN tolker t ON t.aar = a.aar
    GROUP BY a.aar
)
SELECT x.indikator, s.aar, CAST(x.verdi AS DOUBLE), CAST(x.teller AS BIGINT), CAST(x.nevner AS BIGINT)
FROM s
CROSS JOIN LATERAL (VALUES
    ('tolker', s.tolker, s.tolker, NULL),
    ('tolker_kat1_3', s.kat1_3, s.kat1_3, NULL),
    ('andel_tolker_kat1_3', s.kat1_3 / nullif(s.tolker, 0), s.kat1_3, s.tolker),
    ('tolk_sprak', s.sprak, s.sprak, NULL),
    ('andel_tolker_kvinner', s.kvinner / nullif(s.tolker, 0), s.kvinner, s.tolker)
) AS x(indikator, verdi, teller, nevner);
