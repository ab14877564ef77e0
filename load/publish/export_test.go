package publish

import (
	"fmt"
	"log/slog"
)

// The API of the tests: a draft published in one call, as a build in
// release mode auto does it (package marts: Complete, MakeCurrent, Prune).

// Commit makes the draft the current publication: Complete, then
// MakeCurrent recorded as released by "auto", then Prune with keep.
// A failure to prune is logged, not returned: the publication is made.
func (d *Draft) Commit(keep int) error {
	if d.state == finished {
		return fmt.Errorf("publish: commit %s: the draft is already committed or aborted", d.id)
	}
	if err := d.Complete(); err != nil {
		return err
	}
	if err := MakeCurrent(d.warehouse, Release{ID: d.id, By: "auto"}); err != nil {
		d.state = renamed
		return fmt.Errorf("publish: commit %s: %w", d.id, err)
	}
	if err := Prune(d.warehouse, keep); err != nil {
		slog.Warn("publish: pruning old candidates failed; the next commit tries again", "id", d.id, "err", err)
	}
	return nil
}
