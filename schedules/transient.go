package schedules

import (
	"context"
	"errors"
	"io/fs"
	"net"

	"github.com/jackc/pgx/v5/pgconn"

	"integstat/extract/tolkdb"
	"integstat/load/marts"
	"integstat/load/sqlmodel"
	"integstat/load/warehouse"
	"integstat/pipeline"
)

// ErrUnavailable marks a failure to reach the warehouse itself (its lock
// or ledger held by another process, such as a reader of `integstat
// runs`): transient.
var ErrUnavailable = errors.New("warehouse unavailable")

// Transient reports whether a job that failed with err may succeed if
// tried again later, so the daemon retries it with backoff: the network
// or PostgreSQL unreachable (connection refused, reset or timed out,
// server starting or stopping), the inbox unreadable for now (missing or
// no permission), an attempt's own deadline, the warehouse unavailable.
// Data errors are never transient: a delivery refused (its id loaded
// before with other content), a publication that failed its data tests
// or protection checks; nor is a job that is not configured or a stop of
// the daemon (a cancelled context). Anything unknown is reported once
// rather than retried.
func Transient(err error) bool {
	switch {
	case err == nil,
		errors.Is(err, pipeline.ErrRefused),
		errors.Is(err, marts.ErrVerify),
		errors.Is(err, ErrConfig),
		errors.Is(err, context.Canceled):
		return false
	}
	var tf *sqlmodel.TestFailure
	if errors.As(err, &tf) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnavailable) || errors.Is(err, warehouse.ErrLocked) {
		return true
	}
	var op *net.OpError
	var ce *pgconn.ConnectError
	if errors.As(err, &op) || errors.As(err, &ce) || tolkdb.Transient(err) {
		return true
	}
	var pe *fs.PathError
	return errors.As(err, &pe) && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission))
}
