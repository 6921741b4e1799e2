package paypalgw

import (
	"context"
	"encoding/json"
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
	} `json:"billing_info"`
}

// outstanding is what the buyer owes on it, in minor units.
func (s *subscription) outstanding() int64 {
	if s.BillingInfo == nil {
		return 0
	}
	c, ok := money.Lookup(s.BillingInfo.Outstanding.Currency)
	if !ok {
		return 0
	}
	whole, frac, _ := strings.Cut(s.BillingInfo.Outstanding.Value, ".")
	frac = (frac + strings.Repeat("0", c.Exponent))[:c.Exponent]
	var n int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 1 // unreadable: treat as owing, never as paid up
		}
		n = n*10 + int64(r-'0')
	}
	return n
}

// status is PayPal's status in our words. ACTIVE with a balance
// outstanding or failed payments counted is past due (PayPal keeps it
// ACTIVE while it retries); SUSPENDED after failed payments is past due
// too, SUSPENDED by the merchant is paused.
func (s *subscription) status() gateway.SubscriptionStatus {
	failing := s.BillingInfo != nil && (s.BillingInfo.Failed > 0 || s.outstanding() > 0)
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
	out := &gateway.Subscription{ID: s.ID, OrderID: s.CustomID, Status: s.status(), CurrentPeriodStart: s.StartTime}
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
// then decoded. Subscription events carry the subscription's state.
// Payment events (PAYMENT.SALE.*) are acknowledged as Other until the
// billing core matches PayPal's invoice-less payments to renewals.
func (g *Gateway) ParseWebhook(ctx context.Context, d gateway.Delivery) (*gateway.Event, error) {
	if err := g.verify(ctx, d); err != nil {
		return nil, err
	}
	return g.decode(d.Body)
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
	if env.ResourceType == "subscription" && strings.HasPrefix(env.EventType, "BILLING.SUBSCRIPTION.") {
		var s subscription
		if err := json.Unmarshal(env.Resource, &s); err != nil || s.ID == "" {
			return nil, apperr.New(apperr.Invalid, "malformed PayPal subscription in event %s", env.ID)
		}
		ev.ObjectID, ev.Subscription, ev.Kind = s.ID, s.ours(), gateway.SubscriptionUpdated
		if ev.Subscription.Status == gateway.SubCancelled {
			ev.Kind = gateway.SubscriptionDeleted
		}
	}
	return ev, nil
}
