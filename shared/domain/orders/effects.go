package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/outbox"
)

// Invoicer issues our invoices for gateway payments.
type Invoicer interface {
	IssuePaid(ctx context.Context, in billing.PaidInput) (*billing.Invoice, error)
}

// Notifier sends e-mail and admin alerts.
type Notifier interface {
	Send(ctx context.Context, r notify.Request) (*notify.Message, error)
}

// Effects performs what orders' outbox items ask for. Every handler is
// idempotent: the invoice id derives from the gateway invoice, and each
// notification carries a key derived from the item.
type Effects struct {
	Orders    *Service
	Invoices  Invoicer
	Notify    Notifier
	Customers Customers
	HighValue map[string]int64
	// Overdue, when set, starts dunning for a failed renewal (once per
	// gateway invoice: the execution is named after it).
	Overdue func(ctx context.Context, ev PaymentFailedEvent) error
}

// Register installs the handlers on d.
func (e *Effects) Register(d *outbox.Dispatcher) {
	d.Handle(KindInvoicePaid, e.invoicePaid)
	d.Handle(KindOrderPaid, e.orderPaid)
	d.Handle(KindPaymentFailed, e.paymentFailed)
	d.Handle(KindCancelled, e.cancelled)
	d.Handle(KindUnmatchedPayment, e.unmatched)
	d.Handle(KindChangeConsented, payload(func(ctx context.Context, in changeRef) error { return e.Orders.ConsentGiven(ctx, in.ChangeID) }))
	d.Handle(KindChangeConsentDue, payload(func(ctx context.Context, in changeRef) error { return e.Orders.ConsentDue(ctx, in.ChangeID) }))
	d.Handle(KindChangePending, payload(func(ctx context.Context, in changeRef) error { return e.Orders.ResumeChange(ctx, in.ChangeID) }))
	d.Handle(KindCheckoutDue, payload(func(ctx context.Context, in orderRef) error { return e.Orders.ExpireCheckout(ctx, in.OrderID) }))
	d.Handle(KindEndDue, payload(e.Orders.EndAtPeriodEnd))
}

// changeRef and orderRef are the payloads that name a change or an order.
type changeRef struct {
	ChangeID string `json:"change_id"`
}

type orderRef struct {
	OrderID string `json:"order_id"`
}

// payload makes a handler that decodes the item's payload into T first.
func payload[T any](run func(context.Context, T) error) outbox.Handler {
	return func(ctx context.Context, it outbox.Item) error {
		var in T
		if err := json.Unmarshal(it.Payload, &in); err != nil {
			return fmt.Errorf("decode %s: %w", it.ID, err)
		}
		return run(ctx, in)
	}
}

func (e *Effects) unmatched(ctx context.Context, it outbox.Item) error {
	var u UnmatchedPayment
	if err := json.Unmarshal(it.Payload, &u); err != nil {
		return fmt.Errorf("decode %s: %w", it.ID, err)
	}
	_, err := e.Notify.Send(ctx, notify.Request{Kind: notify.AlertSystemError, Key: "unmatched-payment:" + u.Gateway + ":" + u.PaymentID,
		Data: map[string]any{"component": "billing", "reference": u.OrderID,
			"error": fmt.Sprintf("%s payment %s was not applied: %s. Refund it at %s or record it by hand.", gatewayName(u.Gateway), u.PaymentID, u.Reason, gatewayName(u.Gateway))}})
	return err
}

func (e *Effects) cancelled(ctx context.Context, it outbox.Item) error {
	var sv Survey
	if err := json.Unmarshal(it.Payload, &sv); err != nil {
		return fmt.Errorf("decode %s: %w", it.ID, err)
	}
	bill, err := e.Customers.BillTo(ctx, sv.CustomerID)
	if err != nil {
		return err
	}
	when := "at period end"
	if sv.When == "now" {
		when = "immediately"
	}
	reason := strings.ReplaceAll(sv.Reason, "_", " ")
	if reason == "" {
		reason = "not given"
	}
	if sv.Comment != "" {
		reason += ": " + sv.Comment
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: notify.AlertCancellation, Key: "cancel:" + it.ID,
		Data: map[string]any{"customer_name": bill.Name + " <" + bill.Email + ">", "service_name": sv.PlanName, "when": when, "reason": reason}})
	return err
}

// InvoiceID is our invoice for a gateway invoice.
func InvoiceID(gw, gatewayInvoiceID string) string { return "inv_" + gw + "_" + gatewayInvoiceID }

func (e *Effects) invoicePaid(ctx context.Context, it outbox.Item) error {
	var ev InvoicePaidEvent
	if err := json.Unmarshal(it.Payload, &ev); err != nil {
		return fmt.Errorf("decode %s: %w", it.ID, err)
	}
	o, err := e.Orders.Get(ctx, ev.OrderID)
	if err != nil {
		return err
	}
	period := ""
	if ev.PeriodStart != "" && ev.PeriodEnd != "" && ev.PeriodStart != ev.PeriodEnd {
		period = fmt.Sprintf(", %s to %s", ev.PeriodStart, ev.PeriodEnd)
	}
	lines := []billing.Line{{Description: fmt.Sprintf("%s (%s%s)", o.PlanName, cycleName(o.Cycle), period), Quantity: 1, UnitAmount: o.Price, Amount: o.Price}}
	if sub, err := e.Orders.store.GetSubscription(ctx, SubscriptionID(o.ID)); err == nil && sub.Price > 0 && ev.Reason == gateway.ReasonRenewal {
		// Renewals bill the plan the subscription is on now.
		lines[0] = billing.Line{Description: fmt.Sprintf("%s (%s%s)", sub.PlanName, cycleName(sub.Cycle), period), Quantity: 1, UnitAmount: sub.Price, Amount: sub.Price}
	}
	if ev.ChangeID != "" {
		ch, err := e.Orders.Change(ctx, ev.ChangeID)
		if err != nil {
			return fmt.Errorf("plan change %s of invoice %s: %w", ev.ChangeID, ev.GatewayInvoiceID, err)
		}
		days := func(sec int64) int64 { return (sec + 43200) / 86400 }
		p := ch.Proration
		lines = []billing.Line{
			{Description: fmt.Sprintf("Unused time on %s (%d of %d days)", ch.FromPlanName, days(p.Remaining), days(p.Period)), Quantity: 1, UnitAmount: -p.Credit, Amount: -p.Credit},
			{Description: fmt.Sprintf("Remaining time on %s (%d of %d days)", ch.ToPlanName, days(p.Remaining), days(p.Period)), Quantity: 1, UnitAmount: p.Charge, Amount: p.Charge},
		}
	}
	if ev.LateFeeFor != "" {
		lines = []billing.Line{{Description: fmt.Sprintf("Late fee: %s renewal unpaid (gateway invoice %s)", o.PlanName, ev.LateFeeFor),
			Quantity: 1, UnitAmount: ev.LateFeeNet, Amount: ev.LateFeeNet}}
	}
	// Usage the gateway put on this invoice (a late fee's invoice sweeps up
	// pending items too).
	for _, u := range ev.Items {
		lines = append(lines, billing.Line{Description: u.Description, Quantity: 1, UnitAmount: u.Net, Amount: u.Net})
	}
	first := ev.Reason == gateway.ReasonFirst
	if first && o.Discount > 0 {
		lines = append(lines, billing.Line{Description: "Coupon " + o.CouponCode, Quantity: 1, UnitAmount: -o.Discount, Amount: -o.Discount})
	}
	if first && o.TrialDays > 0 && ev.Amount == 0 {
		lines = []billing.Line{{Description: fmt.Sprintf("%s — %d-day free trial", o.PlanName, o.TrialDays), Quantity: 1}}
	}
	in := billing.PaidInput{ID: InvoiceID(ev.Gateway, ev.GatewayInvoiceID), CustomerID: o.CustomerID, Currency: o.Currency, Lines: lines,
		TaxName: o.TaxName, TaxRateBP: o.TaxRateBP, Notes: o.TaxNote, Method: methodName(ev.Gateway), Reference: ev.ChargeID,
		CreditApplied: ev.CreditApplied}
	inv, err := e.Invoices.IssuePaid(ctx, in)
	if err != nil {
		return err
	}
	if inv.Total != ev.Amount+ev.CreditApplied {
		// Our arithmetic and the gateway's disagree: the invoice stands as
		// computed, and staff must look.
		e.Orders.log.ErrorContext(ctx, "invoice total differs from the amount charged", "invoice", inv.ID, "total", inv.Total, "charged", ev.Amount)
	}
	return nil
}

func (e *Effects) orderPaid(ctx context.Context, it outbox.Item) error {
	o, err := e.Orders.Get(ctx, it.Subject)
	if err != nil {
		return err
	}
	bill, err := e.Customers.BillTo(ctx, o.CustomerID)
	if err != nil {
		return err
	}
	name := bill.Name
	if name == "" {
		name = bill.Email
	}
	plan := fmt.Sprintf("%s (%s)", o.PlanName, cycleName(o.Cycle))
	if o.Status == AwaitingApproval {
		plan += " — awaiting approval"
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: notify.OrderAlertKind(o.Total, o.Currency, e.HighValue), Key: "order_paid:" + o.ID,
		Data: map[string]any{"order_id": o.ID, "customer_name": name, "plan_name": plan, "amount": o.Total, "currency": o.Currency}})
	return err
}

func (e *Effects) paymentFailed(ctx context.Context, it outbox.Item) error {
	var ev PaymentFailedEvent
	if err := json.Unmarshal(it.Payload, &ev); err != nil {
		return fmt.Errorf("decode %s: %w", it.ID, err)
	}
	bill, err := e.Customers.BillTo(ctx, ev.CustomerID)
	if err != nil {
		return err
	}
	reason := ev.Reason
	if reason == "" {
		reason = "The payment was declined."
	}
	next := ev.NextAttempt
	if next == "" {
		next = "no further automatic attempt"
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: notify.PaymentFailed, To: bill.Email, Key: "payment_failed:" + it.ID,
		Data: map[string]any{"customer_name": bill.Name, "invoice_number": "order " + ev.OrderID, "amount": ev.Amount, "currency": ev.Currency, "reason": reason,
			"how_to_fix": HowToFix(ev.Gateway, false), "update_payment_url": e.Orders.account + "/billing", "next_attempt": next}})
	if err != nil {
		return err
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: notify.AlertPaymentFailed, Key: "alert_payment_failed:" + it.ID,
		Data: map[string]any{"customer_name": bill.Name, "invoice_number": "order " + ev.OrderID, "amount": ev.Amount, "currency": ev.Currency, "reason": reason}})
	if err != nil || e.Overdue == nil || ev.BillingReason != gateway.ReasonRenewal || ev.InvoiceID == "" {
		return err // a first payment that fails leaves an unpaid order, not an overdue service
	}
	if ev.Due.IsZero() { // an invoice without a period line: due when it failed, never earlier
		ev.Due = it.CreatedAt
	}
	return e.Overdue(ctx, ev)
}

// methodName is how an invoice says it was paid through gateway gw: a
// card at Stripe, a PayPal account (or a card PayPal charged) at PayPal.
func methodName(gw string) string {
	if gw == "paypal" {
		return "PayPal"
	}
	return "card (" + gatewayName(gw) + ")"
}

// HowToFix tells a customer what to do about a payment that failed
// through gateway: card customers fix the card and pay from their
// account; PayPal's fix their PayPal account, and PayPal collects again.
// overdue words it for a reminder.
func HowToFix(gateway string, overdue bool) string {
	switch {
	case gateway == "paypal" && overdue:
		return "PayPal collects it again by itself: make sure your PayPal account has a working funding source (PayPal → Wallet)."
	case gateway == "paypal":
		return "make sure your PayPal account has a working funding source (PayPal → Wallet); PayPal collects the payment again by itself."
	case overdue:
		return "Pay it from your account, or update your card there."
	}
	return "update your card or add another payment method, then pay the invoice from your account."
}

// gatewayName is a gateway's name as customers know it.
func gatewayName(gw string) string {
	switch gw {
	case "stripe":
		return "Stripe"
	case "paypal":
		return "PayPal"
	}
	return gw
}
