package orders

import (
	"context"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Gateways that bill a subscription on their own schedule without
// invoices (PayPal) report bare payments and failures, in any order.
// Billing places each in the period its own time falls in, counting the
// subscription's cycles from when its billing began (after a free
// trial's days), so the ledger, the paid-through date, dunning and our
// invoices come out the same whatever the order of arrival:
//
//   - the period's invoice is "<subscription>@<its start>": a failure
//     and the payment that settles it name the same one (one dunning
//     run), and so do every retry and the sweep;
//   - the first period's payment pays the order (its amount is the
//     order's total); a later period's payment or failure waits (not
//     yet) until the first period's payment has arrived;
//   - a payment for a period paid already by another payment is for
//     the oldest period still owed (a balance PayPal collected late),
//     and refused when nothing is owed;
//   - a later period's amount is the subscription's price.
//
// A payment in another amount or currency, or for no period owed, is not
// applied: it is parked (KindUnmatchedPayment alerts staff, who refund it
// or apply it by hand) — nothing is paid on faith. Money is deduplicated
// by the gateway's payment id, as for charges.

// KindUnmatchedPayment: a gateway payment matched nothing owed and was
// parked; staff are alerted.
const KindUnmatchedPayment = "payment.unmatched"

// UnmatchedPayment is the payload of KindUnmatchedPayment.
type UnmatchedPayment struct {
	OrderID   string `json:"order_id"`
	Gateway   string `json:"gateway"`
	PaymentID string `json:"payment_id"`
	Currency  string `json:"currency"`
	Amount    int64  `json:"amount"`
	Reason    string `json:"reason"`
}

// periodInvoiceSep separates a subscription from the date it owes.
const periodInvoiceSep = "@"

func periodInvoice(subscriptionID string, start time.Time) string {
	return subscriptionID + periodInvoiceSep + start.UTC().Format("2006-01-02T15:04:05Z")
}

// periodEnd is the end of the order's cycle that starts at start.
func periodEnd(o *Order, start time.Time) time.Time {
	return start.AddDate(0, int(o.Cycle.Months()), 0)
}

// billingSlack lets a payment stamped a little before its period's
// start (clocks, PayPal's batch) count for that period.
const billingSlack = 12 * time.Hour

// periodAt is the period of o's subscription, started at started, that t
// falls in, and whether it is the first. Periods are counted from the
// start each time (not added one to the last) so month ends do not drift.
func periodAt(o *Order, started, t time.Time) (start, end time.Time, first bool) {
	base := started.UTC()
	if o.TrialDays > 0 {
		base = base.AddDate(0, 0, int(o.TrialDays))
	}
	months := int(o.Cycle.Months())
	t = t.Add(billingSlack)
	k := 0
	for k < 1200 && !base.AddDate(0, (k+1)*months, 0).After(t) {
		k++
	}
	return base.AddDate(0, k*months, 0), base.AddDate(0, (k+1)*months, 0), k == 0
}

// owedPeriod is the invoice a failed payment is for.
func (s *Service) owedPeriod(_ context.Context, o *Order, p *gateway.SubscriptionPayment) (*gateway.Invoice, error) {
	if p.Started.IsZero() {
		return nil, apperr.New(apperr.Invalid, "failed payment on %s without its subscription's start", p.SubscriptionID)
	}
	start, end, first := periodAt(o, p.Started, p.At)
	if !first && (o.Status == Pending || o.Status == Expired) {
		return nil, ErrNotYet // the first period's payment has not arrived
	}
	return &gateway.Invoice{ID: periodInvoice(p.SubscriptionID, start), OrderID: o.ID, SubscriptionID: p.SubscriptionID, Currency: p.Currency,
		Total: p.Amount, Reason: gateway.ReasonRenewal, PeriodStart: start, PeriodEnd: end, AttemptCount: max(p.Attempt, 1),
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
	if p.Started.IsZero() {
		return nil, apperr.New(apperr.Invalid, "payment %s without its subscription's start", p.ID)
	}
	start, end, first := periodAt(o, p.Started, p.At)
	if !first && (o.Status == Pending || o.Status == Expired) {
		return nil, ErrNotYet // the first period's payment has not arrived
	}
	ledger, err := s.store.ListPayments(ctx, o.CustomerID)
	if err != nil {
		return nil, err
	}
	id, what := periodInvoice(p.SubscriptionID, start), "a renewal"
	if paidBy(ledger, id) != "" {
		if err := s.changeCharge(ctx, o, p); err != nil {
			return nil, err
		}
		owed := oldestOwed(ledger, o.ID, p.SubscriptionID)
		if owed == nil {
			return nil, apperr.New(apperr.Conflict, "payment %s of %d %s on %s is for a period paid already, and nothing is owed; not applied",
				p.ID, p.Amount, p.Currency, p.SubscriptionID)
		}
		id, what, first = owed.GatewayInvoiceID, "the period owed", false
		start, _ = time.Parse("2006-01-02T15:04:05Z", strings.TrimPrefix(id, p.SubscriptionID+periodInvoiceSep))
		end = periodEnd(o, start)
	}
	// The first period costs the order's total (a first-period coupon);
	// later ones the subscription's price now (a plan change moves it),
	// or the order's renewal while the subscription's state has not
	// arrived yet.
	want := o.Total
	if !first {
		want = o.Renewal
		if sub, err := s.store.GetSubscription(ctx, SubscriptionID(o.ID)); err == nil && sub.Amount > 0 {
			want = sub.Amount
		} else if err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
	} else {
		what = "the first period"
	}
	if p.Currency != o.Currency || p.Amount != want {
		return nil, mismatch(p, want, o.Currency, what)
	}
	reason := gateway.ReasonRenewal
	if first {
		reason = gateway.ReasonFirst
	}
	return &gateway.Invoice{ID: id, OrderID: o.ID, SubscriptionID: p.SubscriptionID, Currency: p.Currency, Total: p.Amount, AmountPaid: p.Amount,
		ChargeID: p.ID, Reason: reason, PeriodStart: start, PeriodEnd: end}, nil
}

// paidBy is the payment that paid invoice id (empty: none).
func paidBy(ledger []Payment, id string) string {
	for _, p := range ledger {
		if p.Status == PaymentSucceeded && p.GatewayInvoiceID == id {
			return p.ID
		}
	}
	return ""
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
	if err != nil || !in.PeriodEnd.After(sub.CurrentPeriodEnd) {
		return err
	}
	sub.CurrentPeriodStart, sub.CurrentPeriodEnd = in.PeriodStart, in.PeriodEnd
	sub.UpdatedAt = s.clock.Now()
	sub.Version++
	c.Subscription = sub
	return nil
}

// latestPaidPeriod moves sub's period to the last one paid for, when that
// is later: payments placed before the subscription's first state arrived
// found no subscription to move (periodPaid).
func (s *Service) latestPaidPeriod(ctx context.Context, o *Order, sub *Subscription) error {
	pt, err := s.store.GetPaidThrough(ctx, o.ID)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil || !pt.Through.After(sub.CurrentPeriodEnd) {
		return err
	}
	start, err := time.Parse("2006-01-02T15:04:05Z", strings.TrimPrefix(pt.InvoiceID, sub.GatewayID+periodInvoiceSep))
	if err != nil {
		start = pt.Through.AddDate(0, -int(o.Cycle.Months()), 0)
	}
	sub.CurrentPeriodStart, sub.CurrentPeriodEnd = start, pt.Through
	return nil
}

// changeCharge refuses for now (not yet) a payment that is the charge of a
// plan change in flight: the change records it when it finishes, and this
// delivery, repeated, then finds it on the ledger.
func (s *Service) changeCharge(ctx context.Context, o *Order, p *gateway.SubscriptionPayment) error {
	sub, err := s.store.GetSubscription(ctx, SubscriptionID(o.ID))
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil || sub.ChangeInFlight == "" {
		return err
	}
	ch, err := s.store.GetChange(ctx, sub.ChangeInFlight)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if (ch.Status == "pending" || ch.Status == "awaiting_consent") && ch.Proration.Total == p.Amount && ch.Currency == p.Currency {
		return ErrNotYet
	}
	return nil
}
