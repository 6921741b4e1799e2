package stripegw

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v79"

	"github.com/ezscale/platform/shared/domain/gateway"
)

// kinds maps the Stripe event types billing acts on.
var kinds = map[string]gateway.Kind{
	"checkout.session.completed":    gateway.CheckoutCompleted,
	"checkout.session.expired":      gateway.CheckoutExpired,
	"invoice.finalized":             gateway.InvoiceFinalized,
	"invoice.paid":                  gateway.InvoicePaid,
	"invoice.payment_failed":        gateway.InvoicePaymentFailed,
	"invoice.voided":                gateway.InvoiceVoided,
	"customer.subscription.created": gateway.SubscriptionCreated,
	"customer.subscription.updated": gateway.SubscriptionUpdated,
	"customer.subscription.deleted": gateway.SubscriptionDeleted,
	"charge.refunded":               gateway.ChargeRefunded,
	"payment_method.attached":       gateway.PaymentMethodAttached,
	"payment_method.detached":       gateway.PaymentMethodDetached,
}

const (
	orderKey  = "ezscale_order_id"
	changeKey = "ezscale_change_id"
)

func unix(n int64) time.Time { return time.Unix(n, 0).UTC() }

func unixPtr(n int64) *time.Time {
	if n == 0 {
		return nil
	}
	t := unix(n)
	return &t
}

func customerID(c *stripe.Customer) string {
	if c == nil {
		return ""
	}
	return c.ID
}

// decode fills ev's kind and object from Stripe's JSON. Types we do not act
// on keep only the object's id.
func decode(ev *gateway.Event, raw []byte) error {
	var head struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return err
	}
	if head.ID == "" {
		return errors.New("object without id")
	}
	ev.ObjectID = head.ID
	kind, ok := kinds[ev.Type]
	if !ok {
		ev.Kind = gateway.Other
		return nil
	}
	ev.Kind = kind
	switch kind {
	case gateway.CheckoutCompleted, gateway.CheckoutExpired:
		var s stripe.CheckoutSession
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		ev.Checkout = &gateway.CheckoutSession{ID: s.ID, OrderID: s.ClientReferenceID, CustomerID: customerID(s.Customer),
			Paid: s.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid || s.PaymentStatus == stripe.CheckoutSessionPaymentStatusNoPaymentRequired}
		if ev.Checkout.OrderID == "" {
			ev.Checkout.OrderID = s.Metadata[orderKey]
		}
		if s.Subscription != nil {
			ev.Checkout.SubscriptionID = s.Subscription.ID
		}
	case gateway.InvoiceFinalized, gateway.InvoicePaid, gateway.InvoicePaymentFailed, gateway.InvoiceVoided:
		var in stripe.Invoice
		if err := json.Unmarshal(raw, &in); err != nil {
			return err
		}
		ev.Invoice = invoice(&in)
	case gateway.SubscriptionCreated, gateway.SubscriptionUpdated, gateway.SubscriptionDeleted:
		var s stripe.Subscription
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		ev.Subscription = subscriptionOf(&s)
	case gateway.ChargeRefunded:
		var c stripe.Charge
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		ev.Charge = &gateway.Charge{ID: c.ID, CustomerID: customerID(c.Customer), Currency: strings.ToUpper(string(c.Currency)), Amount: c.Amount, AmountRefunded: c.AmountRefunded}
		if c.Invoice != nil {
			ev.Charge.InvoiceID = c.Invoice.ID
		}
	case gateway.PaymentMethodAttached, gateway.PaymentMethodDetached:
		var pm stripe.PaymentMethod
		if err := json.Unmarshal(raw, &pm); err != nil {
			return err
		}
		ev.PaymentMethod = &gateway.PaymentMethod{ID: pm.ID, CustomerID: customerID(pm.Customer)}
		if pm.Card != nil {
			ev.PaymentMethod.Brand, ev.PaymentMethod.Last4, ev.PaymentMethod.ExpMonth, ev.PaymentMethod.ExpYear = string(pm.Card.Brand), pm.Card.Last4, pm.Card.ExpMonth, pm.Card.ExpYear
		}
	}
	return nil
}

func invoice(in *stripe.Invoice) *gateway.Invoice {
	out := &gateway.Invoice{ID: in.ID, CustomerID: customerID(in.Customer), Currency: strings.ToUpper(string(in.Currency)), Total: in.Total, AmountPaid: in.AmountPaid,
		Reason: reason(in.BillingReason), PeriodStart: unix(in.PeriodStart), PeriodEnd: unix(in.PeriodEnd), AttemptCount: in.AttemptCount, NextAttempt: unixPtr(in.NextPaymentAttempt)}
	if in.Subscription != nil {
		out.SubscriptionID = in.Subscription.ID
	}
	if in.SubscriptionDetails != nil {
		out.OrderID = in.SubscriptionDetails.Metadata[orderKey]
	}
	out.ChangeID = in.Metadata[changeKey]
	if out.OrderID == "" {
		out.OrderID = in.Metadata[orderKey] // a late fee's invoice names its order itself
	}
	if out.LateFeeFor = in.Metadata[feeForKey]; out.LateFeeFor != "" {
		out.LateFeeNet, _ = strconv.ParseInt(in.Metadata[feeNetKey], 10, 64)
	}
	if in.StartingBalance < 0 { // a credit balance paid part of it
		out.CreditApplied = min(max(in.EndingBalance-in.StartingBalance, 0), in.Total)
	}
	if in.Charge != nil {
		out.ChargeID = in.Charge.ID
		out.FailureMessage = in.Charge.FailureMessage
	}
	// A subscription invoice's own period is the previous one; the service
	// period is on its line.
	if in.Lines != nil && len(in.Lines.Data) > 0 {
		period := in.Lines.Data[0].Period
		for _, l := range in.Lines.Data {
			if l.Type == stripe.InvoiceLineItemTypeSubscription && l.Period != nil {
				period = l.Period
				break
			}
		}
		if period != nil {
			out.PeriodStart, out.PeriodEnd = unix(period.Start), unix(period.End)
		}
		for _, l := range in.Lines.Data {
			if net, err := strconv.ParseInt(l.Metadata[usageNetKey], 10, 64); err == nil && l.Metadata[feeKey] != "" {
				out.Items = append(out.Items, gateway.InvoiceItem{Key: l.Metadata[feeKey], Description: l.Description, Net: net, Amount: l.Amount})
			}
		}
	}
	return out
}

// reason is Stripe's billing_reason in our words.
func reason(r stripe.InvoiceBillingReason) string {
	switch r {
	case stripe.InvoiceBillingReasonSubscriptionCreate:
		return gateway.ReasonFirst
	case stripe.InvoiceBillingReasonSubscriptionCycle:
		return gateway.ReasonRenewal
	case stripe.InvoiceBillingReasonSubscriptionUpdate:
		return gateway.ReasonChange
	}
	return gateway.ReasonOther
}

func status(s stripe.SubscriptionStatus) gateway.SubscriptionStatus {
	switch s {
	case stripe.SubscriptionStatusTrialing:
		return gateway.SubTrialing
	case stripe.SubscriptionStatusActive:
		return gateway.SubActive
	case stripe.SubscriptionStatusPastDue, stripe.SubscriptionStatusUnpaid:
		return gateway.SubPastDue
	case stripe.SubscriptionStatusPaused:
		return gateway.SubPaused
	case stripe.SubscriptionStatusCanceled, stripe.SubscriptionStatusIncompleteExpired:
		return gateway.SubCancelled
	}
	return gateway.SubIncomplete
}

// subscriptionOf is a Stripe subscription in our terms.
func subscriptionOf(s *stripe.Subscription) *gateway.Subscription {
	return &gateway.Subscription{ID: s.ID, OrderID: s.Metadata[orderKey], CustomerID: customerID(s.Customer), Status: status(s.Status),
		CurrentPeriodStart: unix(s.CurrentPeriodStart), CurrentPeriodEnd: unix(s.CurrentPeriodEnd), CancelAtPeriodEnd: s.CancelAtPeriodEnd,
		TrialEnd: unixPtr(s.TrialEnd), CancelledAt: unixPtr(s.CanceledAt)}
}
