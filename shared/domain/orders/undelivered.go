package orders

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Undone is what CancelAndRefund did.
type Undone struct {
	SubscriptionID string    `json:"subscription_id,omitempty"` // cancelled now ("" when there was none)
	Refunds        []Payment `json:"refunds"`                   // the refunds made, one per payment
}

// CancelAndRefund ends an order that could not be delivered, in one
// action: its subscription is cancelled at once (so nothing renews, and
// the service record follows) and every payment of the order is refunded
// in full. Each part is safe to repeat — a cancelled subscription is left
// as it is and a refunded payment is skipped — so a retry after a gateway
// failure finishes what the first click began and charges back nothing
// twice.
func (s *Service) CancelAndRefund(ctx context.Context, orderID, staffID string) (*Undone, error) {
	o, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if o.Status != Paid {
		return nil, apperr.New(apperr.Conflict, "only a paid order can be cancelled with a refund; this one is %s", o.Status)
	}
	out := &Undone{Refunds: []Payment{}}
	subs, err := s.store.ListSubscriptions(ctx, o.CustomerID)
	if err != nil {
		return nil, err
	}
	for _, sub := range subs {
		if sub.OrderID != o.ID {
			continue
		}
		out.SubscriptionID = sub.ID
		if sub.Status != gateway.SubCancelled {
			if _, err := s.CancelSubscription(ctx, "", sub.ID, CancelRequest{When: "now", Comment: "not delivered: cancelled with a refund by staff"}, staffID); err != nil &&
				!apperr.Is(err, apperr.Conflict) {
				return nil, fmt.Errorf("cancel %s: %w", sub.ID, err)
			}
		}
	}
	pays, err := s.store.ListPayments(ctx, o.CustomerID)
	if err != nil {
		return nil, err
	}
	for _, p := range pays {
		if p.OrderID != o.ID || p.Status != PaymentSucceeded || p.Amount-p.Refunded <= 0 || p.GatewayChargeID == "" {
			continue
		}
		r, err := s.RefundPayment(ctx, p.ID, RefundRequest{Reason: "requested_by_customer"}, staffID)
		if err != nil {
			return nil, fmt.Errorf("refund %s: %w", p.ID, err)
		}
		out.Refunds = append(out.Refunds, *r)
	}
	return out, nil
}

// Reserved counts the units of a plan that checkouts have reserved and no
// service has been made for yet: open checkouts (pending, not expired)
// and paid orders waiting for staff approval.
func (s *Service) Reserved(ctx context.Context, planID string) (int64, error) {
	var n int64
	now := s.clock.Now()
	for _, st := range []Status{Pending, AwaitingApproval} {
		cursor := ""
		for {
			list, next, err := s.store.ListAllOrders(ctx, st, cursor, 100)
			if err != nil {
				return 0, err
			}
			for _, o := range list {
				if o.PlanID == planID && o.StockReserved && (st != Pending || now.Before(o.ExpiresAt)) {
					n++
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return n, nil
}
