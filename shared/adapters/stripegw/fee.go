package stripegw

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v79"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

const (
	feeKey    = "ezscale_fee_key"
	feeForKey = "ezscale_late_fee_for"
	feeNetKey = "ezscale_late_fee_net"
	// usageNetKey marks an item added to a subscription's next invoice
	// (bandwidth overage) with its amount before tax, so the invoice that
	// carries it can show it as its own line.
	usageNetKey = "ezscale_usage_net"
)

var _ gateway.FeeCharger = (*Gateway)(nil)

// ChargeFee implements gateway.FeeCharger: an invoice item and its own
// invoice on the subscription, paid once with the subscription's card.
// Stripe keeps idempotency keys for a day only, so the subscription's
// invoices are searched for the fee's key first: a step retried later
// finds the fee it made.
func (g *Gateway) ChargeFee(ctx context.Context, in gateway.FeeInput) (string, error) {
	inv, err := g.feeInvoice(ctx, in)
	if err != nil {
		return "", err
	}
	if inv == nil {
		if _, err := g.feeItem(ctx, in, false); err != nil {
			return "", err
		}
		np := &stripe.InvoiceParams{Customer: stripe.String(in.GatewayCustomerID), Subscription: stripe.String(in.SubscriptionID),
			PendingInvoiceItemsBehavior: stripe.String("include"), AutoAdvance: stripe.Bool(false), Description: stripe.String(in.Description)}
		np.Context = ctx
		np.SetIdempotencyKey(in.Key + "-invoice")
		np.AddMetadata(feeKey, in.Key)
		np.AddMetadata(feeForKey, in.For)
		np.AddMetadata(feeNetKey, strconv.FormatInt(in.Net, 10))
		np.AddMetadata(orderKey, in.OrderID)
		if inv, err = g.api.Invoices.New(np); err != nil {
			return "", classify(err, "invoice the late fee")
		}
	}
	if inv.Status == stripe.InvoiceStatusPaid || inv.Status == stripe.InvoiceStatusVoid || inv.Status == stripe.InvoiceStatusUncollectible {
		return inv.ID, nil // made and settled by an earlier attempt
	}
	pp := &stripe.InvoicePayParams{}
	pp.Context = ctx
	pp.SetIdempotencyKey(in.Key + "-pay")
	if _, err := g.api.Invoices.Pay(inv.ID, pp); err != nil {
		err = classify(err, "charge the late fee "+inv.ID)
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) || isPaymentRequired(err) {
			return inv.ID, nil // declined: the fee stays open for the customer to pay
		}
		return "", err
	}
	return inv.ID, nil
}

// feeItem adds the fee's invoice item unless an earlier attempt left it
// pending (made, but its invoice not yet): a second one would double the
// fee on the invoice that includes them.
func (g *Gateway) feeItem(ctx context.Context, in gateway.FeeInput, usage bool) (string, error) {
	lp := &stripe.InvoiceItemListParams{Customer: stripe.String(in.GatewayCustomerID), Pending: stripe.Bool(true)}
	lp.Context = ctx
	lp.Limit = stripe.Int64(100)
	it := g.api.InvoiceItems.List(lp)
	for it.Next() {
		if it.InvoiceItem().Metadata[feeKey] == in.Key {
			return it.InvoiceItem().ID, nil
		}
	}
	if err := it.Err(); err != nil {
		return "", classify(err, "look for the item "+in.Key)
	}
	ip := &stripe.InvoiceItemParams{Customer: stripe.String(in.GatewayCustomerID), Subscription: stripe.String(in.SubscriptionID),
		Amount: stripe.Int64(in.Amount), Currency: stripe.String(strings.ToLower(in.Currency)), Description: stripe.String(in.Description)}
	ip.Context = ctx
	ip.SetIdempotencyKey(in.Key + "-item")
	ip.AddMetadata(feeKey, in.Key)
	if usage {
		ip.AddMetadata(usageNetKey, strconv.FormatInt(in.Net, 10))
	}
	item, err := g.api.InvoiceItems.New(ip)
	if err != nil {
		return "", classify(err, "add the item "+in.Key)
	}
	return item.ID, nil
}

// AddToNextInvoice implements gateway.UsageBiller: a pending invoice item
// on the subscription, which Stripe puts on its next (renewal) invoice.
func (g *Gateway) AddToNextInvoice(ctx context.Context, in gateway.FeeInput) (string, error) {
	return g.feeItem(ctx, in, true)
}

// feeInvoice finds the fee's invoice made by an earlier attempt.
func (g *Gateway) feeInvoice(ctx context.Context, in gateway.FeeInput) (*stripe.Invoice, error) {
	lp := &stripe.InvoiceListParams{Subscription: stripe.String(in.SubscriptionID)}
	lp.Context = ctx
	lp.Limit = stripe.Int64(100)
	it := g.api.Invoices.List(lp)
	for it.Next() {
		if inv := it.Invoice(); inv.Metadata[feeKey] == in.Key {
			return inv, nil
		}
	}
	if err := it.Err(); err != nil {
		return nil, classify(err, "look for the late fee of "+in.For)
	}
	return nil, nil
}

// isPaymentRequired is Stripe's 402 without a card error (no payment
// method to charge): the fee stays open all the same.
func isPaymentRequired(err error) bool {
	var se *stripe.Error
	return errors.As(err, &se) && se.HTTPStatusCode == 402
}
