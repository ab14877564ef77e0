package research

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"integstat/load/warehouse"
	"integstat/transform/pseudo"
)

// ErrNotApproved marks an extract refused because its project is not
// registered, its registration has expired or not begun, or it asks for
// more than was approved.
var ErrNotApproved = errors.New("research: project not approved for this extract")

// Register records p in the warehouse as an approved project: its id,
// approval, approver, validity and the tables and variables of its project
// file. The registration gets a random id; the project's pseudonyms derive
// from it and the master key, so registering the id again (replace) gives
// the project new pseudonyms. An id registered before is refused unless
// replace is set.
func Register(ctx context.Context, wh *warehouse.Warehouse, p *Project, replace bool) (warehouse.Registration, error) {
	if err := p.check(); err != nil {
		return warehouse.Registration{}, fmt.Errorf("research: project: %w", err)
	}
	var errs []error
	if strings.TrimSpace(p.ApprovedBy) == "" {
		errs = append(errs, errors.New("approved_by: missing: who approved the project"))
	}
	if p.ValidFrom == "" || p.ValidTo == "" {
		errs = append(errs, errors.New("valid_from, valid_to: missing: the first and last day the approval is valid (YYYY-MM-DD)"))
	}
	if err := errors.Join(errs...); err != nil {
		return warehouse.Registration{}, fmt.Errorf("research: registering %s: %w", p.ID, err)
	}
	from, _ := time.Parse(time.DateOnly, p.ValidFrom)
	to, _ := time.Parse(time.DateOnly, p.ValidTo)
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return warehouse.Registration{}, fmt.Errorf("research: registration id: %w", err)
	}
	r := warehouse.Registration{ID: hex.EncodeToString(nonce), Project: p.ID, Approval: p.Approval, ApprovedBy: p.ApprovedBy,
		ValidFrom: from, ValidTo: to, Approved: map[string][]string{}, SpecHash: p.SpecHash()}
	for _, tr := range p.Tables {
		r.Approved[tr.Table] = slices.Clone(tr.Variables)
	}
	if err := wh.RegisterProject(ctx, r, replace); err != nil {
		return warehouse.Registration{}, err
	}
	return r, nil
}

// projectKey is the key of a registration's pseudonyms: derived from the
// master key, the project id and the random registration id, never stored.
func projectKey(master *pseudo.Key, r warehouse.Registration) *pseudo.Key {
	return master.Derive(keyPurpose(r))
}

func keyPurpose(r warehouse.Registration) string {
	return "project/" + r.Project + "/" + r.ID
}

// approved returns the project's registration if p may be extracted on
// day: registered, valid on day, under the same approval, and asking only
// for approved tables and variables. The error wraps ErrNotApproved.
func approved(ctx context.Context, wh *warehouse.Warehouse, p *Project, day time.Time) (warehouse.Registration, error) {
	r, ok, err := wh.ProjectRegistration(ctx, p.ID)
	if err != nil {
		return r, err
	}
	if !ok {
		return r, fmt.Errorf("%w: %s is not registered (integstat research register --project FILE)", ErrNotApproved, p.ID)
	}
	d := day.Format(time.DateOnly)
	var errs []error
	if from, to := r.ValidFrom.Format(time.DateOnly), r.ValidTo.Format(time.DateOnly); d < from || d > to {
		errs = append(errs, fmt.Errorf("the registration is valid from %s to %s, not on %s", from, to, d))
	}
	if p.Approval != r.Approval {
		errs = append(errs, fmt.Errorf("approval %q is not the registered %q", p.Approval, r.Approval))
	}
	for _, tr := range p.Tables {
		vars, ok := r.Approved[tr.Table]
		if !ok {
			errs = append(errs, fmt.Errorf("table %s was not approved", tr.Table))
			continue
		}
		for _, v := range tr.Variables {
			if !slices.Contains(vars, v) && v != person.Name {
				errs = append(errs, fmt.Errorf("%s.%s was not approved", tr.Table, v))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return r, fmt.Errorf("%w: %s (registration %s): %w", ErrNotApproved, p.ID, r.ID, err)
	}
	return r, nil
}
