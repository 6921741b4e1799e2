package orders

import (
	"context"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Gateways that bill a subscription on their own schedule without
// invoices (PayPal) report bare payments and failures. Billing turns each
// into the invoice of the period it is for, so the ledger, the
// paid-through date, dunning and our invoices work as they do for Stripe:
//
//   - a failure is owed for the period that starts at the paid-through
//     date: its invoice is "<subscription>@<that date>", so every retry of
//     it, and the sweep, name the same one (one dunning run);
//   - a payment while the order is unpaid is the first period, from the
//     payment's time;
//   - a payment while a period is owed (a failure recorded, nothing paid
//     on it since) pays that period, oldest first, when its amount and
//     currency are the ones owed;
//   - any other payment is the next period on time, when its amount and
//     currency are the subscription's.
//
// A payment in another amount or currency is refused (the gateway
// delivers it again; staff see the error): nothing is paid on faith.
// Money is deduplicated by the gateway's payment id, as for charges.

// periodInvoiceSep separates a subscription from the date it owes.
const periodInvoiceSep = "@"

func periodInvoice(subscriptionID string, start time.Time) string {
	return subscriptionID + periodInvoiceSep + start.UTC().Format("2006-01-02T15:04:05Z")
}

// periodEnd is the end of the order's cycle that starts at start.
func periodEnd(o *Order, start time.Time) time.Time {
	return start.AddDate(0, int(o.Cycle.Months()), 0)
}

// owedPeriod is the invoice a failed payment is for.
func (s *Service) owedPeriod(ctx context.Context, o *Order, p *gateway.SubscriptionPayment) (*gateway.Invoice, error) {
	start, err := s.PaidThrough(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	if start.IsZero() {
		start = p.At // nothing paid yet: the first period is what is owed
	}
	return &gateway.Invoice{ID: periodInvoice(p.SubscriptionID, start), OrderID: o.ID, SubscriptionID: p.SubscriptionID, Currency: p.Currency,
		Total: p.Amount, Reason: gateway.ReasonRenewal, PeriodStart: start, PeriodEnd: periodEnd(o, start), AttemptCount: max(p.Attempt, 1),
		NextAttempt: p.NextAttempt, FailureMessage: p.FailureMessage}, nil
}

// paidPeriod is the invoice a payment pays (nil when the payment is on
// the ledger already).
func (s *Service) paidPeriod(ctx context.Context, o *Order, p *gateway.SubscriptionPayment) (*gateway.Invoice, error) {
	if _, err := s.store.GetPayment(ctx, o.Gateway+":"+p.ID); err == nil {
		return nil, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	paid := func(id string, reason string, start time.Time) *gateway.Invoice {
		return &gateway.Invoice{ID: id, OrderID: o.ID, SubscriptionID: p.SubscriptionID, Currency: p.Currency, Total: p.Amount, AmountPaid: p.Amount,
			ChargeID: p.ID, Reason: reason, PeriodStart: start, PeriodEnd: periodEnd(o, start)}
	}
	if o.Status == Pending || o.Status == Expired {
		if p.Currency != o.Currency || p.Amount != o.Total {
			return nil, mismatch(p, o.Total, o.Currency, "the first period")
		}
		return paid(p.ID, gateway.ReasonFirst, p.At), nil
	}
	ledger, err := s.store.ListPayments(ctx, o.CustomerID)
	if err != nil {
		return nil, err
	}
	if owed := oldestOwed(ledger, o.ID, p.SubscriptionID); owed != nil {
		if p.Currency != owed.Currency || p.Amount != owed.Amount {
			return nil, mismatch(p, owed.Amount, owed.Currency, "the period owed")
		}
		start, _ := time.Parse("2006-01-02T15:04:05Z", strings.TrimPrefix(owed.GatewayInvoiceID, p.SubscriptionID+periodInvoiceSep))
		return paid(owed.GatewayInvoiceID, gateway.ReasonRenewal, start), nil
	}
	// The subscription's price now (a plan change moves it); the order's
	// renewal while the subscription's state has not arrived yet.
	amount := o.Renewal
	if sub, err := s.store.GetSubscription(ctx, SubscriptionID(o.ID)); err == nil && sub.Amount > 0 {
		amount = sub.Amount
	} else if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	if p.Currency != o.Currency || p.Amount != amount {
		return nil, mismatch(p, amount, o.Currency, "a renewal")
	}
	start, err := s.PaidThrough(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	if start.IsZero() {
		start = p.At
	}
	return paid(p.ID, gateway.ReasonRenewal, start), nil
}

// oldestOwed is the order's oldest period invoice that failed and that
// nothing paid since.
func oldestOwed(ledger []Payment, orderID, subscriptionID string) *Payment {
	paid := map[string]bool{}
	for _, p := range ledger {
		if p.Status == PaymentSucceeded {
			paid[p.GatewayInvoiceID] = true
		}
	}
	var oldest *Payment
	for i := range ledger {
		p := &ledger[i]
		if p.OrderID != orderID || p.Status != PaymentFailed || paid[p.GatewayInvoiceID] || !strings.HasPrefix(p.GatewayInvoiceID, subscriptionID+periodInvoiceSep) {
			continue
		}
		if oldest == nil || p.GatewayInvoiceID < oldest.GatewayInvoiceID {
			oldest = p
		}
	}
	return oldest
}

func mismatch(p *gateway.SubscriptionPayment, want int64, currency, what string) error {
	return apperr.New(apperr.Conflict, "payment %s of %d %s on %s does not match %s (%d %s); not applied",
		p.ID, p.Amount, p.Currency, p.SubscriptionID, what, want, currency)
}

// periodPaid moves the subscription's current period to the one in paid,
// when that is later: such gateways announce a renewal by its payment
// alone (no subscription event follows), and the period's end is when the
// next renewal, and an end at the period's end, fall.
func (s *Service) periodPaid(ctx context.Context, c *Change, in *gateway.Invoice) error {
	sub, err := s.store.GetSubscription(ctx, SubscriptionID(in.OrderID))
	if apperr.Is(err, apperr.NotFound) {
		return nil // its first state has not arrived yet; it will carry the period
	}
	if err != nil || !in.PeriodEnd.After(sub.CurrentPeriodEnd) || sub.Status == gateway.SubCancelled {
		return err
	}
	sub.CurrentPeriodStart, sub.CurrentPeriodEnd = in.PeriodStart, in.PeriodEnd
	sub.UpdatedAt = s.clock.Now()
	sub.Version++
	c.Subscription = sub
	return nil
}
