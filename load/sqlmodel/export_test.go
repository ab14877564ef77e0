package sqlmodel

import "strings"

// Relation returns the declarations of the model or external relation of
// that name (compared without regard to case), or nil.
func (p *Project) Relation(name string) *Relation {
	for _, r := range p.Relations {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}
