package provisioning

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// What the customer is told when their service follows its subscription.
const (
	reasonCancelledNow = "You cancelled its subscription, so it has been ended as you asked."
	reasonPeriodEnded  = "Its subscription ended with the last period you paid for, as you asked."
	reasonGatewayEnded = "Its subscription was ended by our payment provider. Your data is kept for %d days: contact us before %s to keep the service; after that it is deleted."
)

// SubscriptionEnded makes the service of order orderID follow the end of
// its subscription. how is "now" or "period_end" when the customer asked
// for the end here: the service is terminated. Any other end was decided
// at the gateway (its dashboard, its retries running out): the service is
// suspended and the caller is asked (graceUntil non-zero) to run
// GraceEnded at graceUntil, so staff can undo a mistake meanwhile. It is
// safe to repeat; a service still being set up answers Unavailable (try
// again later).
func (e *Engine) SubscriptionEnded(ctx context.Context, orderID, how string, grace time.Duration) (graceUntil time.Time, err error) {
	s, err := e.Store.GetService(ctx, ServiceID(orderID))
	if apperr.Is(err, apperr.NotFound) {
		return time.Time{}, nil // nothing was delivered
	}
	if err != nil {
		return time.Time{}, err
	}
	switch s.Status {
	case StatusTerminated:
		return time.Time{}, nil
	case StatusPending, StatusProvisioning:
		return time.Time{}, apperr.New(apperr.Unavailable, "service %s is still being set up; it follows its subscription once it is", s.ID)
	}
	if s.PanelID == "" { // failed before the panel made anything
		_, err := e.Store.UpdateService(ctx, s.ID, func(s *Service) error {
			if err := s.moveTo(StatusTerminated); err != nil {
				return err
			}
			s.UpdatedAt = e.Clock.Now()
			s.releaseIPs(s.UpdatedAt)
			return nil
		})
		e.logCall(ctx, s.ID, "terminate", map[string]string{"why": "subscription ended"}, map[string]string{"panel": "nothing to delete"}, err, "system")
		return time.Time{}, err
	}
	switch how {
	case "now", "period_end":
		reason := reasonCancelledNow
		if how == "period_end" {
			reason = reasonPeriodEnded
		}
		_, err := e.Terminate(ctx, s.ID, "system", reason)
		return time.Time{}, err
	}
	until := e.Clock.Now().Add(grace)
	if s.Status == StatusActive {
		reason := fmt.Sprintf(reasonGatewayEnded, int(grace.Hours()/24), until.UTC().Format("2 January 2006"))
		if _, err := e.Suspend(ctx, s.ID, "system", reason); err != nil {
			return time.Time{}, err
		}
	}
	return until, nil
}

// GraceEnded terminates the service of orderID after the grace a
// gateway-side end gave it, if it is still suspended: staff unsuspending it
// meanwhile is how a mistaken end is undone.
func (e *Engine) GraceEnded(ctx context.Context, orderID string) error {
	s, err := e.Store.GetService(ctx, ServiceID(orderID))
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.Status != StatusSuspended {
		e.logCall(ctx, s.ID, "grace_ended", nil, map[string]string{"kept": string(s.Status)}, nil, "system")
		return nil
	}
	_, err = e.Terminate(ctx, s.ID, "system", "Its subscription ended and the grace period to keep it has passed.")
	return err
}
