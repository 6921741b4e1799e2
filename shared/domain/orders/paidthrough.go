package orders

import (
	"context"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// PaidThrough is how far an order's service is paid: the end of the last
// period a payment was applied for. It is advanced in one place only —
// the transaction that records a renewal's (or the first) payment on the
// ledger, which happens once per charge — and never moves back, so
// dunning decides from it and the open invoices, not from a copy.
type PaidThrough struct {
	OrderID string    `json:"order_id"`
	Through time.Time `json:"through"`
	// InvoiceID is the gateway invoice whose payment set it.
	InvoiceID string    `json:"invoice_id"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// periodic reports whether a paid invoice pays for a service period: the
// first one and each renewal (a plan change's proration does not move
// the period).
func periodic(in *gateway.Invoice) bool {
	return !in.PeriodEnd.IsZero() && (in.Reason == gateway.ReasonFirst || in.Reason == gateway.ReasonRenewal)
}

// advancePaidThrough adds to c the order's paid-through date moved to the
// end of in's period, when that is later than the one stored.
func (s *Service) advancePaidThrough(ctx context.Context, c *Change, o *Order, in *gateway.Invoice) error {
	if !periodic(in) {
		return nil
	}
	pt, err := s.store.GetPaidThrough(ctx, o.ID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		pt = &PaidThrough{OrderID: o.ID}
	case err != nil:
		return err
	}
	if !in.PeriodEnd.After(pt.Through) {
		return nil
	}
	pt.Through, pt.InvoiceID, pt.UpdatedAt = in.PeriodEnd.UTC(), in.ID, s.clock.Now()
	pt.Version++
	c.PaidThrough = pt
	return nil
}

// PaidThrough returns how far the order's service is paid (the zero time
// before any payment for a period).
func (s *Service) PaidThrough(ctx context.Context, orderID string) (time.Time, error) {
	pt, err := s.store.GetPaidThrough(ctx, orderID)
	if apperr.Is(err, apperr.NotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return pt.Through, nil
}
