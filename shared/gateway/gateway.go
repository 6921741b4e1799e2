// Package gateway is what billing needs from a payment provider (Stripe,
// PayPal), in our own terms: no vendor types cross it.
package gateway

import (
	"context"
	"errors"
	"time"
)

// Customer is who pays, as the gateway should know them.
type Customer struct {
	UserID string // ours; the gateway keeps it as metadata and idempotency key
	Email  string
	Name   string
}

// CheckoutInput is one hosted checkout for a subscription.
type CheckoutInput struct {
	OrderID           string // ours: reference and idempotency key
	GatewayCustomerID string
	PriceID           string // the gateway's recurring price for plan+currency+cycle
	Currency          string
	SuccessURL        string
	CancelURL         string
	TrialDays         int64
	ExpiresAt         time.Time // when an unpaid session lapses (stock is released then)
}

// Checkout is a created hosted checkout.
type Checkout struct {
	ID  string
	URL string
}

// Event is a verified webhook event.
type Event struct {
	ID       string    // the gateway's event id: the dedupe key
	Type     string    // e.g. checkout.session.completed
	Created  time.Time // orders events of one object
	ObjectID string    // the id of the object the event is about
	Object   []byte    // its JSON, for the handler of Type
}

// ErrSignature means a webhook was forged, altered or replayed too late.
var ErrSignature = errors.New("webhook signature is invalid or stale")

// Gateway is one payment provider.
type Gateway interface {
	Name() string
	// EnsureCustomer returns the gateway customer for c, creating it once.
	EnsureCustomer(ctx context.Context, c Customer) (string, error)
	// CreateCheckout starts a hosted checkout; repeating it for the same
	// order returns the same session.
	CreateCheckout(ctx context.Context, in CheckoutInput) (*Checkout, error)
	// ParseWebhook verifies signature over payload and decodes the event
	// (ErrSignature when it does not verify).
	ParseWebhook(payload []byte, signature string) (*Event, error)
}
