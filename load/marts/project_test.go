package marts

import (
	"slices"
	"testing"

	"integstat/extract/contract"
	"integstat/load/sqlmodel"
)

// TestSourcesAreProvided checks sql/sources.txt against the Go side: the
// declared sources are exactly the relations sourceView provides, one per
// table of the contracts. (A seed, reference or input relation is read by a
// model or test, which sqlmodel.Parse makes sure of, so a build fails when
// it is not provided; the output publikasjon is checked in the mart files.)
func TestSourcesAreProvided(t *testing.T) {
	p, err := Project()
	if err != nil {
		t.Fatal(err)
	}
	var declared, provided []string
	for _, r := range p.Sources {
		if r.Kind == sqlmodel.KindSource {
			declared = append(declared, r.Name)
		}
	}
	for _, tb := range contract.Tables {
		provided = append(provided, tb.Relation())
	}
	slices.Sort(declared)
	slices.Sort(provided)
	if !slices.Equal(declared, provided) {
		t.Errorf("sources declared in sql/sources.txt %q, provided by the builder %q", declared, provided)
	}
}

// TestEveryModelAndTestRuns checks that each model is built, and each data
// test run, by a data state's build or by the publication: a model or test
// outside both would never be checked.
func TestEveryModelAndTestRuns(t *testing.T) {
	p, err := Project()
	if err != nil {
		t.Fatal(err)
	}
	b := &builder{proj: p}
	built := map[string]bool{}
	ran := map[string]bool{}
	mark := func(models []*sqlmodel.Model, tests []*sqlmodel.Test) {
		for _, m := range models {
			built[m.Name] = true
		}
		for _, tt := range tests {
			ran[tt.Name] = true
		}
	}
	for _, src := range contract.Sources {
		models, err := b.proj.Upstream("indikator_" + src)
		if err != nil {
			t.Fatal(err)
		}
		mark(models, p.TestsFor(models, true))
	}
	models, err := b.proj.Upstream(martModels...)
	if err != nil {
		t.Fatal(err)
	}
	mark(models, p.TestsFor(models, false))
	for _, m := range p.Models {
		if !built[m.Name] {
			t.Errorf("model %s (%s) is built by no data state and not by the publication", m.Name, m.Path)
		}
	}
	for _, tt := range p.Tests {
		if !ran[tt.Name] {
			t.Errorf("data test %s (%s) runs neither on a data state nor on the publication", tt.Name, tt.Path)
		}
	}
}
