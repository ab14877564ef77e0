package research

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// Policy is the warehouse owner's attacker model: what an attacker is
// assumed to know whatever a project file declares. A project can add
// quasi-identifiers to it, never remove them.
type Policy struct {
	// QuasiIdentifiers are quasi-identifiers in every extract that has them.
	QuasiIdentifiers []string `json:"quasi_identifiers"`
	// Derived ties a value computed from other variables to them (a
	// duration to its dates): the sources are quasi-identifiers of every
	// extract with the derived value, and the value is given only as
	// precisely as they are.
	Derived map[string][]string `json:"derived"`
	// Households makes the household (familie) a quasi-identifier where it
	// is extracted: its size and composition are part of each member's
	// signature, and every group counts at least k households.
	Households bool `json:"households"`
	// Composition are the member variables (sex, ages, birth year) whose
	// values, as written for every member, make up a household's
	// composition; each must be one of QuasiIdentifiers.
	Composition []string `json:"composition,omitempty"`
	// LDiversity, when 2 or more, requires every group of persons to hold
	// at least that many values of each Sensitive variable extracted.
	LDiversity int      `json:"l_diversity,omitempty"`
	Sensitive  []string `json:"sensitive,omitempty"`
}

// DefaultPolicy is the attacker model when the owner has written none:
// residence and programme kommune, birth year and ages, sex, citizenship,
// nationality and country background and every date are quasi-identifiers;
// durations are tied to their dates; households are quasi-identifiers,
// with their size and their members' sexes, birth years and ages.
func DefaultPolicy() *Policy {
	return &Policy{
		QuasiIdentifiers: []string{"bostedskommune", "kommunenummer", "fodselsaar", "alder_vedtak", "alder_bosatt", "kjonn",
			"statsborgerskap", "landbakgrunn", "nasjonalitet",
			"rett_plikt_dato", "vedtak_dato", "startdato", "sluttdato", "forste_time_dato", "bosatt_dato", "maaned"},
		Derived: map[string][]string{
			"varighet_dager": {"startdato", "sluttdato"},
			"ventetid_dager": {"vedtak_dato", "bosatt_dato"},
		},
		Households:  true,
		Composition: []string{"kjonn", "fodselsaar", "alder_vedtak", "alder_bosatt"},
		Sensitive:   []string{"avslutning", "kategori"},
	}
}

// LoadPolicy reads the owner's policy from path (a warehouse's
// ResearchPolicy), or returns DefaultPolicy if there is none. Its checks
// are those of ParsePolicy.
func LoadPolicy(path string) (*Policy, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultPolicy(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("research: policy: %w", err)
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return nil, fmt.Errorf("research: policy %s: %w", path, err)
	}
	return p, nil
}

// ParsePolicy parses a policy strictly and checks that it names variables
// of the catalogue, that quasi-identifiers have a hierarchy and that the
// sources of derived values do.
func ParsePolicy(b []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	var errs []error
	for _, v := range p.QuasiIdentifiers {
		if h := catalogueVariable(v); h == nil || h.Hierarchy == nil {
			errs = append(errs, fmt.Errorf("quasi_identifiers: %q is not a variable of the catalogue with a hierarchy", v))
		}
	}
	for d, srcs := range p.Derived {
		if catalogueVariable(d) == nil {
			errs = append(errs, fmt.Errorf("derived: %q is not a variable of the catalogue", d))
		}
		for _, s := range srcs {
			if h := catalogueVariable(s); h == nil || h.Hierarchy != Date {
				errs = append(errs, fmt.Errorf("derived.%s: %q is not a date of the catalogue", d, s))
			}
		}
		if len(srcs) != 2 {
			errs = append(errs, fmt.Errorf("derived.%s: a duration has two dates, from and to", d))
		}
	}
	for _, v := range p.Composition {
		if !p.isQI(v) {
			errs = append(errs, fmt.Errorf("composition: %q is not one of quasi_identifiers", v))
		}
	}
	for _, v := range p.Sensitive {
		if catalogueVariable(v) == nil {
			errs = append(errs, fmt.Errorf("sensitive: %q is not a variable of the catalogue", v))
		}
	}
	if p.LDiversity == 1 || p.LDiversity < 0 {
		errs = append(errs, fmt.Errorf("l_diversity: %d: 0 (off) or 2 or more", p.LDiversity))
	}
	return &p, errors.Join(errs...)
}

// catalogueVariable returns the first variable of the catalogue named name.
func catalogueVariable(name string) *Variable {
	for _, t := range Catalogue {
		if v, ok := t.Variable(name); ok {
			return v
		}
	}
	return nil
}

// String is the policy in one line, for messages.
func (p *Policy) String() string {
	return fmt.Sprintf("quasi-identifiers %s; households %v (composition %s); l-diversity %d on %s",
		strings.Join(p.QuasiIdentifiers, ", "), p.Households, strings.Join(p.Composition, ", "), p.LDiversity, strings.Join(p.Sensitive, ", "))
}

// isQI says whether the owner makes name a quasi-identifier.
func (p *Policy) isQI(name string) bool { return slices.Contains(p.QuasiIdentifiers, name) }
