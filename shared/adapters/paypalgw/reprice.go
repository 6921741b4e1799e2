package paypalgw

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// What a plan change needs from PayPal, which has no one-off charge and
// no proration: ChargeNow collects an amount on the subscription at once
// (the balance set, then captured), and Revise asks the buyer to consent
// to the new plan's price from the next cycle.

// ChargeNow collects charge (minor units of currency) on subscriptionID
// now and returns the sale. key is the capture's PayPal-Request-Id; since
// is when the charge was decided: a sale of that charge since then is
// this charge made by an attempt that died before it was recorded, so a
// retry never charges twice (setting the balance again would make PayPal
// bill it at the next cycle). A declined capture clears the balance it
// set and answers Invalid.
func (g *Gateway) ChargeNow(ctx context.Context, subscriptionID, currency string, charge int64, since time.Time, note, key string) (string, error) {
	if charge <= 0 {
		return "", apperr.New(apperr.Invalid, "nothing to charge")
	}
	path := "/v1/billing/subscriptions/" + url.PathEscape(subscriptionID)
	var txs struct {
		Transactions []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Amount struct {
				Gross amount `json:"gross_amount"`
			} `json:"amount_with_breakdown"`
		} `json:"transactions"`
	}
	q := url.Values{"start_time": {since.Add(-time.Minute).UTC().Format("2006-01-02T15:04:05Z")}, "end_time": {g.now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z")}}
	if err := g.call(ctx, "GET", path+"/transactions?"+q.Encode(), nil, "", &txs); err != nil {
		return "", err
	}
	for _, t := range txs.Transactions {
		// COMPLETED only: a refunded one was an abandoned change's.
		if n, ok := minor(t.Amount.Gross.Value, t.Amount.Gross.Currency); ok && n == charge && t.Amount.Gross.Currency == currency && t.Status == "COMPLETED" {
			return t.ID, nil // made by an earlier attempt
		}
	}
	var sub subscription
	if err := g.call(ctx, "GET", path, nil, "", &sub); err != nil {
		return "", err
	}
	switch {
	case sub.Status != "ACTIVE":
		return "", apperr.New(apperr.Conflict, "the PayPal subscription is %s; nothing is charged", sub.Status)
	case sub.outstanding() != 0:
		return "", apperr.New(apperr.Conflict, "the PayPal subscription owes a balance already; nothing more is charged")
	}
	balance := amountOf(charge, currency)
	patch := []map[string]any{{"op": "replace", "path": "/billing_info/outstanding_balance", "value": balance}}
	if err := g.call(ctx, "PATCH", path, patch, "", nil); err != nil {
		return "", err
	}
	var out struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	err := g.call(ctx, "POST", path+"/capture", map[string]any{"note": note[:min(len(note), 128)], "capture_type": "OUTSTANDING_BALANCE", "amount": balance}, key, &out)
	if err == nil && out.Status == "COMPLETED" && out.ID != "" {
		return out.ID, nil
	}
	// Not collected: the balance must not stay, or PayPal bills it with
	// the next cycle.
	zero := []map[string]any{{"op": "replace", "path": "/billing_info/outstanding_balance", "value": amountOf(0, currency)}}
	if cerr := g.call(ctx, "PATCH", path, zero, "", nil); cerr != nil {
		return "", fmt.Errorf("PayPal did not collect %s and the balance could not be cleared (clear it in PayPal): %w", balance.Value, cerr)
	}
	if err != nil {
		return "", err
	}
	return "", apperr.New(apperr.Invalid, "PayPal declined the charge of %s %s", balance.Value, currency)
}

// ReviseInput moves a subscription to another plan of its product line.
type ReviseInput struct {
	SubscriptionID string
	ServiceType    string // the product line
	Plan           string // our plan's name
	Currency       string
	Amount         int64 // per period from the next cycle, tax included
	Interval       string
	IntervalCount  int64
	ReturnURL      string
	CancelURL      string
	Key            string // PayPal-Request-Id
}

// Revise asks PayPal to move the subscription to the billing plan for the
// new price (made once) and returns the link where the buyer consents and
// that plan's id; until they consent, PayPal keeps billing the old price.
func (g *Gateway) Revise(ctx context.Context, in ReviseInput) (link, plan string, err error) {
	f, err := frequencyOf(gateway.CheckoutInput{Interval: in.Interval, IntervalCount: in.IntervalCount})
	if err != nil {
		return "", "", err
	}
	product, err := g.ensureProduct(ctx, in.ServiceType)
	if err != nil {
		return "", "", err
	}
	if plan, err = g.ensurePlan(ctx, product, in.Plan, in.Currency, in.Amount, f); err != nil {
		return "", "", err
	}
	var out struct {
		Links []struct {
			Href string `json:"href"`
			Rel  string `json:"rel"`
		} `json:"links"`
	}
	if err := g.call(ctx, "POST", "/v1/billing/subscriptions/"+url.PathEscape(in.SubscriptionID)+"/revise", map[string]any{"plan_id": plan,
		"application_context": map[string]any{"brand_name": g.cfg.Brand, "shipping_preference": "NO_SHIPPING", "return_url": in.ReturnURL, "cancel_url": in.CancelURL}},
		in.Key, &out); err != nil {
		return "", "", err
	}
	for _, l := range out.Links {
		if l.Rel == "approve" {
			return l.Href, plan, nil
		}
	}
	return "", "", apperr.New(apperr.Unavailable, "PayPal's revision has no approve link")
}
