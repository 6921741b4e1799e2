package gateway

import "time"

// Kind is what a webhook event means to us, whatever the gateway calls it.
type Kind string

// Event kinds billing acts on; anything else is Other (acknowledged, ignored).
const (
	CheckoutCompleted     Kind = "checkout.completed"
	CheckoutExpired       Kind = "checkout.expired"
	InvoiceFinalized      Kind = "invoice.finalized"
	InvoicePaid           Kind = "invoice.paid"
	InvoicePaymentFailed  Kind = "invoice.payment_failed"
	InvoiceVoided         Kind = "invoice.voided"
	SubscriptionCreated   Kind = "subscription.created"
	SubscriptionUpdated   Kind = "subscription.updated"
	SubscriptionDeleted   Kind = "subscription.deleted"
	ChargeRefunded        Kind = "charge.refunded"
	PaymentMethodAttached Kind = "payment_method.attached"
	PaymentMethodDetached Kind = "payment_method.detached"
	// A payment, or a failed one, on a subscription at a gateway that
	// bills without invoices (PayPal): billing decides the period it is for.
	SubscriptionPaid          Kind = "subscription.paid"
	SubscriptionPaymentFailed Kind = "subscription.payment_failed"
	Other                     Kind = "other"
)

// Event is a verified webhook event, decoded into our terms. Exactly one of
// the object fields is set for the kinds above.
type Event struct {
	Gateway  string    // the gateway's name (set by the adapter that parsed it)
	ID       string    // the gateway's event id: the dedupe key
	Type     string    // the gateway's own name, e.g. checkout.session.completed
	Kind     Kind      // what it means to us
	Created  time.Time // orders events of one object
	ObjectID string    // the id of the object the event is about

	Checkout      *CheckoutSession
	Invoice       *Invoice
	Subscription  *Subscription
	Charge        *Charge
	PaymentMethod *PaymentMethod
	Payment       *SubscriptionPayment
}

// SubscriptionPayment is a payment (or a failed one) on a subscription at
// a gateway without invoices.
type SubscriptionPayment struct {
	ID             string // the gateway's payment (PayPal: the sale); empty for a failure
	SubscriptionID string
	OrderID        string
	Currency       string
	Amount         int64
	At             time.Time
	// Started is when the subscription's billing began: its periods count
	// from it, so a payment or failure is placed by its own time, in
	// whatever order the events arrive.
	Started time.Time
	// Attempt counts the failed payments in a row (failures only).
	Attempt        int64
	NextAttempt    *time.Time
	FailureMessage string
}

// CheckoutSession is a hosted checkout's outcome.
type CheckoutSession struct {
	ID             string
	OrderID        string // our reference
	CustomerID     string // the gateway's
	SubscriptionID string
	Paid           bool
}

// Invoice is a gateway invoice (the first and every renewal charge).
type Invoice struct {
	ID       string
	OrderID  string // from the subscription's metadata
	ChangeID string // set on the charge for a plan change
	// LateFeeFor is set on a late fee's invoice: the unpaid invoice it is
	// for; LateFeeNet is the fee before tax.
	LateFeeFor     string
	LateFeeNet     int64
	SubscriptionID string
	CustomerID     string
	Currency       string // upper case
	Total          int64
	AmountPaid     int64
	// CreditApplied is what the customer's credit balance paid of Total
	// (Total = AmountPaid + CreditApplied when paid).
	CreditApplied  int64
	ChargeID       string // the payment; empty until paid
	Reason         string // why it was made: ReasonFirst, ReasonRenewal, ReasonChange, ReasonOther
	PeriodStart    time.Time
	PeriodEnd      time.Time
	AttemptCount   int64
	NextAttempt    *time.Time
	FailureMessage string
	// Items are charges we added to the invoice beside the subscription
	// (bandwidth overage), each with its amount before tax.
	Items []InvoiceItem
}

// InvoiceItem is one charge we added to a subscription's invoice.
type InvoiceItem struct {
	Key         string // ours (the bandwidth cycle's)
	Description string
	Net         int64 // before tax
	Amount      int64 // charged, tax included
}

// Why an invoice was made, in our words (each adapter maps its own).
const (
	ReasonFirst   = "first"   // a subscription's first period
	ReasonRenewal = "renewal" // a later period
	ReasonChange  = "change"  // a plan change's charge
	ReasonOther   = "other"   // anything else: a late fee, a one-off
)

// SubscriptionStatus is a subscription's state, in our words.
type SubscriptionStatus string

// Subscription states.
const (
	SubIncomplete SubscriptionStatus = "incomplete"
	SubTrialing   SubscriptionStatus = "trialing"
	SubActive     SubscriptionStatus = "active"
	SubPastDue    SubscriptionStatus = "past_due"
	SubPaused     SubscriptionStatus = "paused"
	SubCancelled  SubscriptionStatus = "cancelled"
)

// Subscription is a gateway subscription's state at the event.
type Subscription struct {
	ID                 string
	OrderID            string
	CustomerID         string
	Status             SubscriptionStatus
	CurrentPeriodStart time.Time
	CurrentPeriodEnd   time.Time
	CancelAtPeriodEnd  bool
	TrialEnd           *time.Time
	CancelledAt        *time.Time
	// StartedAt is when its billing began (PayPal's start_time).
	StartedAt time.Time
	// PlanRef is the gateway's plan the subscription bills (PayPal's
	// plan_id): a change's consent shows as the new one.
	PlanRef string
	// Approved: the buyer approved it on the gateway's own page, with no
	// checkout session to report it (PayPal). When nothing was due at the
	// start (a free trial) this, verified, is what pays the order.
	Approved bool
}

// Charge is a payment, with what has been refunded of it.
type Charge struct {
	ID             string
	InvoiceID      string
	CustomerID     string
	Currency       string
	Amount         int64
	AmountRefunded int64
	// Refunds, when set, are the refunds the event itself reports (PayPal
	// sends one event per refund and lists none): applied as they are,
	// with AmountRefunded unknown.
	Refunds []Refund
}

// PaymentMethod is a saved card or the like; never the number.
type PaymentMethod struct {
	ID         string
	CustomerID string // empty once detached
	Brand      string
	Last4      string
	ExpMonth   int64
	ExpYear    int64
}
