package provisioning

import (
	"testing"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Every pair of service statuses: the allowed moves (and staying put, a
// repeated step) happen; every other is refused with Conflict and leaves
// the service as it was.
func TestServiceTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusPending, StatusProvisioning}: true, {StatusPending, StatusActive}: true, {StatusPending, StatusFailed}: true,
		{StatusProvisioning, StatusActive}: true, {StatusProvisioning, StatusFailed}: true,
		{StatusActive, StatusSuspended}: true, {StatusActive, StatusTerminated}: true,
		{StatusSuspended, StatusActive}: true, {StatusSuspended, StatusTerminated}: true,
		{StatusFailed, StatusPending}: true, {StatusFailed, StatusTerminated}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			s := &Service{Status: from}
			err := s.moveTo(to)
			ok := from == to || allowed[[2]Status{from, to}]
			switch {
			case ok && (err != nil || s.Status != to):
				t.Errorf("%s → %s: %v, want allowed", from, to, err)
			case !ok && (!apperr.Is(err, apperr.Conflict) || s.Status != from):
				t.Errorf("%s → %s: %v (status %s), want refused with Conflict", from, to, err, s.Status)
			}
		}
	}
}
