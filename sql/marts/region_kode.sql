-- Every region code of the reference data, 2013 to today's list, once: its
-- newest name and every name it had (navneformer: each name and each of its
-- language forms, for search), its validity (gyldig_til exclusive, NULL
-- while in today's list), its parent fylke, the codes it came from and
-- went to, the codes of today's list its territory lies in (dagens: itself
-- while in use, several after a split) and, for a code in use today, the
-- earlier codes whose territory lies at least partly in it (tidligere).
-- depends: ref_region_kode
SELECT niva, region, navn, navn_alle, navneformer, gyldig_fra, gyldig_til, fylke,
       forgjengere, etterfolgere, dagens, tidligere
FROM ref_region_kode
