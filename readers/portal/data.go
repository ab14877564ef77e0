package portal

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"integstat/load/publish"

	_ "github.com/duckdb/duckdb-go/v2" // the DuckDB driver
)

// Indicator is one entry of the catalogue (indikator_katalog).
type Indicator struct {
	ID          string   `json:"id"`
	Source      string   `json:"kilde"`
	Type        string   `json:"type"` // antall, andel or snitt
	AboutPeople bool     `json:"om_personer"`
	Additive    bool     `json:"additiv"`
	Levels      []string `json:"nivaer"`
	PartOf      string   `json:"del_av,omitempty"`
	Name        string   `json:"navn"`
	Unit        string   `json:"enhet"`
	Definition  string   `json:"definisjon"` // precise, in the data's terms (Norwegian)
	Theme       string   `json:"tema"`
	Plain       string   `json:"forklaring"` // in plain words, in the answer's language

	nameEN, unitEN, plainEN string
}

// in returns the indicator with its name, unit and plain definition in
// language l.
func (ind Indicator) in(l lang) Indicator {
	if l == langEN {
		ind.Name, ind.Unit, ind.Plain = ind.nameEN, ind.unitEN, ind.plainEN
	}
	return ind
}

// Value is one published figure (a row of indikator). Verdi, Teller and
// Nevner are nil when the figure is suppressed (Status ":") or, for
// Teller and Nevner, when the type has none.
type Value struct {
	Indicator  string   `json:"indikator"`
	Year       int      `json:"aar"`
	Level      string   `json:"niva"`
	Region     string   `json:"region"`
	RegionName string   `json:"region_navn"`
	Verdi      *float64 `json:"verdi"`
	Teller     *int64   `json:"teller"`
	Nevner     *int64   `json:"nevner"`
	Status     string   `json:"status"`
	DataPer    string   `json:"data_per"`
	Codes      string   `json:"koder,omitempty"`   // on today's structure: the year's kommune codes summed
	Note       string   `json:"merknad,omitempty"` // on today's structure: why a figure cannot be stated (status '.')
	// Revised says whether the figure changed since the previous release
	// (its value, or preliminary to final); nil where either release
	// suppressed it or the previous one did not have it. Previous and
	// PreviousStatus are what the previous release published.
	Revised        *bool    `json:"revidert,omitempty"`
	Previous       *float64 `json:"forrige_verdi,omitempty"`
	PreviousStatus *string  `json:"forrige_status,omitempty"`
}

// RegionCode is a region code of any year 2013 to today's list (region_kode):
// its names, validity and the codes it came from and went to.
type RegionCode struct {
	Level        string   `json:"niva"`
	Code         string   `json:"region"`
	Name         string   `json:"navn"`
	Names        []string `json:"navn_alle"`
	NameForms    []string `json:"navneformer"`
	ValidFrom    string   `json:"gyldig_fra"`
	ValidTo      *string  `json:"gyldig_til"` // exclusive; null while in today's list
	Fylke        *string  `json:"fylke"`
	Predecessors []string `json:"forgjengere"`
	Successors   []string `json:"etterfolgere"`
	Today        []string `json:"dagens"`
	Earlier      []string `json:"tidligere"`
	search       []string // folded name forms
}

// Region is a region code with its newest name, level and fylke, and
// every name it has had (for search).
type Region struct {
	Code   string   `json:"region"`
	Level  string   `json:"niva"`
	Name   string   `json:"navn"`
	Fylke  string   `json:"fylke,omitempty"`
	Years  []int    `json:"aar"`
	Names  []string `json:"tidligere_navn,omitempty"`
	search []string // folded names for matching

	fylkeIn map[int]string // a kommune's fylke in each year of the region table
}

// wasIn reports whether a kommune belongs to fylke: today (its newest
// fylke) or, for the figures of each year, in any year.
func (r *Region) wasIn(fylke string, today bool) bool {
	if today || len(r.fylkeIn) == 0 {
		return r.Fylke == fylke
	}
	for _, f := range r.fylkeIn {
		if f == fylke {
			return true
		}
	}
	return false
}

// Publication says which publication a snapshot holds.
type Publication struct {
	ID    string `json:"publikasjon"`
	AsOf  string `json:"as_of"`
	Built string `json:"bygget"`
}

// Levels of a region, coarsest first.
var levelOrder = map[string]int{"land": 0, "fylke": 1, "kommune": 2}

// snapshot is the whole content of one publication's publisert.duckdb,
// held in memory: every answer is a lookup in it, so no request reaches
// the database and no SQL is ever built from input. A snapshot never
// changes; a new publication makes a new one.
type snapshot struct {
	pub        Publication
	catalogue  []Indicator
	indicators map[string]*Indicator
	english    []Indicator // the catalogue in English
	regions    map[string]*Region
	regionList []*Region // sorted by level, then code
	years      []int
	current    valueSet               // indikator: the current figures
	today      valueSet               // indikator_dagens_inndeling: counts on today's municipalities
	codes      map[string]*RegionCode // region_kode: every code 2013 to today
	codeList   []*RegionCode          // sorted by level, then code
	// todayCodes holds, per year and kommune of today's structure, the
	// codes of that year its territory was (as koder: comma-separated).
	todayCodes map[int]map[string]string

	states map[string]time.Time   // tilstand: each source's newest data state
	footer atomic.Pointer[footer] // set by the server, for the clock (see footer)

	maxValues int // the most values one answer may hold
	cache     responseCache
}

// loadSnapshot reads the published mart file at path.
func loadSnapshot(ctx context.Context, path string, maxValues int) (*snapshot, error) {
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return nil, fmt.Errorf("serve: opening %s: %w", path, err)
	}
	defer db.Close()
	s := &snapshot{indicators: map[string]*Indicator{}, regions: map[string]*Region{}, maxValues: maxValues}
	s.cache.init()
	if err := s.loadPublication(ctx, db); err != nil {
		return nil, fmt.Errorf("serve: %s: publikasjon: %w", path, err)
	}
	if err := s.loadCatalogue(ctx, db); err != nil {
		return nil, fmt.Errorf("serve: %s: indikator_katalog: %w", path, err)
	}
	if err := s.loadRegions(ctx, db); err != nil {
		return nil, fmt.Errorf("serve: %s: region: %w", path, err)
	}
	if err := s.loadCodes(ctx, db); err != nil {
		return nil, fmt.Errorf("serve: %s: region_kode: %w", path, err)
	}
	if err := s.loadStates(ctx, db); err != nil {
		return nil, fmt.Errorf("serve: %s: tilstand: %w", path, err)
	}
	if err := s.current.load(ctx, db, valuesQuery); err != nil {
		return nil, fmt.Errorf("serve: %s: indikator: %w", path, err)
	}
	if err := s.today.load(ctx, db, todayQuery); err != nil {
		return nil, fmt.Errorf("serve: %s: indikator_dagens_inndeling: %w", path, err)
	}
	s.addTodayRegions()
	s.todayCodes = map[int]map[string]string{}
	for _, v := range s.today.values {
		if s.todayCodes[v.Year] == nil {
			s.todayCodes[v.Year] = map[string]string{}
		}
		if len(v.Codes) > len(s.todayCodes[v.Year][v.Region]) {
			s.todayCodes[v.Year][v.Region] = v.Codes
		}
	}
	return s, nil
}

func (s *snapshot) loadPublication(ctx context.Context, db *sql.DB) error {
	var asOf, built time.Time
	err := db.QueryRowContext(ctx, `SELECT publikasjon, as_of, bygget FROM publikasjon`).Scan(&s.pub.ID, &asOf, &built)
	s.pub.AsOf = asOf.Format(time.DateOnly)
	s.pub.Built = built.UTC().Format(time.RFC3339)
	return err
}

func (s *snapshot) loadCatalogue(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT indikator, kilde, type, om_personer, additiv, nivaer,
		coalesce(del_av, ''), navn, enhet, definisjon, tema, navn_en, enhet_en, forklaring, forklaring_en
		FROM indikator_katalog ORDER BY kilde, indikator`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ind Indicator
		var levels string
		if err := rows.Scan(&ind.ID, &ind.Source, &ind.Type, &ind.AboutPeople, &ind.Additive, &levels,
			&ind.PartOf, &ind.Name, &ind.Unit, &ind.Definition, &ind.Theme, &ind.nameEN, &ind.unitEN, &ind.Plain, &ind.plainEN); err != nil {
			return err
		}
		ind.Levels = strings.Split(levels, ",")
		s.catalogue = append(s.catalogue, ind)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range s.catalogue {
		s.indicators[s.catalogue[i].ID] = &s.catalogue[i]
		s.english = append(s.english, s.catalogue[i].in(langEN))
	}
	return nil
}

func (s *snapshot) loadRegions(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT aar, niva, region, region_navn, coalesce(fylke, '') FROM region ORDER BY region, aar`)
	if err != nil {
		return err
	}
	defer rows.Close()
	years := map[int]bool{}
	for rows.Next() {
		var year int
		var level, code, name, fylke string
		if err := rows.Scan(&year, &level, &code, &name, &fylke); err != nil {
			return err
		}
		years[year] = true
		r := s.regions[code]
		if r == nil {
			r = &Region{Code: code, Level: level}
			s.regions[code] = r
			s.regionList = append(s.regionList, r)
		}
		// Rows come oldest first: the newest name and fylke win.
		r.Name, r.Years = name, append(r.Years, year)
		if level != "fylke" {
			r.Fylke = fylke
		}
		if level == "kommune" {
			if r.fylkeIn == nil {
				r.fylkeIn = map[int]string{}
			}
			r.fylkeIn[year] = fylke
		}
		if !slices.Contains(r.Names, name) {
			r.Names = append(r.Names, name)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range s.regionList {
		for _, n := range r.Names {
			r.search = append(r.search, fold(n))
		}
		if len(r.Names) == 1 {
			r.Names = nil // the current name is Name; only former names are listed
		}
	}
	sort.Slice(s.regionList, func(i, j int) bool {
		a, b := s.regionList[i], s.regionList[j]
		if a.Level != b.Level {
			return levelOrder[a.Level] < levelOrder[b.Level]
		}
		return a.Code < b.Code
	})
	for y := range years {
		s.years = append(s.years, y)
	}
	sort.Ints(s.years)
	return nil
}

func (s *snapshot) loadCodes(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT niva, region, navn, navn_alle, navneformer, strftime(gyldig_fra, '%Y-%m-%d'),
		strftime(gyldig_til, '%Y-%m-%d'), fylke, forgjengere, etterfolgere, dagens, tidligere FROM region_kode`)
	if err != nil {
		return err
	}
	defer rows.Close()
	s.codes = map[string]*RegionCode{}
	for rows.Next() {
		c := &RegionCode{}
		var names, forms, pred, succ, today, earlier duckList
		if err := rows.Scan(&c.Level, &c.Code, &c.Name, &names, &forms, &c.ValidFrom, &c.ValidTo, &c.Fylke,
			&pred, &succ, &today, &earlier); err != nil {
			return err
		}
		c.Names, c.NameForms, c.Predecessors, c.Successors, c.Today, c.Earlier = names, forms, pred, succ, today, earlier
		for _, n := range slices.Concat(c.Names, c.NameForms) {
			if f := fold(n); !slices.Contains(c.search, f) {
				c.search = append(c.search, f)
			}
		}
		s.codes[c.Code] = c
		s.codeList = append(s.codeList, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Slice(s.codeList, func(i, j int) bool {
		a, b := s.codeList[i], s.codeList[j]
		if a.Level != b.Level {
			return levelOrder[a.Level] < levelOrder[b.Level]
		}
		return a.Code < b.Code
	})
	return nil
}

// duckList scans a DuckDB VARCHAR[] (NULL: empty).
type duckList []string

func (l *duckList) Scan(src any) error {
	*l = []string{}
	if src == nil {
		return nil
	}
	vs, ok := src.([]any)
	if !ok {
		return fmt.Errorf("list: %T", src)
	}
	for _, v := range vs {
		if str, ok := v.(string); ok {
			*l = append(*l, str)
		}
	}
	return nil
}

// addTodayRegions adds the kommuner of today's structure that the region
// table, which ends with the newest year of the data, does not have yet.
func (s *snapshot) addTodayRegions() {
	fresh := map[string]bool{}
	for _, v := range s.today.values {
		if r := s.regions[v.Region]; r != nil {
			if fresh[v.Region] && !slices.Contains(r.Years, v.Year) {
				r.Years = append(r.Years, v.Year)
			}
			continue
		}
		r := &Region{Code: v.Region, Level: v.Level, Name: v.RegionName, Years: []int{v.Year}, search: []string{fold(v.RegionName)}}
		if v.Level == "kommune" && len(v.Region) == 4 {
			r.Fylke = v.Region[:2]
		}
		s.regions[v.Region] = r
		s.regionList = append(s.regionList, r)
		fresh[v.Region] = true
	}
	for code := range fresh {
		slices.Sort(s.regions[code].Years)
	}
	if len(fresh) > 0 {
		sort.Slice(s.regionList, func(i, j int) bool { return s.regionLess(s.regionList[i].Code, s.regionList[j].Code) })
	}
}

// The queries of the two tables of figures, in the order a valueSet keeps.
const (
	valuesQuery = `SELECT indikator, aar, niva, region, region_navn, verdi, teller, nevner, status, data_per, '', ''
		FROM indikator ORDER BY indikator, niva, region, aar`
	// The table has every data state; the current figures are those of
	// the state indikator has for the same indicator.
	todayQuery = `SELECT d.indikator, d.aar, d.niva, d.region, d.region_navn, d.verdi, d.teller, d.nevner, d.status, d.data_per, d.koder, coalesce(d.merknad, '')
		FROM indikator_dagens_inndeling d
		JOIN (SELECT DISTINCT indikator, data_per FROM indikator) c USING (indikator, data_per)
		ORDER BY d.indikator, d.niva, d.region, d.aar`
)

// valueSet is the figures of one table, sorted by indicator, level,
// region and year, with an index of each indicator's series per region.
type valueSet struct {
	values []Value
	// byIndRegion holds, per indicator and region, the range of values in
	// values (every year).
	byIndRegion map[[2]string][2]int
	// byRegion holds the indicators with values for a region.
	byRegion map[string][]string
	// span holds each indicator's first and newest year.
	span map[string][2]int
}

func (vs *valueSet) load(ctx context.Context, db *sql.DB, query string) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	dates := map[time.Time]string{}
	for rows.Next() {
		var v Value
		var verdi sql.NullFloat64
		var teller, nevner sql.NullInt64
		var dataPer time.Time
		if err := rows.Scan(&v.Indicator, &v.Year, &v.Level, &v.Region, &v.RegionName, &verdi, &teller, &nevner, &v.Status, &dataPer, &v.Codes, &v.Note); err != nil {
			return err
		}
		if verdi.Valid {
			v.Verdi = &verdi.Float64
		}
		if teller.Valid {
			v.Teller = &teller.Int64
		}
		if nevner.Valid {
			v.Nevner = &nevner.Int64
		}
		d, ok := dates[dataPer]
		if !ok {
			d = dataPer.Format(time.DateOnly)
			dates[dataPer] = d
		}
		v.DataPer = d
		vs.values = append(vs.values, v)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	vs.byIndRegion, vs.byRegion, vs.span = map[[2]string][2]int{}, map[string][]string{}, map[string][2]int{}
	for _, v := range vs.values {
		sp, ok := vs.span[v.Indicator]
		if !ok {
			sp = [2]int{v.Year, v.Year}
		}
		vs.span[v.Indicator] = [2]int{min(sp[0], v.Year), max(sp[1], v.Year)}
	}
	for i := 0; i < len(vs.values); {
		j := i
		k := [2]string{vs.values[i].Indicator, vs.values[i].Region}
		for j < len(vs.values) && vs.values[j].Indicator == k[0] && vs.values[j].Region == k[1] {
			j++
		}
		vs.byIndRegion[k] = [2]int{i, j}
		vs.byRegion[k[1]] = append(vs.byRegion[k[1]], k[0])
		i = j
	}
	return nil
}

// series returns the values of one indicator for one region, oldest first.
func (vs *valueSet) series(ind, region string) []Value {
	r, ok := vs.byIndRegion[[2]string{ind, region}]
	if !ok {
		return nil
	}
	return vs.values[r[0]:r[1]]
}

// catalogueIn is the catalogue in language l.
func (s *snapshot) catalogueIn(l lang) []Indicator {
	if l == langEN {
		return s.english
	}
	return s.catalogue
}

// martFile is the published mart of a publication.
func martFile(warehouseDir, id string) string {
	return filepath.Join(publish.Dir(warehouseDir, id), publish.PublishedFile)
}

// responseCache holds encoded answers of one snapshot, so that a repeated
// request costs a map lookup. It is bounded: beyond maxCacheBytes answers
// are computed each time.
type responseCache struct {
	mu    sync.RWMutex
	m     map[string]*response
	bytes int
}

const maxCacheBytes = 256 << 20

func (c *responseCache) init() { c.m = map[string]*response{} }

// reset drops every cached answer.
func (c *responseCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.bytes = map[string]*response{}, 0
}

func (c *responseCache) get(key string) *response {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[key]
}

func (c *responseCache) put(key string, r *response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	size := len(key) + len(r.body) + len(r.gzipped)
	if c.bytes+size > maxCacheBytes {
		return
	}
	if _, ok := c.m[key]; !ok {
		c.m[key] = r
		c.bytes += size
	}
}
