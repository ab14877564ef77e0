package calibration

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// group is one source: the tables its deliveries hold and the SQL files
// that compute its indicators once those tables are loaded.
type group struct {
	source     string
	tables     []table
	setup      []string // files of statements run first
	indicators []string // files whose last statement yields figures
}

// groups lists the three sources of sources.md in the order they are computed.
var groups = []group{
	{
		source: "nir",
		tables: []table{
			{file: "personer.csv", name: "nir_personer",
				columns: cols("fnr", "tidligere_fnr"),
				ignored: []string{"fornavn", "etternavn", "fodselsdato", "kjonn", "statsborgerskap", "landbakgrunn",
					"innvandringsgrunn", "adresse", "postnummer", "bostedskommune", "endret_tidspunkt"}},
			{file: "introprogram.csv", name: "nir_introprogram",
				columns: append(cols("vedtak_id", "fnr", "kommunenummer", "rettighet", "avslutning"),
					column{"rett_plikt_dato", kindDate}, column{"vedtak_dato", kindDate},
					column{"startdato", kindDate}, column{"sluttdato", kindDate}, column{"utvidet", kindYesNo}),
				ignored: []string{"spor", "registrert_tidspunkt"}},
			{file: "norskopplaering.csv", name: "nir_norskopplaering",
				columns: append(cols("fnr", "kommunenummer", "rettighet"),
					column{"rett_plikt_dato", kindDate}, column{"forste_time_dato", kindDate}),
				ignored: []string{"timer_norsk", "timer_samfunnskunnskap", "registrert_tidspunkt"}},
			{file: "timer.csv", name: "nir_timer",
				columns: append(cols("fnr", "kommunenummer", "tiltak", "program"),
					column{"maaned", kindMonth}, column{"timer", kindDecimal}),
				ignored: []string{"fravaer_timer", "registrert_tidspunkt"}},
		},
		setup:      []string{"sql/nir_personer.sql"},
		indicators: []string{"sql/introprogram.sql", "sql/norskopplaering.sql"},
	},
	{
		source: "bosetting",
		tables: []table{
			{file: "personer.jsonl.gz", name: "bosetting_personer", json: true,
				columns: append(cols("duf", "kategori", "familie_id", "kommunenummer", "fra"),
					column{"fodselsdato", kindDate}, column{"vedtak_dato", kindDate}, column{"bosatt_dato", kindDate},
					column{"enslig_mindreaarig", kindBool}, column{"avtalt_selvbosetting", kindBool},
					column{"skjult_identitet", kindBool})},
			{file: "anmodninger.csv", name: "bosetting_anmodninger",
				columns: []column{{"aar", kindInteger}, {"kommunenummer", kindText}, {"anmodet", kindInteger},
					{"anmodet_em", kindInteger}, {"vedtatt", kindInteger}, {"vedtatt_em", kindInteger}}},
		},
		indicators: []string{"sql/bosetting.sql", "sql/anmodninger.sql"},
	},
	{
		source: "tolk",
		tables: []table{
			{file: "tolk.csv", name: "tolk_tolk",
				columns: []column{{"tolk_id", kindInteger}, {"kjonn", kindText}, {"bostedskommune", kindText},
					{"registrert_dato", kindDate}, {"avregistrert_dato", kindDate}},
				ignored: []string{"fnr", "fornavn", "etternavn", "epost", "telefon", "fodselsaar",
					"statsautorisert", "tolkeutdanning", "endret_tidspunkt"}},
			{file: "tolk_sprak.csv", name: "tolk_sprak",
				columns: []column{{"tolk_id", kindInteger}, {"sprak", kindText}, {"kategori", kindInteger},
					{"gyldig_fra", kindDate}, {"gyldig_til", kindDate}},
				ignored: []string{"endret_tidspunkt"}},
		},
		indicators: []string{"sql/tolk.sql"},
	},
}

// deliveryID is the form of a delivery directory's name.
var deliveryID = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}$`)

// skipSet indexes the skip list by "source/id" and by bare id.
func skipSet(skip []string) map[string]bool {
	m := make(map[string]bool, len(skip))
	for _, s := range skip {
		m[strings.Trim(filepath.ToSlash(s), "/")] = true
	}
	return m
}

// candidates lists the delivery ids of source in inbox that may be used as
// of asOf, newest first.
func candidates(inbox, source string, asOf time.Time, skip map[string]bool) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(inbox, source))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("calibration: list deliveries: %w", err)
	}
	var ids []string
	for _, e := range entries {
		id := e.Name()
		if !e.IsDir() || !deliveryID.MatchString(id) || skip[id] || skip[source+"/"+id] {
			continue
		}
		if !asOf.IsZero() && id[:8] > asOf.Format("20060102") {
			continue
		}
		ids = append(ids, id)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	return ids, nil
}

// loadNewest loads the newest usable delivery of g's source and returns its
// id, or "" if there is none.
func loadNewest(ctx context.Context, conn *sql.Conn, inbox string, g group, asOf time.Time, skip map[string]bool) (string, error) {
	ids, err := candidates(inbox, g.source, asOf, skip)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		dir := filepath.Join(inbox, g.source, id)
		err := loadDelivery(ctx, conn, dir, g, id)
		if errors.Is(err, errCorrupt) {
			slog.Warn("calibration: passing over a rejected delivery", "source", g.source, "delivery", id, "reason", err)
			continue
		}
		if err != nil {
			return "", err
		}
		return id, nil
	}
	return "", nil
}

// manifest is a delivery's manifest.json.
type manifest struct {
	Source     string `json:"source"`
	DeliveryID string `json:"delivery_id"`
	Files      []struct {
		Name   string `json:"name"`
		Rows   int64  `json:"rows"`
		Sha256 string `json:"sha256"`
	} `json:"files"`
}

// readManifest reads dir's manifest and checks every file it names against
// its sha256. It returns the row counts by file name. Any disagreement is
// errCorrupt.
func readManifest(dir, source, id string) (map[string]int64, error) {
	where := source + "/" + id
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: manifest.json is missing: %w", where, errCorrupt)
	}
	if err != nil {
		return nil, fmt.Errorf("calibration: %s: %w", where, err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: manifest.json does not parse (%v): %w", where, err, errCorrupt)
	}
	if m.Source != source || m.DeliveryID != id {
		return nil, fmt.Errorf("%s: manifest.json names %s/%s: %w", where, m.Source, m.DeliveryID, errCorrupt)
	}
	rows := make(map[string]int64, len(m.Files))
	for _, f := range m.Files {
		sum, err := fileSHA256(filepath.Join(dir, f.Name))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %s named in the manifest is missing: %w", where, f.Name, errCorrupt)
		}
		if err != nil {
			return nil, fmt.Errorf("calibration: %s: %w", where, err)
		}
		if !strings.EqualFold(sum, f.Sha256) {
			return nil, fmt.Errorf("%s: %s does not match its sha256 in the manifest: %w", where, f.Name, errCorrupt)
		}
		rows[f.Name] = f.Rows
	}
	return rows, nil
}

// fileSHA256 returns the hex sha256 of a file's content.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// loadDelivery checks one delivery against its manifest and loads its
// tables, replacing those of any delivery loaded before.
func loadDelivery(ctx context.Context, conn *sql.Conn, dir string, g group, id string) error {
	rows, err := readManifest(dir, g.source, id)
	if err != nil {
		return err
	}
	for _, t := range g.tables {
		want, ok := rows[t.file]
		if !ok {
			return fmt.Errorf("%s/%s: the manifest does not list %s: %w", g.source, id, t.file, errCorrupt)
		}
		where := g.source + "/" + id + "/" + t.file
		if err := t.load(ctx, conn, filepath.Join(dir, t.file), where, want); err != nil {
			return err
		}
	}
	return nil
}
