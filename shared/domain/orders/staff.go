package orders

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Approve releases a paid order held for review to provisioning.
func (s *Service) Approve(ctx context.Context, id, staffID string) (*Order, error) {
	for attempt := 1; ; attempt++ {
		o, err := s.store.GetOrder(ctx, id)
		if err != nil {
			return nil, err
		}
		if o.Status != AwaitingApproval {
			return nil, apperr.New(apperr.Conflict, "only orders awaiting approval can be approved; this one is %s", o.Status)
		}
		if err := o.moveTo(Paid); err != nil {
			return nil, err
		}
		now := s.clock.Now()
		o.ApprovedBy, o.UpdatedAt = staffID, now
		o.Version++
		err = s.store.Apply(ctx, Change{Order: o, Outbox: []outbox.Item{outbox.New("provision-"+o.ID, KindProvision, o.ID, map[string]string{"order_id": o.ID}, now)}})
		if apperr.Is(err, apperr.Conflict) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("approve order %s: %w", id, err)
		}
		s.kick()
		return o, nil
	}
}

// Cancel ends an unpaid order for staff, releasing its stock and coupon.
// (A paid order is ended by refunding it.)
func (s *Service) Cancel(ctx context.Context, id, reason string) (*Order, error) {
	o, err := s.store.GetOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.Status != Pending {
		return nil, apperr.New(apperr.Conflict, "only unpaid orders can be cancelled; this one is %s", o.Status)
	}
	if reason == "" {
		reason = "cancelled by staff"
	}
	if err := s.close(ctx, id, Cancelled, reason); err != nil {
		return nil, fmt.Errorf("cancel order %s: %w", id, err)
	}
	return s.store.GetOrder(ctx, id)
}
