// Package orders is buying a plan: the order, its checkout at a payment
// gateway, and what the gateway's webhook events do to it and to the
// subscription that follows. It speaks to gateways through
// gateway.Gateway and to storage through Store; it knows no vendor.
package orders

import (
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
)

// Status is an order's state; it changes only as orderMoves allows.
type Status string

// Order states.
const (
	// Pending: waiting for the customer to pay at the gateway.
	Pending Status = "pending"
	// AwaitingApproval: paid, held for staff before provisioning.
	AwaitingApproval Status = "awaiting_approval"
	// Paid: paid (and approved where needed); provisioning was requested.
	Paid Status = "paid"
	// Expired: the checkout lapsed unpaid; stock and coupon were released.
	Expired Status = "expired"
	// Cancelled: staff rejected it or the checkout could not be opened.
	Cancelled Status = "cancelled"
)

// Options are what the customer chose for the service.
type Options struct {
	Hostname string `json:"hostname,omitempty"`
	Location string `json:"location,omitempty"`
	OS       string `json:"os,omitempty"`
	Game     string `json:"game,omitempty"`
	Domain   string `json:"domain,omitempty"`
}

// Order is one purchase of a plan. Its amounts are fixed when it is made.
type Order struct {
	ID          string              `json:"id"`
	CustomerID  string              `json:"customer_id"`
	PlanID      string              `json:"plan_id"`
	PlanName    string              `json:"plan_name"`
	ServiceType catalog.ServiceType `json:"service_type"`
	Cycle       catalog.Cycle       `json:"cycle"`
	Currency    string              `json:"currency"`
	Options     Options             `json:"options"`
	Status      Status              `json:"status"`

	// Price is the plan's price per cycle; Discount comes off the first
	// period; tax is on what remains. Renewal is charged every later cycle.
	Price      int64  `json:"price"`
	CouponCode string `json:"coupon_code,omitempty"`
	Discount   int64  `json:"discount"`
	TaxName    string `json:"tax_name,omitempty"`
	TaxRateBP  int64  `json:"tax_rate_bp"`
	TaxNote    string `json:"tax_note,omitempty"`
	Tax        int64  `json:"tax"`
	Total      int64  `json:"total"`
	Renewal    int64  `json:"renewal"`
	TrialDays  int64  `json:"trial_days"`

	RequiresApproval bool   `json:"requires_approval"`
	StockReserved    bool   `json:"stock_reserved"`
	Gateway          string `json:"gateway"`
	CheckoutID       string `json:"checkout_id,omitempty"`
	CheckoutURL      string `json:"checkout_url,omitempty"`
	SubscriptionID   string `json:"subscription_id,omitempty"`

	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	PaidAt     *time.Time `json:"paid_at"`
	ApprovedBy string     `json:"approved_by,omitempty"`
	ClosedAt   *time.Time `json:"closed_at"`
	Note       string     `json:"note,omitempty"` // why it was cancelled
	UpdatedAt  time.Time  `json:"updated_at"`
	Version    int64      `json:"version"`
	// Claim is the hosting domain this order takes, written with it (not
	// part of the order's own record).
	Claim *DomainClaim `json:"-" dynamodbav:"-"`
}

// taxOn is the tax at rate (basis points) on net, rounded half up.
func taxOn(net, rateBP int64) int64 { return (net*rateBP + 5000) / 10000 }

// price fills the order's amounts from its price, discount and tax rate.
// Amounts are at most 10^12 and rates 10^4, so nothing overflows.
func (o *Order) price() {
	net := o.Price - o.Discount
	o.Tax = taxOn(net, o.TaxRateBP)
	o.Total = net + o.Tax
	o.Renewal = o.Price + taxOn(o.Price, o.TaxRateBP)
}
