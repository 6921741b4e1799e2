package provisioning

import (
	"slices"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// serviceMoves is every status change a service may make; any other is
// refused. Terminated is final; a failed service goes back to pending
// only through a staff retry.
var serviceMoves = map[Status][]Status{
	StatusPending:      {StatusProvisioning, StatusActive, StatusFailed},
	StatusProvisioning: {StatusActive, StatusFailed},
	StatusActive:       {StatusSuspended, StatusTerminated},
	StatusSuspended:    {StatusActive, StatusTerminated},
	StatusFailed:       {StatusPending, StatusTerminated},
}

// Statuses lists every service status.
var Statuses = []Status{StatusPending, StatusProvisioning, StatusActive, StatusSuspended, StatusTerminated, StatusFailed}

// CanMove reports whether a service in s may move to to (staying is a
// repeated step, and allowed).
func (s Status) CanMove(to Status) bool { return s == to || slices.Contains(serviceMoves[s], to) }

// moveTo changes the service's status, refusing a move the table does not
// allow: a late step cannot bring a terminated service back or mark an
// active one failed.
func (s *Service) moveTo(to Status) error {
	if !s.Status.CanMove(to) {
		return apperr.New(apperr.Conflict, "a service cannot go from %s to %s", s.Status, to)
	}
	s.Status = to
	return nil
}
