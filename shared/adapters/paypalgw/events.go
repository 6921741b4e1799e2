package paypalgw

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// subscription is PayPal's subscription resource, as far as we read it.
type subscription struct {
	ID          string    `json:"id"`
	PlanID      string    `json:"plan_id"`
	Status      string    `json:"status"`
	CustomID    string    `json:"custom_id"`
	StartTime   time.Time `json:"start_time"`
	StatusNote  string    `json:"status_change_note"`
	StatusTime  time.Time `json:"status_update_time"`
	BillingInfo *struct {
		Outstanding amount `json:"outstanding_balance"`
		LastPayment *struct {
			Time time.Time `json:"time"`
		} `json:"last_payment"`
		NextBilling *time.Time `json:"next_billing_time"`
		Failed      int        `json:"failed_payments_count"`
		LastFailed  *struct {
			Amount    amount     `json:"amount"`
			Time      time.Time  `json:"time"`
			Reason    string     `json:"reason_code"`
			NextRetry *time.Time `json:"next_payment_retry_time"`
		} `json:"last_failed_payment"`
	} `json:"billing_info"`
}

// sale is a v1 sale (PAYMENT.SALE.* events).
type sale struct {
	ID             string `json:"id"`
	State          string `json:"state"`
	SubscriptionID string `json:"billing_agreement_id"`
	Custom         string `json:"custom"`
	Amount         struct {
		Total    string `json:"total"`
		Currency string `json:"currency"`
	} `json:"amount"`
	CreateTime time.Time `json:"create_time"`
}

// minor reads PayPal's decimal string in currency's minor units (ok
// false when it is not one).
func minor(value, currency string) (int64, bool) {
	c, ok := money.Lookup(currency)
	whole, frac, _ := strings.Cut(value, ".")
	if !ok || whole == "" || len(frac) > c.Exponent || len(whole) > 15 {
		return 0, false
	}
	frac += strings.Repeat("0", c.Exponent-len(frac))
	var n int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int64(r-'0')
	}
	return n, true
}

// outstanding is what the buyer owes on it, in minor units.
func (s *subscription) outstanding() int64 {
	if s.BillingInfo == nil || s.BillingInfo.Outstanding.Value == "" {
		return 0
	}
	n, ok := minor(s.BillingInfo.Outstanding.Value, s.BillingInfo.Outstanding.Currency)
	if !ok {
		return 1 // unreadable: treat as owing, never as paid up
	}
	return n
}

// status is PayPal's status in our words. ACTIVE with failed payments
// counted (or a failed balance outstanding) is past due (PayPal keeps it
// ACTIVE while it retries); SUSPENDED after failed payments is past due
// too, SUSPENDED by the merchant is paused.
func (s *subscription) status() gateway.SubscriptionStatus {
	// A balance alone is not a failure: a one-off charge (a plan change's
	// proration) is a balance until it is captured a moment later.
	failing := s.BillingInfo != nil && (s.BillingInfo.Failed > 0 || (s.BillingInfo.LastFailed != nil && s.outstanding() > 0))
	switch s.Status {
	case "ACTIVE":
		if failing {
			return gateway.SubPastDue
		}
		return gateway.SubActive
	case "SUSPENDED":
		if failing {
			return gateway.SubPastDue
		}
		return gateway.SubPaused
	case "CANCELLED", "EXPIRED":
		return gateway.SubCancelled
	}
	return gateway.SubIncomplete // APPROVAL_PENDING, APPROVED
}

func (s *subscription) ours() *gateway.Subscription {
	out := &gateway.Subscription{ID: s.ID, OrderID: s.CustomID, Status: s.status(), CurrentPeriodStart: s.StartTime, StartedAt: s.StartTime.UTC(),
		PlanRef: s.PlanID, Approved: s.Status == "ACTIVE"}
	if s.BillingInfo != nil {
		if s.BillingInfo.LastPayment != nil {
			out.CurrentPeriodStart = s.BillingInfo.LastPayment.Time
		}
		if s.BillingInfo.NextBilling != nil {
			out.CurrentPeriodEnd = *s.BillingInfo.NextBilling
		}
	}
	if out.Status == gateway.SubCancelled {
		t := s.StatusTime
		out.CancelledAt = &t
	}
	return out
}

// Subscription implements gateway.Gateway.
func (g *Gateway) Subscription(ctx context.Context, id string) (*gateway.Subscription, error) {
	var s subscription
	if err := g.call(ctx, "GET", "/v1/billing/subscriptions/"+id, nil, "", &s); err != nil {
		return nil, err
	}
	return s.ours(), nil
}

// ParseWebhook implements gateway.Gateway: verified first (see verify),
// then decoded. Subscription events carry the subscription's state; sale
// events are payments and refunds, which the billing core matches to the
// period they are for.
func (g *Gateway) ParseWebhook(ctx context.Context, d gateway.Delivery) (*gateway.Event, error) {
	if err := g.verify(ctx, d); err != nil {
		return nil, err
	}
	ev, err := g.decode(d.Body)
	if err != nil || ev.Kind != gateway.SubscriptionPaid {
		return ev, err
	}
	// A sale names its subscription only: the subscription (read, as
	// PayPal advises for events that arrive in any order) says when its
	// billing began, which places the sale in its period, and whose order
	// it is when the sale's custom field is empty.
	sub, err := g.Subscription(ctx, ev.Payment.SubscriptionID)
	if err != nil {
		return nil, fmt.Errorf("read subscription %s of sale %s: %w", ev.Payment.SubscriptionID, ev.Payment.ID, err)
	}
	if ev.Payment.OrderID == "" {
		ev.Payment.OrderID = sub.OrderID
	} else if sub.OrderID != "" && sub.OrderID != ev.Payment.OrderID {
		return nil, apperr.New(apperr.Conflict, "PayPal sale %s names order %s, its subscription %s order %s; not applied", ev.Payment.ID, ev.Payment.OrderID, sub.ID, sub.OrderID)
	}
	ev.Payment.Started = sub.StartedAt
	return ev, nil
}

// decode reads a verified event's body.
func (g *Gateway) decode(body []byte) (*gateway.Event, error) {
	var env struct {
		ID           string          `json:"id"`
		EventType    string          `json:"event_type"`
		ResourceType string          `json:"resource_type"`
		CreateTime   time.Time       `json:"create_time"`
		Resource     json.RawMessage `json:"resource"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.ID == "" || env.EventType == "" || len(env.Resource) == 0 {
		return nil, apperr.New(apperr.Invalid, "malformed PayPal event")
	}
	ev := &gateway.Event{Gateway: g.Name(), ID: env.ID, Type: env.EventType, Kind: gateway.Other, Created: env.CreateTime.UTC()}
	switch {
	case env.EventType == "PAYMENT.SALE.COMPLETED":
		var sl sale
		if err := json.Unmarshal(env.Resource, &sl); err != nil || sl.ID == "" {
			return nil, apperr.New(apperr.Invalid, "malformed PayPal sale in event %s", env.ID)
		}
		if sl.SubscriptionID == "" {
			return ev, nil // a sale outside subscriptions: not ours to apply
		}
		n, ok := minor(sl.Amount.Total, sl.Amount.Currency)
		if !ok {
			return nil, apperr.New(apperr.Invalid, "PayPal sale %s has an amount we cannot read", sl.ID)
		}
		at := sl.CreateTime
		if at.IsZero() {
			at = ev.Created
		}
		ev.Kind, ev.ObjectID = gateway.SubscriptionPaid, sl.ID
		ev.Payment = &gateway.SubscriptionPayment{ID: sl.ID, SubscriptionID: sl.SubscriptionID, OrderID: sl.Custom, Currency: sl.Amount.Currency, Amount: n, At: at.UTC()}
	case env.EventType == "PAYMENT.SALE.REFUNDED":
		var r struct {
			ID     string `json:"id"`
			SaleID string `json:"sale_id"`
			State  string `json:"state"`
			Amount struct {
				Total    string `json:"total"`
				Currency string `json:"currency"`
			} `json:"amount"`
			CreateTime time.Time `json:"create_time"`
		}
		if err := json.Unmarshal(env.Resource, &r); err != nil || r.ID == "" || r.SaleID == "" {
			return nil, apperr.New(apperr.Invalid, "malformed PayPal refund in event %s", env.ID)
		}
		if r.State != "" && r.State != "completed" {
			return ev, nil // pending or failed: no money moved yet
		}
		n, ok := minor(r.Amount.Total, r.Amount.Currency)
		if !ok {
			return nil, apperr.New(apperr.Invalid, "PayPal refund %s has an amount we cannot read", r.ID)
		}
		// The sale stands in for the invoice too: a refund that overtakes
		// its sale waits for it.
		ev.Kind, ev.ObjectID = gateway.ChargeRefunded, r.SaleID
		ev.Charge = &gateway.Charge{ID: r.SaleID, InvoiceID: r.SaleID, Currency: r.Amount.Currency,
			Refunds: []gateway.Refund{{ID: r.ID, Amount: n, Created: r.CreateTime.UTC()}}}
	case env.ResourceType == "subscription" && strings.HasPrefix(env.EventType, "BILLING.SUBSCRIPTION."):
		var s subscription
		if err := json.Unmarshal(env.Resource, &s); err != nil || s.ID == "" {
			return nil, apperr.New(apperr.Invalid, "malformed PayPal subscription in event %s", env.ID)
		}
		ev.ObjectID, ev.Subscription, ev.Kind = s.ID, s.ours(), gateway.SubscriptionUpdated
		if ev.Subscription.Status == gateway.SubCancelled {
			ev.Kind = gateway.SubscriptionDeleted
		}
		if env.EventType == "BILLING.SUBSCRIPTION.PAYMENT.FAILED" && s.BillingInfo != nil && s.BillingInfo.LastFailed != nil {
			lf := s.BillingInfo.LastFailed
			n, ok := minor(lf.Amount.Value, lf.Amount.Currency)
			if !ok {
				return nil, apperr.New(apperr.Invalid, "PayPal subscription %s failed an amount we cannot read", s.ID)
			}
			ev.Kind = gateway.SubscriptionPaymentFailed
			ev.Payment = &gateway.SubscriptionPayment{SubscriptionID: s.ID, OrderID: s.CustomID, Currency: lf.Amount.Currency, Amount: n, At: lf.Time.UTC(), Started: s.StartTime.UTC(),
				Attempt: int64(max(s.BillingInfo.Failed, 1)), NextAttempt: lf.NextRetry, FailureMessage: failureMessage(lf.Reason)}
		}
	}
	return ev, nil
}

// failureMessage is PayPal's reason code in words for the customer.
func failureMessage(code string) string {
	switch code {
	case "PAYMENT_DENIED":
		return "PayPal declined the payment."
	case "PAYER_CANNOT_PAY", "PAYER_ACCOUNT_RESTRICTED":
		return "Your PayPal account could not pay."
	case "SENDING_LIMIT_EXCEEDED":
		return "Your PayPal sending limit was reached."
	}
	return "PayPal could not collect the payment."
}
