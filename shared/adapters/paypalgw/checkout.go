package paypalgw

import (
	"context"
	"fmt"
	"strings"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// EnsureCustomer implements gateway.Gateway. PayPal keeps no customer
// objects for subscriptions (the buyer signs in on PayPal's page), so our
// user id stands for the customer.
func (g *Gateway) EnsureCustomer(_ context.Context, c gateway.Customer) (string, error) {
	if c.UserID == "" {
		return "", apperr.New(apperr.Invalid, "a customer needs our user id")
	}
	return "paypal-" + c.UserID, nil
}

// frequencyOf is our cycle in PayPal's terms (PayPal counts months up to 12
// and years one at a time).
func frequencyOf(in gateway.CheckoutInput) (frequency, error) {
	switch {
	case in.Interval == "year" && in.IntervalCount == 1:
		return frequency{Unit: "YEAR", Count: 1}, nil
	case in.Interval == "month" && in.IntervalCount >= 1 && in.IntervalCount <= 12:
		return frequency{Unit: "MONTH", Count: in.IntervalCount}, nil
	}
	return frequency{}, apperr.New(apperr.Invalid, "PayPal cannot bill every %d %s", in.IntervalCount, in.Interval)
}

// planLabel is our plan's name without its cycle ("VPS Starter (monthly)"
// is "VPS Starter"): the billing plan's name carries the cycle.
func planLabel(product string) string {
	if i := strings.LastIndex(product, " ("); i > 0 {
		return product[:i]
	}
	return product
}

// CreateCheckout implements gateway.Gateway: the plan's product and
// billing plan (each made once), then a subscription for the order —
// keyed by it, so asking again answers the same one — whose approve link
// is where the buyer goes. A first-period discount or a free trial is a
// trial cycle on this subscription only. Nothing is granted on the
// buyer's return: the order is paid by a verified webhook.
func (g *Gateway) CreateCheckout(ctx context.Context, in gateway.CheckoutInput) (*gateway.Checkout, error) {
	f, err := frequencyOf(in)
	if err != nil {
		return nil, err
	}
	product, err := g.ensureProduct(ctx, in.ServiceType)
	if err != nil {
		return nil, err
	}
	plan, err := g.ensurePlan(ctx, product, planLabel(in.Product), in.Currency, in.Amount, f)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"plan_id": plan, "custom_id": in.OrderID, "application_context": map[string]any{
		"brand_name": g.cfg.Brand, "shipping_preference": "NO_SHIPPING", "user_action": "SUBSCRIBE_NOW",
		"return_url": in.SuccessURL, "cancel_url": in.CancelURL}}
	if in.TrialDays > 0 || in.FirstDiscount > 0 {
		var cycles []cycle
		if in.TrialDays > 0 {
			cycles = append(cycles, priced(cycle{TenureType: "TRIAL", Sequence: len(cycles) + 1, TotalCycles: 1,
				Frequency: frequency{Unit: "DAY", Count: in.TrialDays}}, 0, in.Currency))
		}
		if in.FirstDiscount > 0 {
			cycles = append(cycles, priced(cycle{TenureType: "TRIAL", Sequence: len(cycles) + 1, TotalCycles: 1, Frequency: f},
				max(in.Amount-in.FirstDiscount, 0), in.Currency))
		}
		cycles = append(cycles, priced(cycle{TenureType: "REGULAR", Sequence: len(cycles) + 1, Frequency: f}, in.Amount, in.Currency))
		body["plan"] = map[string]any{"billing_cycles": cycles}
	}
	var sub struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Links  []struct {
			Href string `json:"href"`
			Rel  string `json:"rel"`
		} `json:"links"`
	}
	if err := g.call(ctx, "POST", "/v1/billing/subscriptions", body, "sub-create:"+in.OrderID, &sub); err != nil {
		return nil, err
	}
	for _, l := range sub.Links {
		if l.Rel == "approve" {
			return &gateway.Checkout{ID: sub.ID, URL: l.Href}, nil
		}
	}
	return nil, fmt.Errorf("paypal subscription %s (%s) came without an approve link", sub.ID, sub.Status)
}
