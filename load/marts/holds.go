package marts

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"integstat/load/publish"

	"integstat/load/releases"
	"integstat/load/warehouse"
)

// HoldRules are the warn-level checks on what a candidate changes. A
// candidate that breaks one is held: neither mode auto nor the release
// calendar releases it until a person names it in integstat release.
type HoldRules struct {
	ChangeShare     float64 // a kommune figure moving by more than this share of its released value …
	ChangePersons   int64   // … and by at least this many persons
	DropShare       float64 // a delivery's rows dropping by more than this share against the source's previous delivery
	QuarantineShare float64 // a delivery quarantining more than this share of the rows read
}

// DefaultHoldRules are the rules where a field of Options.Hold is zero.
var DefaultHoldRules = HoldRules{ChangeShare: 0.5, ChangePersons: 20, DropShare: 0.2, QuarantineShare: 0.05}

// withDefaults fills the zero fields of r from DefaultHoldRules.
func (r HoldRules) withDefaults() HoldRules {
	d := DefaultHoldRules
	if r.ChangeShare > 0 {
		d.ChangeShare = r.ChangeShare
	}
	if r.ChangePersons > 0 {
		d.ChangePersons = r.ChangePersons
	}
	if r.DropShare > 0 {
		d.DropShare = r.DropShare
	}
	if r.QuarantineShare > 0 {
		d.QuarantineShare = r.QuarantineShare
	}
	return d
}

// holds runs the hold rules on a candidate whose published mart is at
// file, against the release prev ("" if none), and returns the warnings.
// The delivery checks look only at deliveries prev does not rest on, so a
// delivery a person has released does not hold the next candidate again.
func (b *builder) holds(ctx context.Context, prev, file string, current []State) ([]string, error) {
	rules := b.opt.Hold.withDefaults()
	wh := b.opt.Warehouse
	var warnings []string
	released := map[string]bool{}
	if prev != "" {
		info, err := releases.ReadInfo(wh.Dir, prev)
		if err != nil {
			return nil, err
		}
		for _, part := range strings.Fields(info.Deliveries) {
			src, ids, _ := strings.Cut(part, "=")
			for _, id := range strings.Split(ids, "+") {
				released[src+"/"+id] = true
			}
		}
		changes, err := releases.Compare(ctx, filepath.Join(publish.Dir(wh.Dir, prev), publish.PublishedFile), file)
		if err != nil {
			return nil, err
		}
		var moved []releases.Change
		for _, c := range changes {
			if c.Level == "kommune" && c.Kind == "changed" && c.Rel() > rules.ChangeShare && c.Persons() >= rules.ChangePersons {
				moved = append(moved, c)
			}
		}
		if len(moved) > 0 {
			sort.SliceStable(moved, func(i, j int) bool { return moved[i].Persons() > moved[j].Persons() })
			c := moved[0]
			warnings = append(warnings, fmt.Sprintf("%d kommune figures move by more than %.0f %% and %d persons, e.g. %s %d %s %s: %d → %d",
				len(moved), 100*rules.ChangeShare, rules.ChangePersons, c.Indicator, c.Year, c.Region, c.RegionName, *c.FromCount, *c.ToCount))
		}
	}
	ds, err := wh.Deliveries(ctx)
	if err != nil {
		return nil, err
	}
	loads, err := wh.AllLoads(ctx)
	if err != nil {
		return nil, err
	}
	tables := map[string][]warehouse.LoadRow{} // per source/delivery
	for _, l := range loads {
		tables[l.Source+"/"+l.ID] = append(tables[l.Source+"/"+l.ID], l)
	}
	used := map[string]bool{}
	for _, st := range current {
		for _, id := range st.Deliveries {
			used[st.Source+"/"+id] = true
		}
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Extracted.Before(ds[j].Extracted) })
	previous := map[string]string{} // the last full delivery seen per source
	for _, d := range ds {
		key := d.Source + "/" + d.ID
		if d.Incremental {
			continue
		}
		before := previous[d.Source]
		previous[d.Source] = key
		if !used[key] || released[key] {
			continue
		}
		for _, l := range tables[key] {
			if l.Read > 0 && float64(l.Quarantine) > rules.QuarantineShare*float64(l.Read) {
				warnings = append(warnings, fmt.Sprintf("delivery %s table %s quarantined %d of %d rows (more than %.0f %%)",
					key, l.Table, l.Quarantine, l.Read, 100*rules.QuarantineShare))
			}
			if before == "" {
				continue
			}
			for _, p := range tables[before] {
				if p.Table == l.Table && p.Loaded > 0 && float64(p.Loaded-l.Loaded) > rules.DropShare*float64(p.Loaded) {
					warnings = append(warnings, fmt.Sprintf("delivery %s table %s has %d rows, %.0f %% fewer than %s (%d)",
						key, l.Table, l.Loaded, 100*float64(p.Loaded-l.Loaded)/float64(p.Loaded), before, p.Loaded))
				}
			}
		}
	}
	return warnings, nil
}
