package provisioning

import (
	"context"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// RenewalPaid (the orders.KindRenewalPaid item) lifts an overdue suspension of the order's service and tells
// the customer, once per suspension. Any other suspension stays, and a
// service that is not suspended (or not made yet) has nothing to do.
func (e *Engine) RenewalPaid(ctx context.Context, orderID string) error {
	s, err := e.Store.GetService(ctx, ServiceID(orderID))
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.Status != StatusSuspended || s.SuspendCode != SuspendOverdue {
		return nil
	}
	s, err = e.Unsuspend(ctx, s.ID, "system")
	if err != nil {
		return err
	}
	// Keyed by the unsuspended version: once per suspension lifted.
	return e.tell(ctx, s, notify.ServiceUnsuspended, "", map[string]any{"account_service_url": e.AccountURL + "/services/" + s.ID})
}
