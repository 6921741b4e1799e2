package orders

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Outbox kinds orders emit.
const (
	// KindOrderPaid: tell the customer and the admins (Discord).
	KindOrderPaid = "order.paid"
	// KindProvision: start provisioning the order (consumed by provisioning).
	KindProvision = "provision.requested"
	// KindInvoicePaid: issue our invoice for a gateway charge, mark it paid.
	KindInvoicePaid = "invoice.paid"
	// KindPaymentFailed: tell the customer and the admins.
	KindPaymentFailed = "payment.failed"
	// KindRenewalPaid: a renewal was paid (written once per charge, with
	// its ledger entry); a service suspended for being overdue comes back.
	KindRenewalPaid = "service.renewal_paid"
)

// InvoicePaidEvent is KindInvoicePaid's payload.
type InvoicePaidEvent struct {
	OrderID          string `json:"order_id"`
	CustomerID       string `json:"customer_id"`
	Gateway          string `json:"gateway"`
	GatewayInvoiceID string `json:"gateway_invoice_id"`
	ChargeID         string `json:"charge_id"`
	Currency         string `json:"currency"`
	Amount           int64  `json:"amount"`
	Reason           string `json:"reason"`
	ChangeID         string `json:"change_id,omitempty"` // a plan change's charge
	// LateFeeFor is set on a late fee's payment: the unpaid invoice it is
	// for; LateFeeNet the fee before tax.
	LateFeeFor string `json:"late_fee_for,omitempty"`
	LateFeeNet int64  `json:"late_fee_net,omitempty"`
	// CreditApplied is what the customer's balance paid (Amount is what
	// the card paid).
	CreditApplied int64  `json:"credit_applied,omitempty"`
	PeriodStart   string `json:"period_start"`
	PeriodEnd     string `json:"period_end"`
	// Items are usage charges (bandwidth overage) the invoice carries
	// beside the plan, each before tax.
	Items []UsageLine `json:"items,omitempty"`
}

// UsageLine is a usage charge on a paid invoice.
type UsageLine struct {
	Description string `json:"description"`
	Net         int64  `json:"net"`
}

// PaymentFailedEvent is KindPaymentFailed's payload.
type PaymentFailedEvent struct {
	OrderID     string `json:"order_id"`
	CustomerID  string `json:"customer_id"`
	Currency    string `json:"currency"`
	Amount      int64  `json:"amount"`
	Reason      string `json:"reason"`
	NextAttempt string `json:"next_attempt"`
	// What dunning needs: the gateway's invoice, why it was billed
	// (subscription_cycle: a renewal) and when its period began.
	Gateway       string    `json:"gateway,omitempty"`
	InvoiceID     string    `json:"invoice_id,omitempty"`
	BillingReason string    `json:"billing_reason,omitempty"`
	Due           time.Time `json:"due,omitzero"`
}

// ErrNotYet refuses an event that depends on one not yet received; the
// gateway's redelivery brings it back later.
var ErrNotYet = apperr.New(apperr.Unavailable, "this event depends on one not yet received; deliver it again later")

// HandleWebhook verifies and applies one gateway webhook delivery. It
// returns gateway.ErrSignature for forged or stale deliveries (nothing is
// recorded) and nil for duplicates and kinds we do not act on.
func (s *Service) HandleWebhook(ctx context.Context, gatewayName string, d gateway.Delivery) (*gateway.Event, error) {
	g, err := s.gw(gatewayName)
	if err != nil {
		return nil, gateway.ErrSignature // no such gateway here: nothing can verify it
	}
	ev, err := g.ParseWebhook(ctx, d)
	if err != nil {
		return nil, err
	}
	ev.Gateway = g.Name()
	return ev, s.ApplyEvent(ctx, ev)
}

// ApplyEvent records ev and the state change it causes in one
// transaction, deciding again on the fresh state when a concurrent event
// for the same order won the race.
func (s *Service) ApplyEvent(ctx context.Context, ev *gateway.Event) error {
	if ev.Gateway == "" {
		ev.Gateway = s.gateways.Default().Name()
	}
	// Redeliveries are common: one read spares them the whole decision.
	// (The transaction's own check still decides races.)
	if seen, err := s.store.EventSeen(ctx, ev.Gateway, ev.ID); err != nil {
		return err
	} else if seen {
		return nil
	}
	for attempt := 1; ; attempt++ {
		c, err := s.decide(ctx, ev)
		if err != nil {
			return fmt.Errorf("event %s (%s): %w", ev.ID, ev.Type, err)
		}
		err = s.store.Apply(ctx, c)
		switch {
		case errors.Is(err, ErrDuplicate):
			return nil
		case apperr.Is(err, apperr.Conflict) && attempt < 10:
			// Another event of the same order won; spread the retries.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(rand.IntN(attempt*3)+1) * time.Millisecond):
			}
			continue
		case err != nil:
			return fmt.Errorf("apply event %s (%s): %w", ev.ID, ev.Type, err)
		}
		if len(c.Outbox) > 0 {
			s.kick()
		}
		return nil
	}
}

// decide computes what ev changes, from the stored state.
func (s *Service) decide(ctx context.Context, ev *gateway.Event) (Change, error) {
	c := Change{Event: &EventRecord{Gateway: ev.Gateway, ID: ev.ID, Type: ev.Type, Created: ev.Created}}
	var orderID string
	switch {
	case ev.Checkout != nil:
		orderID = ev.Checkout.OrderID
	case ev.Invoice != nil:
		orderID = ev.Invoice.OrderID
	case ev.Subscription != nil:
		orderID = ev.Subscription.OrderID
	case ev.Payment != nil:
		orderID = ev.Payment.OrderID
	}
	switch ev.Kind {
	case gateway.ChargeRefunded:
		return c, s.refunded(ctx, &c, ev)
	case gateway.PaymentMethodAttached, gateway.PaymentMethodDetached:
		return c, s.mirrorPaymentMethod(ctx, &c, ev)
	}
	if orderID == "" {
		return c, nil // not ours (or a kind we only record)
	}
	o, err := s.store.GetOrder(ctx, orderID)
	if apperr.Is(err, apperr.NotFound) {
		s.log.WarnContext(ctx, "webhook for an unknown order", "event", ev.ID, "order", orderID)
		if p := ev.Payment; ev.Kind == gateway.SubscriptionPaid {
			// Money for an order we do not have: parked for staff.
			c.Outbox = append(c.Outbox, outbox.New(ev.ID+"-unmatched", KindUnmatchedPayment, orderID, UnmatchedPayment{OrderID: orderID, Gateway: ev.Gateway,
				PaymentID: p.ID, Currency: p.Currency, Amount: p.Amount, Reason: "no order " + orderID + " here"}, s.clock.Now()))
		}
		return c, nil
	}
	if err != nil {
		return c, err
	}
	now := s.clock.Now()
	switch ev.Kind {
	case gateway.CheckoutCompleted:
		if ev.Checkout.Paid {
			s.markPaid(&c, o, ev.Checkout.SubscriptionID, ev)
		}
	case gateway.CheckoutExpired:
		if o.Status == Pending {
			if err := o.moveTo(Expired); err != nil {
				return c, err
			}
			o.Note, o.ClosedAt = "the checkout expired unpaid", &now
			c.Order, c.Release = o, true
		}
	case gateway.InvoicePaid:
		in := ev.Invoice
		if in.Reason == gateway.ReasonFirst {
			s.markPaid(&c, o, in.SubscriptionID, ev)
		}
		if err := s.recordPayment(ctx, &c, o, in, ev); err != nil {
			return c, err
		}
	case gateway.InvoiceFinalized:
		if err := s.creditApplied(ctx, &c, o, ev.Invoice, ev); err != nil {
			return c, err
		}
	case gateway.InvoiceVoided:
		if err := s.creditReturned(ctx, &c, o, ev.Invoice, ev); err != nil {
			return c, err
		}
	case gateway.InvoicePaymentFailed:
		if err := s.paymentFailed(ctx, &c, o, ev.Invoice, ev); err != nil {
			return c, err
		}
	case gateway.SubscriptionPaid:
		in, err := s.paidPeriod(ctx, o, ev.Payment)
		if apperr.Is(err, apperr.Conflict) {
			// Money that matches nothing owed is not applied on faith, nor
			// refused for ever: the event is recorded with an alert, and
			// staff refund it or apply it by hand.
			p := ev.Payment
			c.Outbox = append(c.Outbox, outbox.New(ev.ID+"-unmatched", KindUnmatchedPayment, o.ID, UnmatchedPayment{OrderID: o.ID, Gateway: ev.Gateway,
				PaymentID: p.ID, Currency: p.Currency, Amount: p.Amount, Reason: apperr.MessageOf(err)}, now))
			s.log.WarnContext(ctx, "payment parked: it matches nothing owed", "event", ev.ID, "order", o.ID, "payment", p.ID, "reason", apperr.MessageOf(err))
			return c, nil
		}
		if err != nil || in == nil {
			return c, err
		}
		if in.Reason == gateway.ReasonFirst {
			s.markPaid(&c, o, in.SubscriptionID, ev)
		}
		if err := s.recordPayment(ctx, &c, o, in, ev); err != nil {
			return c, err
		}
		if err := s.periodPaid(ctx, &c, in); err != nil {
			return c, err
		}
	case gateway.SubscriptionPaymentFailed:
		in, err := s.owedPeriod(ctx, o, ev.Payment)
		if err != nil {
			return c, err
		}
		if err := s.paymentFailed(ctx, &c, o, in, ev); err != nil {
			return c, err
		}
	case gateway.SubscriptionCreated, gateway.SubscriptionUpdated, gateway.SubscriptionDeleted:
		if err := s.mirror(ctx, &c, o, ev); err != nil {
			return c, err
		}
		if g := ev.Subscription; g.Approved && o.TrialDays > 0 && (g.Status == gateway.SubActive || g.Status == gateway.SubTrialing) {
			s.markPaid(&c, o, g.ID, ev) // a free trial: approval is all there is to pay today
		}
	}
	if c.Order != nil {
		c.Order.Version++
		c.Order.UpdatedAt = now
	}
	return c, nil
}

// paymentFailed records a failed charge of in once per attempt, with the
// outbox item that tells the customer and starts dunning for a renewal.
func (s *Service) paymentFailed(ctx context.Context, c *Change, o *Order, in *gateway.Invoice, ev *gateway.Event) error {
	if err := s.creditApplied(ctx, c, o, in, ev); err != nil {
		return err
	}
	p := Payment{ID: fmt.Sprintf("%s:%s#%d", o.Gateway, in.ID, in.AttemptCount), CustomerID: o.CustomerID, OrderID: o.ID, Gateway: o.Gateway,
		GatewayInvoiceID: in.ID, Status: PaymentFailed, Currency: in.Currency, Amount: in.Total, FailureMessage: in.FailureMessage, NextAttempt: in.NextAttempt,
		LateFeeFor: in.LateFeeFor, At: ev.Created, Version: 1}
	if _, err := s.store.GetPayment(ctx, p.ID); !apperr.Is(err, apperr.NotFound) {
		return err // recorded already (nil), or the store failed
	}
	c.Payments = append(c.Payments, p)
	next := ""
	if in.NextAttempt != nil {
		next = in.NextAttempt.Format("2 January 2006")
	}
	c.Outbox = append(c.Outbox, outbox.New(ev.ID+"-payment-failed", KindPaymentFailed, o.ID,
		PaymentFailedEvent{OrderID: o.ID, CustomerID: o.CustomerID, Currency: in.Currency, Amount: in.Total, Reason: in.FailureMessage, NextAttempt: next,
			Gateway: o.Gateway, InvoiceID: in.ID, BillingReason: in.Reason, Due: in.PeriodStart}, s.clock.Now()))
	return nil
}

// markPaid moves a pending order to paid (or to awaiting approval) with the
// outbox items that announce it and start provisioning. Either the
// completed checkout or the first invoice's payment may arrive first; the
// second finds the order no longer pending and changes nothing.
func (s *Service) markPaid(c *Change, o *Order, subscriptionID string, ev *gateway.Event) {
	to := Paid
	if o.RequiresApproval {
		to = AwaitingApproval
	}
	if !o.Status.CanMove(to) {
		return // paid (or decided) already
	}
	now := s.clock.Now()
	if o.Status == Expired {
		// Paid after the session lapsed (a delayed payment method): the
		// money is real, so the order is too; stock was released already.
		o.StockReserved = false
	}
	_ = o.moveTo(to) // allowed: checked above
	o.PaidAt, o.ClosedAt = &now, nil
	if subscriptionID != "" {
		o.SubscriptionID = subscriptionID
	}
	c.Order, c.Currency, c.CustomerID = o, o.Currency, o.CustomerID
	c.Outbox = append(c.Outbox, outbox.New("order-paid-"+o.ID, KindOrderPaid, o.ID, map[string]string{"order_id": o.ID}, now))
	if o.Status == Paid {
		c.Outbox = append(c.Outbox, outbox.New("provision-"+o.ID, KindProvision, o.ID, map[string]string{"order_id": o.ID}, now))
	}
}

// recordPayment adds a paid gateway invoice's charge to the ledger once,
// with the outbox item that issues our invoice for it.
func (s *Service) recordPayment(ctx context.Context, c *Change, o *Order, in *gateway.Invoice, ev *gateway.Event) error {
	ref := in.ChargeID
	if ref == "" {
		ref = in.ID // a zero-amount invoice (trial) has no charge
	}
	p := Payment{ID: o.Gateway + ":" + ref, CustomerID: o.CustomerID, OrderID: o.ID, Gateway: o.Gateway, GatewayChargeID: in.ChargeID,
		GatewayInvoiceID: in.ID, Status: PaymentSucceeded, Currency: in.Currency, Amount: in.AmountPaid, LateFeeFor: in.LateFeeFor, At: ev.Created, Version: 1}
	if _, err := s.store.GetPayment(ctx, p.ID); err == nil {
		return nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	c.Payments = append(c.Payments, p)
	if err := s.creditApplied(ctx, c, o, in, ev); err != nil {
		return err
	}
	// In the same transaction as the ledger entry, which is written once
	// per charge: the paid-through date moves exactly once per payment.
	if err := s.advancePaidThrough(ctx, c, o, in); err != nil {
		return err
	}
	if in.Reason == gateway.ReasonRenewal {
		c.Outbox = append(c.Outbox, outbox.New("renewal-paid-"+o.Gateway+"-"+in.ID, KindRenewalPaid, o.ID, map[string]string{"order_id": o.ID}, s.clock.Now()))
	}
	c.Outbox = append(c.Outbox, outbox.New("invoice-"+o.Gateway+"-"+in.ID, KindInvoicePaid, o.ID, InvoicePaidEvent{
		OrderID: o.ID, CustomerID: o.CustomerID, Gateway: o.Gateway, GatewayInvoiceID: in.ID, ChargeID: in.ChargeID, Currency: in.Currency,
		Amount: in.AmountPaid, CreditApplied: in.CreditApplied, Reason: in.Reason, ChangeID: in.ChangeID, LateFeeFor: in.LateFeeFor, LateFeeNet: in.LateFeeNet,
		PeriodStart: in.PeriodStart.Format("2006-01-02"), PeriodEnd: in.PeriodEnd.Format("2006-01-02"), Items: usageLines(in.Items),
	}, s.clock.Now()))
	return nil
}

// creditApplied records, once, the credit balance a gateway invoice used:
// the ledger says so, and the customer's balance goes down by as much.
// The gateway applies the balance when it finalizes the invoice, whether
// the payment then succeeds or not, so finalization, payment and a failed
// payment each record it if it is not on the ledger yet.
func (s *Service) creditApplied(ctx context.Context, c *Change, o *Order, in *gateway.Invoice, ev *gateway.Event) error {
	if in.CreditApplied <= 0 {
		return nil
	}
	id := o.Gateway + ":" + in.ID + ":credit"
	if slices.ContainsFunc(c.Payments, func(p Payment) bool { return p.ID == id }) {
		return nil
	}
	if _, err := s.store.GetPayment(ctx, id); err == nil {
		return nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	c.Payments = append(c.Payments, Payment{ID: id, CustomerID: o.CustomerID, OrderID: o.ID, Gateway: o.Gateway,
		GatewayInvoiceID: in.ID, Status: PaymentCreditApplied, Currency: in.Currency, Amount: in.CreditApplied, At: ev.Created, Version: 1})
	return nil
}

// creditReturned puts back on the ledger the balance a voided invoice
// had used (the gateway returns it to the customer's balance), once.
func (s *Service) creditReturned(ctx context.Context, c *Change, o *Order, in *gateway.Invoice, ev *gateway.Event) error {
	if in.CreditApplied <= 0 {
		return nil
	}
	if _, err := s.store.GetPayment(ctx, o.Gateway+":"+in.ID+":credit"); apperr.Is(err, apperr.NotFound) {
		return nil // never recorded as used: nothing to give back
	} else if err != nil {
		return err
	}
	id := o.Gateway + ":" + in.ID + ":credit-returned"
	if _, err := s.store.GetPayment(ctx, id); err == nil {
		return nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	c.Payments = append(c.Payments, Payment{ID: id, CustomerID: o.CustomerID, OrderID: o.ID, Gateway: o.Gateway, GatewayInvoiceID: in.ID,
		Status: PaymentCredit, Currency: in.Currency, Amount: in.CreditApplied, By: "voided invoice " + in.ID, At: ev.Created, Version: 1})
	return nil
}

// mirror copies the gateway subscription's state when it is newer than
// what is stored.
func (s *Service) mirror(ctx context.Context, c *Change, o *Order, ev *gateway.Event) error {
	g := ev.Subscription
	status := g.Status
	if ev.Kind == gateway.SubscriptionDeleted {
		status = gateway.SubCancelled
	}
	now := s.clock.Now()
	sub, err := s.store.GetSubscription(ctx, SubscriptionID(o.ID))
	endIsOurs, periodsOurs := false, false
	if gw, gerr := s.gw(ev.Gateway); gerr == nil {
		caps := gw.Capabilities()
		if err == nil && !caps.PeriodEndCancel {
			// The gateway knows nothing of an end at the period's end (ours
			// to carry out, KindEndDue): the request recorded here stands.
			endIsOurs = sub.CancelAtPeriodEnd
			g.CancelAtPeriodEnd = endIsOurs
		}
		periodsOurs = !caps.Invoices
	}
	switch {
	case apperr.Is(err, apperr.NotFound):
		sub = &Subscription{ID: SubscriptionID(o.ID), OrderID: o.ID, CustomerID: o.CustomerID, PlanID: o.PlanID, PlanName: o.PlanName, Cycle: o.Cycle,
			Currency: o.Currency, Price: o.Price, Amount: o.Renewal, Gateway: o.Gateway, CreatedAt: now}
	case err != nil:
		return err
	case sub.older(ev.Created):
		return nil
	case sub.tied(status, g, ev.Created):
		// The gateway's present state settles it; an error makes the
		// gateway deliver the event again.
		gw, err := s.gw(ev.Gateway)
		if err != nil {
			return err
		}
		if g, err = gw.Subscription(ctx, g.ID); err != nil {
			return fmt.Errorf("settle same-second events of subscription %s: %w", sub.ID, err)
		}
		status = g.Status
	case ev.Created.Equal(sub.StateAt):
		return nil // the same state again
	}
	if status == gateway.SubCancelled && sub.Status != gateway.SubCancelled {
		ended := endedItem(sub, now)
		if endIsOurs {
			ended = notBefore(ended, sub.CurrentPeriodEnd) // our KindEndDue cancelled it: paid up to the end, it runs until then
		}
		c.Outbox = append(c.Outbox, ended)
	}
	if err := sub.moveTo(status); err != nil {
		return err
	}
	sub.GatewayID, sub.StateAt, sub.UpdatedAt = g.ID, ev.Created, now
	sub.CancelAtPeriodEnd, sub.TrialEnd, sub.CancelledAt = g.CancelAtPeriodEnd || endIsOurs, g.TrialEnd, g.CancelledAt
	// Without invoices the period is the latest one known — from this
	// event or from the payments placed in their periods (periodPaid) —
	// so events in any order leave the same one; a cancelled subscription
	// at PayPal names no next billing, and its period still ends when it did.
	if !periodsOurs || g.CurrentPeriodEnd.After(sub.CurrentPeriodEnd) {
		sub.CurrentPeriodStart, sub.CurrentPeriodEnd = g.CurrentPeriodStart, g.CurrentPeriodEnd
	}
	if periodsOurs {
		if err := s.latestPaidPeriod(ctx, o, sub); err != nil {
			return err
		}
	}
	if status == gateway.SubCancelled && sub.CancelledAt == nil {
		sub.CancelledAt = &ev.Created
	}
	if sub.ChangeInFlight != "" && g.PlanRef != "" {
		// The gateway bills the plan a waiting change asked for: the buyer
		// consented, and the change can be made.
		if ch, err := s.store.GetChange(ctx, sub.ChangeInFlight); err == nil && ch.Status == "awaiting_consent" && ch.GatewayPlanRef == g.PlanRef {
			c.Outbox = append(c.Outbox, outbox.New("consented-"+ch.ID, KindChangeConsented, o.ID, map[string]string{"change_id": ch.ID}, now))
		} else if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	sub.Version++
	c.Subscription = sub
	return nil
}

// refundWaitsForInvoice is how long a refund may wait for the invoice.paid
// it overtook (the gateway retries meanwhile); in practice the invoice
// arrives within seconds.
const refundWaitsForInvoice = time.Hour

// ourCustomer reports whether the gateway customer is one of ours (true
// when the store cannot tell, so a refund is never dropped by mistake).
func (s *Service) ourCustomer(ctx context.Context, gatewayName, gatewayCustomerID string) bool {
	if gatewayCustomerID == "" {
		return true
	}
	_, err := s.store.CustomerByGateway(ctx, gatewayName, gatewayCustomerID)
	return !apperr.Is(err, apperr.NotFound)
}

// refunded raises a ledger payment's refunded amount to the gateway's
// total; refunds only grow, so a late event never lowers it.
func (s *Service) refunded(ctx context.Context, c *Change, ev *gateway.Event) error {
	p, err := s.store.GetPayment(ctx, ev.Gateway+":"+ev.Charge.ID)
	if apperr.Is(err, apperr.NotFound) {
		if ev.Charge.InvoiceID != "" && s.clock.Now().Sub(ev.Created) < refundWaitsForInvoice && s.ourCustomer(ctx, ev.Gateway, ev.Charge.CustomerID) {
			// The refund overtook its invoice.paid: refuse it for now, so the
			// gateway delivers it again once the payment is on the ledger.
			return ErrNotYet
		}
		// A charge outside our ledger (made in the dashboard, another
		// integration's, or its invoice never reached us): acknowledged, so
		// the gateway does not retry it for days and disable the endpoint.
		s.log.WarnContext(ctx, "refund of a charge not on our ledger ignored", "event", ev.ID, "charge", ev.Charge.ID, "invoice", ev.Charge.InvoiceID)
		return nil
	}
	if err != nil {
		return err
	}
	// Stripe reports the charge's refunded total and we list its refunds;
	// PayPal reports one refund per event, which adds to what is recorded.
	total, refunds, reported := ev.Charge.AmountRefunded, ev.Charge.Refunds, ev.Charge.Refunds != nil
	if reported {
		total = p.Refunded
	} else {
		if total <= p.Refunded {
			return nil
		}
		// Every refund gets its own ledger entry, also those made in the
		// gateway's dashboard: entries are keyed by the gateway's refund id,
		// so one our refund action already wrote is not written again.
		g, err := s.gw(ev.Gateway)
		if err != nil {
			return err
		}
		if refunds, err = g.ChargeRefunds(ctx, ev.Charge.ID); err != nil {
			return err
		}
	}
	added := false
	for _, r := range refunds {
		id := p.Gateway + ":" + r.ID
		if _, err := s.store.GetPayment(ctx, id); !apperr.Is(err, apperr.NotFound) {
			if err != nil {
				return err
			}
			continue
		}
		by := r.By
		if by == "" {
			by = p.Gateway + " dashboard"
		}
		c.Payments = append(c.Payments, Payment{ID: id, CustomerID: p.CustomerID, OrderID: p.OrderID, Gateway: p.Gateway, GatewayChargeID: p.GatewayChargeID,
			GatewayInvoiceID: p.GatewayInvoiceID, Status: PaymentRefund, Currency: p.Currency, Amount: r.Amount, RefundOf: p.ID, By: by, At: r.Created, Version: 1})
		if reported {
			total += r.Amount
		}
		added = true
	}
	if reported && !added {
		return nil // each refund it reports is recorded already
	}
	p.Refunded = min(total, p.Amount)
	p.Version++
	c.Refunds = []Payment{*p}
	return nil
}

func usageLines(items []gateway.InvoiceItem) []UsageLine {
	var out []UsageLine
	for _, it := range items {
		out = append(out, UsageLine{Description: it.Description, Net: it.Net})
	}
	return out
}
