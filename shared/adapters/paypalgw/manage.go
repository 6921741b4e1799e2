package paypalgw

import (
	"context"
	"net/url"
	"strings"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/platform/apperr"
)

var _ gateway.Gateway = (*Gateway)(nil)

// Capabilities implements gateway.Gateway: PayPal keeps no cards we can
// charge on demand and collects its own retries; a plan change is priced
// by us (the difference charged on the subscription at once, or a credit
// refunded) once the buyer has consented to the new price.
func (*Gateway) Capabilities() gateway.Capabilities {
	return gateway.Capabilities{PlanChangeNow: true, PlanChangeConsent: true}
}

// unsupported answers a call the capabilities say PayPal cannot do.
func unsupported(what string) error {
	return apperr.New(apperr.Conflict, "PayPal cannot %s", what)
}

// CancelSubscription implements gateway.Gateway. PayPal cancels at once
// only; an end at the period's end is ours to schedule.
func (g *Gateway) CancelSubscription(ctx context.Context, in gateway.CancelInput) error {
	if in.AtPeriodEnd {
		return unsupported("end a subscription at the end of its period")
	}
	reason := strings.TrimSpace(strings.ReplaceAll(in.Feedback, "_", " ") + " " + in.Comment)
	if reason == "" {
		reason = "Cancelled by the customer"
	}
	key := in.Key
	if key == "" {
		key = "cancel:" + in.SubscriptionID
	}
	// Keyed, so a retry after a lost reply is PayPal's first answer, not a
	// 422 for cancelling what is cancelled.
	return g.call(ctx, "POST", "/v1/billing/subscriptions/"+url.PathEscape(in.SubscriptionID)+"/cancel",
		map[string]string{"reason": reason[:min(len(reason), 128)]}, key, nil)
}

// Refund implements gateway.Gateway: a v1 sale refund (the library has
// none), in the sale's currency, keyed by our refund so a retry refunds
// once (PayPal keeps sale-refund request ids for 30 days).
func (g *Gateway) Refund(ctx context.Context, in gateway.RefundInput) (string, error) {
	var sale struct {
		Amount struct {
			Currency string `json:"currency"`
		} `json:"amount"`
	}
	path := "/v1/payments/sale/" + url.PathEscape(in.ChargeID)
	if err := g.call(ctx, "GET", path, nil, "", &sale); err != nil {
		return "", err
	}
	var out struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	body := map[string]any{"amount": map[string]string{"total": money.Money{Amount: in.Amount, Currency: sale.Amount.Currency}.Decimal(), "currency": sale.Amount.Currency}}
	if in.Reason != "" {
		body["reason"] = in.Reason[:min(len(in.Reason), 30)]
	}
	if err := g.call(ctx, "POST", path+"/refund", body, in.Key[:min(len(in.Key), 78)], &out); err != nil {
		return "", err
	}
	if out.State == "failed" || out.State == "cancelled" {
		return "", apperr.New(apperr.Conflict, "PayPal did not refund the sale (%s)", out.State)
	}
	return out.ID, nil
}

// ChargeRefunds implements gateway.Gateway: PayPal lists no refunds of a
// sale; each arrives as its own PAYMENT.SALE.REFUNDED event instead.
func (g *Gateway) ChargeRefunds(context.Context, string) ([]gateway.Refund, error) {
	return nil, unsupported("list a sale's refunds")
}

// ResumeSubscription implements gateway.Gateway.
func (g *Gateway) ResumeSubscription(context.Context, string, string) error {
	return unsupported("withdraw a cancellation")
}

// PayOpenInvoice implements gateway.Gateway.
func (g *Gateway) PayOpenInvoice(context.Context, string, string, string) (string, error) {
	return "", unsupported("charge an open invoice on request")
}

// PayInvoice implements gateway.Gateway.
func (g *Gateway) PayInvoice(context.Context, gateway.PayInvoiceInput) error {
	return unsupported("charge an open invoice on request")
}

// CreditBalance implements gateway.Gateway.
func (g *Gateway) CreditBalance(context.Context, gateway.CreditInput) (string, error) {
	return "", unsupported("keep a credit balance")
}

// SetupPaymentMethod implements gateway.Gateway.
func (g *Gateway) SetupPaymentMethod(context.Context, gateway.SetupInput) (*gateway.Checkout, error) {
	return nil, unsupported("save a card")
}

// SetDefaultPaymentMethod implements gateway.Gateway.
func (g *Gateway) SetDefaultPaymentMethod(context.Context, string, string, []string) error {
	return unsupported("change the card a subscription charges")
}

// DetachPaymentMethod implements gateway.Gateway.
func (g *Gateway) DetachPaymentMethod(context.Context, string) error {
	return unsupported("remove a saved card")
}

// StartSubscription implements gateway.Gateway.
func (g *Gateway) StartSubscription(context.Context, gateway.CheckoutInput, string) (string, error) {
	return "", unsupported("start a subscription without the buyer's approval")
}

// ChangeSubscription implements gateway.Gateway: after the buyer's
// consent (RequestConsent) the difference is collected now; the sale is
// the "invoice" of the charge.
func (g *Gateway) ChangeSubscription(ctx context.Context, in gateway.ChangeInput) (string, error) {
	if in.Charge <= 0 {
		return "", nil // the new price is PayPal's from the consent; a credit is refunded by billing
	}
	return g.ChargeNow(ctx, in.SubscriptionID, in.Currency, in.Charge, in.Since, in.Description, "change:"+in.ChangeID)
}

// RequestConsent implements gateway.Consenter: PayPal's revise.
func (g *Gateway) RequestConsent(ctx context.Context, in gateway.ChangeInput) (gateway.Consent, error) {
	link, plan, err := g.Revise(ctx, ReviseInput{SubscriptionID: in.SubscriptionID, ServiceType: in.ServiceType, Plan: in.PlanName, Currency: in.Currency,
		Amount: in.Amount, Interval: in.Interval, IntervalCount: in.IntervalCount, ReturnURL: in.ReturnURL, CancelURL: in.CancelURL, Key: "revise:" + in.ChangeID})
	return gateway.Consent{URL: link, PlanRef: plan}, err
}
