package orders

import (
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/gateway"
)

// Subscription mirrors the gateway's subscription for one order.
type Subscription struct {
	ID                 string                     `json:"id"` // "sub_" + order id: derivable from any event
	OrderID            string                     `json:"order_id"`
	CustomerID         string                     `json:"customer_id"`
	PlanID             string                     `json:"plan_id"`
	PlanName           string                     `json:"plan_name"`
	Cycle              catalog.Cycle              `json:"cycle"`
	Currency           string                     `json:"currency"`
	Price              int64                      `json:"price"`  // per cycle, before tax
	Amount             int64                      `json:"amount"` // per cycle, tax included
	Gateway            string                     `json:"gateway"`
	GatewayID          string                     `json:"gateway_id"`
	Status             gateway.SubscriptionStatus `json:"status"`
	CurrentPeriodStart time.Time                  `json:"current_period_start"`
	CurrentPeriodEnd   time.Time                  `json:"current_period_end"`
	CancelAtPeriodEnd  bool                       `json:"cancel_at_period_end"`
	TrialEnd           *time.Time                 `json:"trial_end"`
	CancelledAt        *time.Time                 `json:"cancelled_at"`
	// EndRequested is how the customer (or staff for them) asked us to end
	// it: "now" or "period_end"; empty when nobody asked here, so an end
	// decided at the gateway is told apart (see KindEnded).
	EndRequested string `json:"end_requested,omitempty"`
	// ChangeInFlight is a plan change begun and not finished, at a
	// gateway that charges it as a bare payment (PayPal): that payment is
	// the change's, not a renewal's.
	ChangeInFlight string `json:"change_in_flight,omitempty"`
	// StateAt is the gateway time of the state mirrored; older events are
	// ignored so a late delivery never moves it backwards.
	StateAt time.Time `json:"state_at"`
	// PaidThrough is how far its service is paid (filled in from the
	// order's PaidThrough for reading, never stored here: one date, one place).
	PaidThrough *time.Time `json:"paid_through,omitempty"`
	// FeesDue is what late fees on it leave unpaid (filled in for reading
	// from the ledger), paid with Pay now.
	FeesDue int64 `json:"fees_due,omitempty"`
	// Capabilities are its gateway's (filled in for reading): what the
	// apps may offer on it.
	Capabilities *gateway.Capabilities `json:"capabilities,omitempty"`
	CreatedAt    time.Time             `json:"created_at"`
	UpdatedAt    time.Time             `json:"updated_at"`
	Version      int64                 `json:"version"`
}

// SubscriptionID is the subscription an order leads to.
func SubscriptionID(orderID string) string { return "sub_" + orderID }

// older reports whether a state reported at t is behind the mirrored one;
// cancelled is final.
func (sub *Subscription) older(t time.Time) bool {
	return sub.Status == gateway.SubCancelled || t.Before(sub.StateAt)
}

// tied reports whether g, reported in the same second as the mirrored
// state, says something else: gateways stamp events in whole seconds, so
// two changes in one second (a renewal and a cancellation) cannot be
// ordered by their events.
func (sub *Subscription) tied(status gateway.SubscriptionStatus, g *gateway.Subscription, t time.Time) bool {
	return t.Equal(sub.StateAt) && (status != sub.Status || !g.CurrentPeriodStart.Equal(sub.CurrentPeriodStart) ||
		!g.CurrentPeriodEnd.Equal(sub.CurrentPeriodEnd) || g.CancelAtPeriodEnd != sub.CancelAtPeriodEnd ||
		!sameTime(g.TrialEnd, sub.TrialEnd) || !sameTime(g.CancelledAt, sub.CancelledAt))
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// PaymentStatus is a ledger entry's outcome.
type PaymentStatus string

// Payment outcomes.
const (
	PaymentSucceeded PaymentStatus = "succeeded"
	PaymentFailed    PaymentStatus = "failed"
	// PaymentCredit is money owed to the customer kept as a balance (a
	// downgrade's credit beyond what could go back to the card); the
	// gateway applies it to the next invoices.
	PaymentCredit PaymentStatus = "credit"
	// PaymentCreditApplied is balance an invoice used up.
	PaymentCreditApplied PaymentStatus = "credit_applied"
)

// Payment is one entry in the payments ledger: a charge (with what has
// been refunded of it), a refund, or a failed attempt, with the gateway's
// ids.
type Payment struct {
	ID               string        `json:"id"` // gateway:charge id, or gateway:invoice id#attempt for failures
	CustomerID       string        `json:"customer_id"`
	OrderID          string        `json:"order_id"`
	Gateway          string        `json:"gateway"`
	GatewayChargeID  string        `json:"gateway_charge_id,omitempty"`
	GatewayInvoiceID string        `json:"gateway_invoice_id"`
	Status           PaymentStatus `json:"status"`
	Currency         string        `json:"currency"`
	Amount           int64         `json:"amount"`
	Refunded         int64         `json:"refunded"`
	FailureMessage   string        `json:"failure_message,omitempty"`
	// NextAttempt is when the gateway retries a failed charge (nil: it
	// has stopped retrying), as the failure reported it.
	NextAttempt *time.Time `json:"next_attempt,omitempty"`
	// LateFeeFor marks a late fee's payment: the unpaid invoice it is for.
	LateFeeFor string    `json:"late_fee_for,omitempty"`
	RefundOf   string    `json:"refund_of,omitempty"` // the payment a refund returns money from
	By         string    `json:"by,omitempty"`        // the staff member who refunded
	At         time.Time `json:"at"`
	Version    int64     `json:"version"`
}
