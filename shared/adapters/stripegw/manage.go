package stripegw

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v79"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
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

// PayOpenInvoice implements gateway.Gateway: the newest open invoice of
// the subscription, paid with paymentMethod or the subscription's default
// card (Stripe's POST /v1/invoices/{id}/pay).
func (g *Gateway) PayOpenInvoice(ctx context.Context, subscriptionID, paymentMethod, key string) (string, error) {
	lp := &stripe.InvoiceListParams{Subscription: stripe.String(subscriptionID), Status: stripe.String(string(stripe.InvoiceStatusOpen))}
	lp.Context = ctx
	lp.Limit = stripe.Int64(20)
	it := g.api.Invoices.List(lp)
	var open []*stripe.Invoice
	for it.Next() {
		open = append(open, it.Invoice())
	}
	if err := it.Err(); err != nil {
		return "", classify(err, "list open invoices of "+subscriptionID)
	}
	if len(open) == 0 {
		return "", gateway.ErrNothingDue
	}
	// Oldest first (the list is newest first): the renewal before a late
	// fee on it, so the service comes back even if the fee then fails.
	slices.Reverse(open)
	first := ""
	for _, inv := range open {
		p := &stripe.InvoicePayParams{}
		if paymentMethod != "" {
			p.PaymentMethod = stripe.String(paymentMethod)
		}
		p.Context = ctx
		p.SetIdempotencyKey(key + "-" + inv.ID)
		if _, err := g.api.Invoices.Pay(inv.ID, p); err != nil {
			if first != "" {
				slog.WarnContext(ctx, "an open invoice after the first was not paid", "invoice", inv.ID, "err", err.Error())
				return first, nil
			}
			return "", classify(err, "pay invoice "+inv.ID)
		}
		if first == "" {
			first = inv.ID
		}
	}
	return first, nil
}

// PayInvoice implements gateway.Gateway: the invoice is read first and
// paid only when it is open and belongs to the subscription and customer
// named.
func (g *Gateway) PayInvoice(ctx context.Context, in gateway.PayInvoiceInput) error {
	gp := &stripe.InvoiceParams{}
	gp.Context = ctx
	inv, err := g.api.Invoices.Get(in.InvoiceID, gp)
	if err != nil {
		return classify(err, "read invoice "+in.InvoiceID)
	}
	if inv.Subscription == nil || inv.Subscription.ID != in.SubscriptionID || customerID(inv.Customer) != in.GatewayCustomerID {
		return apperr.New(apperr.NotFound, "invoice %s is not this subscription's", in.InvoiceID)
	}
	if inv.Status != stripe.InvoiceStatusOpen && inv.Status != stripe.InvoiceStatusDraft {
		return gateway.ErrNothingDue
	}
	p := &stripe.InvoicePayParams{}
	if in.PaymentMethod != "" {
		p.PaymentMethod = stripe.String(in.PaymentMethod)
	}
	p.Context = ctx
	p.SetIdempotencyKey(in.Key)
	if _, err := g.api.Invoices.Pay(inv.ID, p); err != nil {
		return classify(err, "pay invoice "+inv.ID)
	}
	return nil
}

// Subscription implements gateway.Gateway.
func (g *Gateway) Subscription(ctx context.Context, id string) (*gateway.Subscription, error) {
	p := &stripe.SubscriptionParams{}
	p.Context = ctx
	s, err := g.api.Subscriptions.Get(id, p)
	if err != nil {
		return nil, classify(err, "get subscription "+id)
	}
	return subscriptionOf(s), nil
}

// Refund implements gateway.Gateway.
func (g *Gateway) Refund(ctx context.Context, in gateway.RefundInput) (string, error) {
	p := &stripe.RefundParams{Charge: stripe.String(in.ChargeID), Amount: stripe.Int64(in.Amount), Reason: optional(in.Reason)}
	p.Context = ctx
	p.SetIdempotencyKey(in.Key)
	p.AddMetadata("ezscale_refund_id", in.Key)
	if in.By != "" {
		p.AddMetadata("ezscale_by", in.By)
	}
	r, err := g.api.Refunds.New(p)
	if err != nil {
		return "", classify(err, "refund "+in.ChargeID)
	}
	return r.ID, nil
}

// CreditBalance implements gateway.Gateway: a customer balance
// transaction with a negative amount, which Stripe applies to the
// customer's next invoices.
func (g *Gateway) CreditBalance(ctx context.Context, in gateway.CreditInput) (string, error) {
	p := &stripe.CustomerBalanceTransactionParams{Customer: stripe.String(in.GatewayCustomerID), Amount: stripe.Int64(-in.Amount),
		Currency: stripe.String(strings.ToLower(in.Currency)), Description: stripe.String(in.Description)}
	p.Context = ctx
	p.SetIdempotencyKey(in.Key)
	p.AddMetadata("ezscale_credit_id", in.Key)
	t, err := g.api.CustomerBalanceTransactions.New(p)
	if err != nil {
		return "", classify(err, "credit balance of "+in.GatewayCustomerID)
	}
	return t.ID, nil
}

// ChargeRefunds implements gateway.Gateway: Stripe's charge.refunded
// event (at our API version) carries only the refunded total, so the
// refunds themselves are listed.
func (g *Gateway) ChargeRefunds(ctx context.Context, chargeID string) ([]gateway.Refund, error) {
	p := &stripe.RefundListParams{Charge: stripe.String(chargeID)}
	p.Context = ctx
	p.Limit = stripe.Int64(100)
	var out []gateway.Refund
	it := g.api.Refunds.List(p)
	for it.Next() {
		r := it.Refund()
		if r.Status == stripe.RefundStatusFailed || r.Status == stripe.RefundStatusCanceled {
			continue
		}
		out = append(out, gateway.Refund{ID: r.ID, Amount: r.Amount, By: r.Metadata["ezscale_by"], Created: time.Unix(r.Created, 0).UTC()})
	}
	if err := it.Err(); err != nil {
		return nil, classify(err, "list refunds of "+chargeID)
	}
	slices.SortFunc(out, func(a, b gateway.Refund) int { return a.Created.Compare(b.Created) })
	return out, nil
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

// ChangeSubscription implements gateway.Gateway. The charge comes first
// (invoice item, invoice, pay) so a declined card changes nothing; the
// price moves only after the money is in. Every call is keyed on the
// change, so a retry after a failure continues where it stopped.
func (g *Gateway) ChangeSubscription(ctx context.Context, in gateway.ChangeInput) (string, error) {
	key := "change-" + in.ChangeID
	cur := strings.ToLower(in.Currency)
	var invoiceID string
	if in.Charge > 0 {
		ip := &stripe.InvoiceItemParams{Customer: stripe.String(in.GatewayCustomerID), Subscription: stripe.String(in.SubscriptionID),
			Amount: stripe.Int64(in.Charge), Currency: stripe.String(cur), Description: stripe.String(in.Description)}
		ip.Context = ctx
		ip.SetIdempotencyKey(key + "-item")
		ip.AddMetadata(changeKey, in.ChangeID)
		if _, err := g.api.InvoiceItems.New(ip); err != nil {
			return "", classify(err, "add the change's charge")
		}
		np := &stripe.InvoiceParams{Customer: stripe.String(in.GatewayCustomerID), Subscription: stripe.String(in.SubscriptionID),
			PendingInvoiceItemsBehavior: stripe.String("include"), AutoAdvance: stripe.Bool(false)}
		np.Context = ctx
		np.SetIdempotencyKey(key + "-invoice")
		np.AddMetadata(changeKey, in.ChangeID)
		inv, err := g.api.Invoices.New(np)
		if err != nil {
			return "", classify(err, "invoice the change")
		}
		pp := &stripe.InvoicePayParams{}
		pp.Context = ctx
		pp.SetIdempotencyKey(key + "-pay")
		if _, err := g.api.Invoices.Pay(inv.ID, pp); err != nil {
			vp := &stripe.InvoiceVoidInvoiceParams{}
			vp.Context = ctx
			vp.SetIdempotencyKey(key + "-void")
			if _, verr := g.api.Invoices.VoidInvoice(inv.ID, vp); verr != nil {
				return "", classify(err, "pay the change (and voiding its invoice failed too: "+verr.Error()+")")
			}
			return "", classify(err, "pay the change")
		}
		invoiceID = inv.ID
	}
	gp := &stripe.SubscriptionParams{}
	gp.Context = ctx
	sub, err := g.api.Subscriptions.Get(in.SubscriptionID, gp)
	if err != nil {
		return invoiceID, classify(err, "read subscription "+in.SubscriptionID)
	}
	if sub.Items == nil || len(sub.Items.Data) == 0 {
		return invoiceID, fmt.Errorf("subscription %s has no items", in.SubscriptionID)
	}
	pr := &stripe.ProductParams{Name: stripe.String(in.Product)}
	pr.Context = ctx
	pr.SetIdempotencyKey(key + "-product")
	prod, err := g.api.Products.New(pr)
	if err != nil {
		return invoiceID, classify(err, "create product "+in.Product)
	}
	up := &stripe.SubscriptionParams{ProrationBehavior: stripe.String("none"), Items: []*stripe.SubscriptionItemsParams{{
		ID: stripe.String(sub.Items.Data[0].ID),
		PriceData: &stripe.SubscriptionItemPriceDataParams{Currency: stripe.String(cur), Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(in.Amount),
			Recurring: &stripe.SubscriptionItemPriceDataRecurringParams{Interval: stripe.String(in.Interval), IntervalCount: stripe.Int64(in.IntervalCount)}},
	}}}
	up.Context = ctx
	up.SetIdempotencyKey(key + "-price")
	if _, err := g.api.Subscriptions.Update(in.SubscriptionID, up); err != nil {
		return invoiceID, classify(err, "move "+in.SubscriptionID+" to the new price")
	}
	return invoiceID, nil
}
