// Package stripegw is the Stripe gateway: stripe-go v79 behind
// gateway.Gateway, with idempotency keys derived from our ids.
package stripegw

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v79"
	"github.com/stripe/stripe-go/v79/webhook"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/config"
)

// Config is a Stripe account.
type Config struct {
	SecretKey     string
	WebhookSecret string
	// BaseURL overrides https://api.stripe.com (stripe-mock, the simulator).
	BaseURL string
	// Timeout bounds each API call (default 20 s).
	Timeout time.Duration
	// HTTPClient, when set, carries the calls (its timeout is kept when it has one).
	HTTPClient *http.Client
}

// Gateway talks to Stripe.
type Gateway struct {
	api    *clients
	secret string
}

var _ gateway.Gateway = (*Gateway)(nil)

// Capabilities implements gateway.Gateway: Stripe does all of it.
func (*Gateway) Capabilities() gateway.Capabilities {
	return gateway.Capabilities{SavedCards: true, PlanChangeNow: true, PayNow: true, LateFees: true, PeriodEndCancel: true, Invoices: true, CheckoutExpires: true}
}

// New returns a Stripe gateway.
func New(c Config) *Gateway {
	if c.Timeout == 0 {
		c.Timeout = 20 * time.Second
	}
	hc := &http.Client{Timeout: c.Timeout}
	if c.HTTPClient != nil {
		hc = c.HTTPClient
		if hc.Timeout == 0 {
			cp := *hc
			cp.Timeout = c.Timeout
			hc = &cp
		}
	}
	cfg := &stripe.BackendConfig{HTTPClient: hc, MaxNetworkRetries: stripe.Int64(2),
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}}
	if c.BaseURL != "" {
		cfg.URL = stripe.String(c.BaseURL)
	}
	return &Gateway{api: newClients(c.SecretKey, stripe.GetBackendWithConfig(stripe.APIBackend, cfg)), secret: c.WebhookSecret}
}

// Name implements gateway.Gateway.
func (g *Gateway) Name() string { return "stripe" }

// EnsureCustomer implements gateway.Gateway. The idempotency key makes a
// retried creation return the first customer (Stripe keeps keys 24 h; the
// caller stores the id, so later calls do not reach here).
func (g *Gateway) EnsureCustomer(ctx context.Context, c gateway.Customer) (string, error) {
	p := &stripe.CustomerParams{Email: stripe.String(c.Email), Name: stripe.String(c.Name)}
	p.Context = ctx
	p.AddMetadata("ezscale_user_id", c.UserID)
	key := "customer-" + c.UserID
	if c.Replaces != "" {
		key += "-after-" + c.Replaces
	}
	p.SetIdempotencyKey(key)
	cus, err := g.api.Customers.New(p)
	if err != nil {
		return "", classify(err, "create customer for "+c.UserID)
	}
	return cus.ID, nil
}

// CreateCheckout implements gateway.Gateway. The price is inline
// (price_data) because the amount is ours, tax included, and differs by
// customer; a first-period discount becomes a one-off Stripe coupon made for
// this order alone.
func (g *Gateway) CreateCheckout(ctx context.Context, in gateway.CheckoutInput) (*gateway.Checkout, error) {
	cur := strings.ToLower(in.Currency)
	p := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(in.GatewayCustomerID),
		ClientReferenceID: stripe.String(in.OrderID),
		SuccessURL:        stripe.String(in.SuccessURL),
		CancelURL:         stripe.String(in.CancelURL),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
			Currency: stripe.String(cur), UnitAmount: stripe.Int64(in.Amount),
			ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(in.Product)},
			Recurring:   &stripe.CheckoutSessionLineItemPriceDataRecurringParams{Interval: stripe.String(in.Interval), IntervalCount: stripe.Int64(in.IntervalCount)},
		}}},
		SubscriptionData: &stripe.CheckoutSessionSubscriptionDataParams{Metadata: map[string]string{"ezscale_order_id": in.OrderID}},
	}
	if in.FirstDiscount > 0 {
		c, err := g.firstDiscount(ctx, in)
		if err != nil {
			return nil, err
		}
		p.Discounts = []*stripe.CheckoutSessionDiscountParams{{Coupon: stripe.String(c)}}
	}
	if in.TrialDays > 0 {
		p.SubscriptionData.TrialPeriodDays = stripe.Int64(in.TrialDays)
	}
	if !in.ExpiresAt.IsZero() {
		p.ExpiresAt = stripe.Int64(in.ExpiresAt.Unix())
	}
	p.Context = ctx
	p.AddMetadata("ezscale_order_id", in.OrderID)
	p.SetIdempotencyKey("checkout-" + in.OrderID + "-" + in.GatewayCustomerID)
	s, err := g.api.CheckoutSessions.New(p)
	if err != nil {
		return nil, classify(err, "create checkout for "+in.OrderID)
	}
	return &gateway.Checkout{ID: s.ID, URL: s.URL}, nil
}

// firstDiscount makes the one-off Stripe coupon for an order's first period.
func (g *Gateway) firstDiscount(ctx context.Context, in gateway.CheckoutInput) (string, error) {
	cp := &stripe.CouponParams{AmountOff: stripe.Int64(in.FirstDiscount), Currency: stripe.String(strings.ToLower(in.Currency)),
		Duration: stripe.String(string(stripe.CouponDurationOnce)), MaxRedemptions: stripe.Int64(1), Name: stripe.String("Discount for order " + in.OrderID)}
	cp.Context = ctx
	cp.SetIdempotencyKey("coupon-" + in.OrderID)
	c, err := g.api.Coupons.New(cp)
	if err != nil {
		return "", classify(err, "create discount for "+in.OrderID)
	}
	return c.ID, nil
}

// StartSubscription implements gateway.Gateway: Stripe's subscription
// create with error_if_incomplete, so a declined first payment leaves no
// subscription behind.
func (g *Gateway) StartSubscription(ctx context.Context, in gateway.CheckoutInput, pm string) (string, error) {
	cur := strings.ToLower(in.Currency)
	pr := &stripe.ProductParams{Name: stripe.String(in.Product)}
	pr.Context = ctx
	pr.SetIdempotencyKey("product-" + in.OrderID)
	prod, err := g.api.Products.New(pr)
	if err != nil {
		return "", classify(err, "create product for "+in.OrderID)
	}
	p := &stripe.SubscriptionParams{
		Customer: stripe.String(in.GatewayCustomerID), DefaultPaymentMethod: stripe.String(pm), PaymentBehavior: stripe.String("error_if_incomplete"),
		Items: []*stripe.SubscriptionItemsParams{{PriceData: &stripe.SubscriptionItemPriceDataParams{Currency: stripe.String(cur), Product: stripe.String(prod.ID),
			UnitAmount: stripe.Int64(in.Amount), Recurring: &stripe.SubscriptionItemPriceDataRecurringParams{Interval: stripe.String(in.Interval), IntervalCount: stripe.Int64(in.IntervalCount)}}}},
	}
	if in.FirstDiscount > 0 {
		c, err := g.firstDiscount(ctx, in)
		if err != nil {
			return "", err
		}
		p.Discounts = []*stripe.SubscriptionDiscountParams{{Coupon: stripe.String(c)}}
	}
	if in.TrialDays > 0 {
		p.TrialPeriodDays = stripe.Int64(in.TrialDays)
	}
	p.Context = ctx
	p.AddMetadata(orderKey, in.OrderID)
	p.SetIdempotencyKey("subscription-" + in.OrderID + "-" + in.GatewayCustomerID)
	sub, err := g.api.Subscriptions.New(p)
	if err != nil {
		return "", classify(err, "subscribe for "+in.OrderID)
	}
	return sub.ID, nil
}

// SignatureHeader carries Stripe's webhook signature (lower case, as
// gateway.Delivery names headers).
const SignatureHeader = "stripe-signature"

// ParseWebhook implements gateway.Gateway: the Stripe-Signature header
// over the raw body, with a 5-minute tolerance.
func (g *Gateway) ParseWebhook(_ context.Context, d gateway.Delivery) (*gateway.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(d.Body, d.Header[SignatureHeader], g.secret, webhook.ConstructEventOptions{Tolerance: 5 * time.Minute})
	if err != nil {
		if errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) || errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrTooOld) {
			return nil, gateway.ErrSignature
		}
		return nil, apperr.Wrap(err, apperr.Invalid, "malformed webhook event")
	}
	if ev.ID == "" || ev.Type == "" || ev.Data == nil || len(ev.Data.Raw) == 0 {
		return nil, apperr.New(apperr.Invalid, "webhook event without id, type or object")
	}
	out := &gateway.Event{Gateway: g.Name(), ID: ev.ID, Type: string(ev.Type), Created: time.Unix(ev.Created, 0).UTC()}
	if err := decode(out, ev.Data.Raw); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "webhook event object is malformed")
	}
	return out, nil
}

// classify maps Stripe's errors onto ours: card and request problems are
// the caller's; rate limits and outages are Unavailable (retry later).
func classify(err error, what string) error {
	if err == nil {
		return nil
	}
	var se *stripe.Error
	if errors.As(err, &se) {
		switch {
		case se.Code == stripe.ErrorCodeResourceMissing && se.Param == "customer":
			return apperr.Wrap(fmt.Errorf("%s: %w: %w", what, gateway.ErrUnknownCustomer, err), apperr.NotFound, "the payment provider does not know this customer")
		case se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode >= 500:
			return apperr.Wrap(err, apperr.Unavailable, "the payment provider is unavailable; try again shortly")
		case se.Type == stripe.ErrorTypeCard:
			return apperr.Wrap(err, apperr.Invalid, se.Msg)
		case se.HTTPStatusCode == http.StatusNotFound:
			return apperr.Wrap(err, apperr.NotFound, fmt.Sprintf("%s: not found at the payment provider", what))
		case se.HTTPStatusCode == http.StatusBadRequest && se.Type == stripe.ErrorTypeInvalidRequest && se.Code != stripe.ErrorCodeParameterMissing && se.Code != stripe.ErrorCodeParameterUnknown:
			// The object's state refuses the call (a subscription that ended
			// meanwhile, an invoice already paid): the caller's view is
			// stale, not our request malformed.
			return apperr.Wrap(err, apperr.Conflict, "the payment provider refused: "+se.Msg)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return apperr.Wrap(fmt.Errorf("%s: %w", what, err), apperr.Unavailable, "the payment provider is unreachable; try again shortly")
}

// Configured is Stripe when the configuration holds its keys; otherwise a
// gateway that answers that payments are not configured.
func Configured(cfg config.Config, client *http.Client) gateway.Gateway {
	if cfg.StripeSecretKey == "" {
		return gateway.Unconfigured{Provider: "stripe"}
	}
	return New(Config{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret, BaseURL: cfg.StripeAPIURL, HTTPClient: client})
}
