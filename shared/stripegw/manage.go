package stripegw

import (
	"context"
	"strings"

	"github.com/stripe/stripe-go/v79"

	"github.com/ezscale/platform/shared/gateway"
)

// CancelSubscription implements gateway.Gateway: at period end it is an
// update (cancel_at_period_end), now it is Stripe's cancel.
func (g *Gateway) CancelSubscription(ctx context.Context, in gateway.CancelInput) error {
	if in.AtPeriodEnd {
		p := &stripe.SubscriptionParams{CancelAtPeriodEnd: stripe.Bool(true)}
		if in.Feedback != "" || in.Comment != "" {
			p.CancellationDetails = &stripe.SubscriptionCancellationDetailsParams{Comment: optional(in.Comment), Feedback: optional(in.Feedback)}
		}
		p.Context = ctx
		p.SetIdempotencyKey(in.Key)
		_, err := g.api.Subscriptions.Update(in.SubscriptionID, p)
		return classify(err, "cancel subscription "+in.SubscriptionID+" at period end")
	}
	p := &stripe.SubscriptionCancelParams{}
	if in.Feedback != "" || in.Comment != "" {
		p.CancellationDetails = &stripe.SubscriptionCancelCancellationDetailsParams{Comment: optional(in.Comment), Feedback: optional(in.Feedback)}
	}
	p.Context = ctx
	p.SetIdempotencyKey(in.Key)
	_, err := g.api.Subscriptions.Cancel(in.SubscriptionID, p)
	return classify(err, "cancel subscription "+in.SubscriptionID)
}

// ResumeSubscription implements gateway.Gateway.
func (g *Gateway) ResumeSubscription(ctx context.Context, id, key string) error {
	p := &stripe.SubscriptionParams{CancelAtPeriodEnd: stripe.Bool(false)}
	p.Context = ctx
	p.SetIdempotencyKey(key)
	_, err := g.api.Subscriptions.Update(id, p)
	return classify(err, "resume subscription "+id)
}

// Refund implements gateway.Gateway.
func (g *Gateway) Refund(ctx context.Context, in gateway.RefundInput) (string, error) {
	p := &stripe.RefundParams{Charge: stripe.String(in.ChargeID), Amount: stripe.Int64(in.Amount), Reason: optional(in.Reason)}
	p.Context = ctx
	p.SetIdempotencyKey(in.Key)
	p.AddMetadata("ezscale_refund_id", in.Key)
	r, err := g.api.Refunds.New(p)
	if err != nil {
		return "", classify(err, "refund "+in.ChargeID)
	}
	return r.ID, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// SetupPaymentMethod implements gateway.Gateway with Checkout in setup mode.
func (g *Gateway) SetupPaymentMethod(ctx context.Context, in gateway.SetupInput) (*gateway.Checkout, error) {
	p := &stripe.CheckoutSessionParams{
		Mode:               stripe.String(string(stripe.CheckoutSessionModeSetup)),
		Customer:           stripe.String(in.GatewayCustomerID),
		Currency:           stripe.String(strings.ToLower(in.Currency)),
		PaymentMethodTypes: []*string{stripe.String("card")},
		SuccessURL:         stripe.String(in.SuccessURL),
		CancelURL:          stripe.String(in.CancelURL),
	}
	p.Context = ctx
	p.SetIdempotencyKey(in.Key)
	s, err := g.api.CheckoutSessions.New(p)
	if err != nil {
		return nil, classify(err, "open card setup for "+in.GatewayCustomerID)
	}
	return &gateway.Checkout{ID: s.ID, URL: s.URL}, nil
}

// SetDefaultPaymentMethod implements gateway.Gateway: the customer's
// invoice default, and each subscription's own default (Checkout sets one,
// and it wins over the customer's).
func (g *Gateway) SetDefaultPaymentMethod(ctx context.Context, customerID, pm string, subscriptionIDs []string) error {
	cp := &stripe.CustomerParams{InvoiceSettings: &stripe.CustomerInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(pm)}}
	cp.Context = ctx
	if _, err := g.api.Customers.Update(customerID, cp); err != nil {
		return classify(err, "set default payment method of "+customerID)
	}
	for _, id := range subscriptionIDs {
		sp := &stripe.SubscriptionParams{DefaultPaymentMethod: stripe.String(pm)}
		sp.Context = ctx
		if _, err := g.api.Subscriptions.Update(id, sp); err != nil {
			return classify(err, "set payment method of "+id)
		}
	}
	return nil
}

// DetachPaymentMethod implements gateway.Gateway.
func (g *Gateway) DetachPaymentMethod(ctx context.Context, pm string) error {
	p := &stripe.PaymentMethodDetachParams{}
	p.Context = ctx
	_, err := g.api.PaymentMethods.Detach(pm, p)
	return classify(err, "detach "+pm)
}
