package orders

import (
	"context"
	"errors"
	"time"

	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/outbox"
)

// ErrDuplicate means a webhook event was already applied.
var ErrDuplicate = errors.New("event already applied")

// Account is what billing remembers about a customer across orders.
type Account struct {
	// Currency is fixed by the first paid order; empty before it.
	Currency string
	// GatewayCustomers maps a gateway's name to its customer id.
	GatewayCustomers map[string]string
	// DefaultPaymentMethod is the saved card renewals charge.
	DefaultPaymentMethod string
}

// EventRecord is a webhook event as recorded for dedupe.
type EventRecord struct {
	Gateway string
	ID      string
	Type    string
	Created time.Time
}

// Change is everything one decision writes, atomically: the event that
// caused it (recorded once), the order's new state, the subscription, the
// payments and the outbox items for follow-up effects.
type Change struct {
	Event *EventRecord // nil for staff and customer actions
	// Order, when set, replaces the stored order at Order.Version-1.
	Order *Order
	// Release gives back the order's reserved stock and coupon use.
	Release bool
	// Subscription, when set, is created (Version 1) or replaces the stored
	// one at Version-1.
	Subscription *Subscription
	Payments     []Payment // each created once (keyed by its id)
	// Refunds raise existing payments' refunded amounts (each replaces the
	// stored payment at its Version-1).
	Refunds []Payment
	// PaymentMethod, when set, is created (Version 1) or replaces the
	// stored one at Version-1.
	PaymentMethod *PaymentMethod
	// PlanChange, when set, replaces the stored change at Version-1;
	// ReleaseChange gives back its stock reservation (it failed).
	PlanChange    *PlanChange
	ReleaseChange bool
	// Survey records why a subscription was cancelled.
	Survey *Survey
	// PaidThrough, when set, is created (Version 1) or replaces the stored
	// one at Version-1.
	PaidThrough *PaidThrough
	// Currency fixes the customer's billing currency if not yet fixed.
	Currency   string
	CustomerID string
	Outbox     []outbox.Item
}

// Store keeps orders, subscriptions and payments.
type Store interface {
	DomainClaims
	// CreateOrder writes a pending order together with its stock
	// reservation (when StockReserved), its coupon redemption (when
	// terms is not nil) and its domain claim (when Claim is set), or
	// nothing: ErrOutOfStock, coupons.ErrExhausted, coupons.ErrCustomerLimit,
	// coupons.ErrChanged, ErrDomainTaken. items are written with it (a
	// checkout's expiry).
	CreateOrder(ctx context.Context, o *Order, terms *coupons.Coupon, items ...outbox.Item) error
	GetOrder(ctx context.Context, id string) (*Order, error)
	// CreateChange writes a pending plan change with its stock moves (a
	// unit of the new plan taken, one of the old returned) and the outbox
	// item later, or nothing: ErrOutOfStock, apperr.Conflict when the
	// change exists.
	CreateChange(ctx context.Context, ch *PlanChange, later outbox.Item) error
	GetChange(ctx context.Context, id string) (*PlanChange, error)
	ListOrders(ctx context.Context, customerID, cursor string, limit int32) ([]Order, string, error)
	ListAllOrders(ctx context.Context, status Status, cursor string, limit int32) ([]Order, string, error)
	// Apply writes c in one transaction. ErrDuplicate when c.Event was
	// recorded before; apperr.Conflict when something changed since it
	// was read (the caller reads again and decides again).
	Apply(ctx context.Context, c Change) error
	// EventSeen reports whether a webhook event was recorded.
	EventSeen(ctx context.Context, gateway, id string) (bool, error)
	GetSubscription(ctx context.Context, id string) (*Subscription, error)
	ListSubscriptions(ctx context.Context, customerID string) ([]Subscription, error)
	ListSurveys(ctx context.Context) ([]Survey, error)
	GetPayment(ctx context.Context, id string) (*Payment, error)
	// GetPaidThrough returns the order's paid-through date (NotFound
	// before any payment for a period).
	GetPaidThrough(ctx context.Context, orderID string) (*PaidThrough, error)
	ListPayments(ctx context.Context, customerID string) ([]Payment, error)
	Account(ctx context.Context, customerID string) (Account, error)
	// SetGatewayCustomer remembers the gateway's customer id (first wins)
	// and returns the one stored.
	SetGatewayCustomer(ctx context.Context, customerID, gateway, id string) (string, error)
	// ReplaceGatewayCustomer swaps the gateway's customer id old for next,
	// only while old is still the stored one, and returns the id stored
	// afterwards (another request's replacement wins alike).
	ReplaceGatewayCustomer(ctx context.Context, customerID, gateway, old, next string) (string, error)
	// CustomerByGateway finds our customer from the gateway's id.
	CustomerByGateway(ctx context.Context, gateway, id string) (string, error)
	GetPaymentMethod(ctx context.Context, gateway, id string) (*PaymentMethod, error)
	ListPaymentMethods(ctx context.Context, customerID string) ([]PaymentMethod, error)
	SetDefaultPaymentMethod(ctx context.Context, customerID, id string) error
}

// DomainClaims say which order holds a hosting domain here: one web
// hosting service per domain, so two customers never buy the same site.
type DomainClaims interface {
	// DomainClaim returns the claim on domain (nil when there is none).
	DomainClaim(ctx context.Context, domain string) (*DomainClaim, error)
}

// DomainClaim is the order that bought (or is buying) a hosting domain.
// Version 1 is a new claim; a higher one replaces the claim of an order
// that no longer holds it (expired, cancelled, its service terminated).
type DomainClaim struct {
	Domain     string
	OrderID    string
	CustomerID string
	Version    int64
}

// ErrDomainTaken means another order claimed the domain first.
var ErrDomainTaken = errors.New("the domain was just ordered by someone else")

// ErrOutOfStock means the plan has no units left.
var ErrOutOfStock = errors.New("this plan is out of stock")

// Services tells the state of the service an order paid for (provisioning
// keeps it). ServiceStatus answers "" while there is none yet.
type Services interface {
	ServiceStatus(ctx context.Context, orderID string) (string, error)
}
