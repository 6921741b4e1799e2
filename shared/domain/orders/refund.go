package orders

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// PaymentRefund marks a ledger entry that returned money.
const PaymentRefund PaymentStatus = "refund"

// RefundRequest refunds part or all of a payment.
type RefundRequest struct {
	Amount int64  `json:"amount"` // minor units; 0 refunds what is left
	Reason string `json:"reason"` // duplicate, fraudulent, requested_by_customer, or empty
}

// RefundPayment returns money from a successful payment through its
// gateway and records the refund in the ledger. The gateway call carries a
// key derived from the payment's refunded total, so a retried click (or two
// staff clicking at once) refunds once.
func (s *Service) RefundPayment(ctx context.Context, paymentID string, req RefundRequest, staffID string) (*Payment, error) {
	p, err := s.store.GetPayment(ctx, paymentID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.NotFound, "payment %s not found", paymentID)
	}
	if err != nil {
		return nil, err
	}
	if p.Status != PaymentSucceeded || p.GatewayChargeID == "" {
		return nil, apperr.New(apperr.Conflict, "only successful charges can be refunded")
	}
	left := p.Amount - p.Refunded
	amount := req.Amount
	if amount == 0 {
		amount = left
	}
	f := apperr.FieldErrors{}
	switch {
	case left == 0:
		return nil, apperr.New(apperr.Conflict, "this payment is refunded in full already")
	case amount < 0 || amount > left:
		f.Add("amount", fmt.Sprintf("must be 1 to %d (what is left of the payment, in minor units)", left))
	}
	if req.Reason != "" && req.Reason != "duplicate" && req.Reason != "fraudulent" && req.Reason != "requested_by_customer" {
		f.Add("reason", "must be duplicate, fraudulent or requested_by_customer")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("refund-%s-%d-%d", p.ID, p.Refunded, amount)
	g, err := s.gw(p.Gateway)
	if err != nil {
		return nil, err
	}
	refundID, err := g.Refund(ctx, gateway.RefundInput{ChargeID: p.GatewayChargeID, Amount: amount, Reason: req.Reason, Key: key, By: staffID})
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	entry := Payment{ID: p.Gateway + ":" + refundID, CustomerID: p.CustomerID, OrderID: p.OrderID, Gateway: p.Gateway, GatewayChargeID: p.GatewayChargeID,
		GatewayInvoiceID: p.GatewayInvoiceID, Status: PaymentRefund, Currency: p.Currency, Amount: amount, RefundOf: p.ID, By: staffID, At: now, Version: 1}
	for attempt := 1; ; attempt++ {
		cur, err := s.store.GetPayment(ctx, paymentID)
		if err != nil {
			return nil, err
		}
		c := Change{}
		if _, err := s.store.GetPayment(ctx, entry.ID); apperr.Is(err, apperr.NotFound) {
			c.Payments = []Payment{entry}
		}
		// The charge.refunded webhook may have raised the total already.
		if total := p.Refunded + amount; total > cur.Refunded {
			cur.Refunded = total
			cur.Version++
			c.Refunds = []Payment{*cur}
		}
		err = s.store.Apply(ctx, c)
		if apperr.Is(err, apperr.Conflict) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("record refund %s of %s: %w", refundID, paymentID, err)
		}
		return &entry, nil
	}
}
