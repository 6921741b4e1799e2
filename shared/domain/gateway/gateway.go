// Package gateway is what billing needs from a payment provider (Stripe,
// PayPal), in our own terms: no vendor types cross it.
package gateway

import (
	"context"
	"errors"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Customer is who pays, as the gateway should know them.
type Customer struct {
	UserID string // ours; the gateway keeps it as metadata and idempotency key
	Email  string
	Name   string
	// Replaces names a customer id the gateway no longer knows (deleted, or
	// the keys were switched to another account): a new customer is made.
	Replaces string
}

// ErrUnknownCustomer is in the chain of an error when the gateway does not
// know the customer id a call named (it was deleted, or the keys belong to
// another account). Callers may replace the customer and try again.
var ErrUnknownCustomer = errors.New("the payment provider does not know this customer")

// CheckoutInput is one hosted checkout for a subscription. Amounts are
// ours, tax included: the gateway charges exactly what our invoice says.
type CheckoutInput struct {
	OrderID string // ours: reference and idempotency key
	PlanID  string // ours: gateways with a catalog keep a billing plan per plan and price
	// ServiceType is the product line (vps, dedicated…): PayPal keeps one
	// catalog product per line, as it revises a subscription only to
	// another plan of the same product.
	ServiceType       string
	GatewayCustomerID string
	Product           string // what the customer sees, e.g. "VPS Starter (monthly)"
	Currency          string // ISO 4217, upper case
	// Amount is charged every period; FirstDiscount comes off the first one.
	Amount        int64
	FirstDiscount int64
	// Interval is "month" or "year"; IntervalCount periods make one cycle.
	Interval      string
	IntervalCount int64
	SuccessURL    string
	CancelURL     string
	TrialDays     int64
	ExpiresAt     time.Time // when an unpaid session lapses (stock is released then)
}

// CancelInput ends a subscription now or at the end of its period.
type CancelInput struct {
	SubscriptionID string // the gateway's
	AtPeriodEnd    bool
	Feedback       string // one of Feedbacks, or empty
	Comment        string
	// Key makes a retried request a replay, not a second change; derive it
	// from our subscription id and its version.
	Key string
}

// Feedbacks are the cancellation reasons gateways understand (Stripe's).
var Feedbacks = []string{"too_expensive", "missing_features", "switched_service", "unused", "customer_service", "too_complex", "low_quality", "other"}

// RefundInput returns money from a charge.
type RefundInput struct {
	ChargeID string
	Amount   int64  // minor units, at most what is left of the charge
	Reason   string // duplicate, fraudulent, requested_by_customer, or empty
	Key      string // our refund id: a retry refunds once
	By       string // the staff member, kept with the refund at the gateway
}

// CreditInput adds to a customer's credit balance at the gateway, which
// the gateway applies to the customer's next invoices before charging.
type CreditInput struct {
	GatewayCustomerID string
	Currency          string // upper case
	Amount            int64  // minor units, positive
	Description       string
	Key               string // our id for the credit: a retry credits once
}

// Refund is one refund of a charge as the gateway has it (ours and those
// made in the gateway's own dashboard).
type Refund struct {
	ID      string
	Amount  int64
	By      string // the staff member who asked us for it; empty when made elsewhere
	Created time.Time
}

// Checkout is a created hosted checkout.
type Checkout struct {
	ID  string
	URL string
}

// ErrNothingDue means a subscription has no open invoice to pay.
var ErrNothingDue = apperr.New(apperr.Conflict, "nothing is due on this subscription")

// ErrSignature means a webhook was forged, altered or replayed too late.
var ErrSignature = errors.New("webhook signature is invalid or stale")

// Capabilities are what a gateway can do beyond the core every gateway
// has (a hosted checkout, webhooks, cancellation, refunds). The API and
// both apps offer only what the gateway owning a subscription declares.
type Capabilities struct {
	// SavedCards: cards saved without paying, charged on demand (one-click
	// checkout, a default card, "pay with another card").
	SavedCards bool `json:"saved_cards"`
	// PlanChangeNow: a plan change charged or credited at once with our
	// proration.
	PlanChangeNow bool `json:"plan_change_now"`
	// PayNow: an open invoice charged when the customer asks.
	PayNow bool `json:"pay_now"`
	// LateFees: a fee invoiced on its own (FeeCharger).
	LateFees bool `json:"late_fees"`
	// PeriodEndCancel: the gateway ends a subscription at its period's
	// end by itself and takes the request back until then. Without it
	// (PayPal cancels at once only) billing keeps the request and cancels
	// at the gateway just before the period ends.
	PeriodEndCancel bool `json:"period_end_cancel"`
	// Invoices: the gateway issues an invoice per period, with the period
	// on it. Without (PayPal) payments and failures come bare, and billing
	// places each in the period its time falls in.
	Invoices bool `json:"invoices"`
	// CheckoutExpires: the hosted checkout lapses by itself and says so
	// (Stripe's checkout.session.expired). Without, the checkout's id is
	// the subscription the buyer approves, and billing expires an order
	// still unapproved when its time is up.
	CheckoutExpires bool `json:"checkout_expires"`
	// PlanChangeConsent: a new price needs the buyer's consent at the
	// gateway (PayPal's revise). The change waits for it (Consenter), and
	// only then charges the difference and takes effect.
	PlanChangeConsent bool `json:"plan_change_consent"`
}

// Consenter is a gateway whose new prices need the buyer's consent.
type Consenter interface {
	// RequestConsent asks for the new price from the next cycle and
	// returns where the buyer consents and how the gateway will name the
	// new plan on the subscription once they have (Subscription.PlanRef).
	RequestConsent(ctx context.Context, in ChangeInput) (Consent, error)
}

// Consent is a pending request for the buyer's consent.
type Consent struct {
	URL     string
	PlanRef string
}

// Gateway is one payment provider.
type Gateway interface {
	Name() string
	// Capabilities says what it can do beyond the core.
	Capabilities() Capabilities
	// EnsureCustomer returns the gateway customer for c, creating it once.
	EnsureCustomer(ctx context.Context, c Customer) (string, error)
	// CreateCheckout starts a hosted checkout; repeating it for the same
	// order returns the same session.
	CreateCheckout(ctx context.Context, in CheckoutInput) (*Checkout, error)
	// ParseWebhook verifies a delivery and decodes its event, named with
	// the gateway (ErrSignature when it does not verify; a verification
	// the gateway could not answer is apperr.Unavailable, to be retried).
	ParseWebhook(ctx context.Context, d Delivery) (*Event, error)
	// CancelSubscription ends a subscription now or at its period end.
	CancelSubscription(ctx context.Context, in CancelInput) error
	// ResumeSubscription withdraws a cancellation at period end.
	ResumeSubscription(ctx context.Context, subscriptionID, key string) error
	// PayOpenInvoice charges a subscription's open invoice now, with
	// paymentMethod or (empty) its default payment method (the customer's
	// "pay now"); it returns the invoice paid. ErrNothingDue when no
	// invoice is open; a decline is apperr.Invalid with the bank's words.
	PayOpenInvoice(ctx context.Context, subscriptionID, paymentMethod, key string) (string, error)
	// PayInvoice charges one open invoice now, after checking at the
	// gateway that it is the subscription's and the customer's (the
	// customer's "pay this invoice"). ErrNothingDue when it is paid or
	// void already; a decline is apperr.Invalid with the bank's words.
	PayInvoice(ctx context.Context, in PayInvoiceInput) error
	// Subscription is the subscription as the gateway has it now: the
	// source of truth when two events cannot be ordered.
	Subscription(ctx context.Context, subscriptionID string) (*Subscription, error)
	// Refund returns the gateway's refund id.
	Refund(ctx context.Context, in RefundInput) (string, error)
	// ChargeRefunds lists a charge's refunds, oldest first.
	ChargeRefunds(ctx context.Context, chargeID string) ([]Refund, error)
	// CreditBalance adds in.Amount to the customer's balance, used on
	// their next invoices; it returns the gateway's transaction id.
	CreditBalance(ctx context.Context, in CreditInput) (string, error)
	// SetupPaymentMethod opens a hosted page where the customer saves a
	// card without paying (Stripe: Checkout in setup mode, a SetupIntent).
	SetupPaymentMethod(ctx context.Context, in SetupInput) (*Checkout, error)
	// SetDefaultPaymentMethod makes pm the customer's default and the one
	// the listed subscriptions charge.
	SetDefaultPaymentMethod(ctx context.Context, customerID, pm string, subscriptionIDs []string) error
	// DetachPaymentMethod removes a saved payment method.
	DetachPaymentMethod(ctx context.Context, pm string) error
	// StartSubscription subscribes a customer with a saved card, charging
	// the first period at once (no hosted page); a decline creates nothing.
	// Repeating it for the same order returns the same subscription.
	StartSubscription(ctx context.Context, in CheckoutInput, paymentMethodID string) (string, error)
	// ChangeSubscription charges in.Charge at once (when positive) and
	// then moves the subscription to the new price without the gateway's
	// own proration; it returns the gateway invoice of the charge.
	ChangeSubscription(ctx context.Context, in ChangeInput) (string, error)
}

// ChangeInput is a plan change priced by us.
type ChangeInput struct {
	ChangeID          string // ours: idempotency keys and invoice metadata
	SubscriptionID    string
	GatewayCustomerID string
	Currency          string
	Product           string // the new plan, as the customer sees it
	PlanName          string // the new plan's name
	ServiceType       string // the product line
	// ReturnURL and CancelURL are where a consent page sends the buyer.
	ReturnURL, CancelURL string
	// Since is when the change was priced: a charge made since then by an
	// attempt that did not record it is this change's.
	Since         time.Time
	Amount        int64 // the new price per period, tax included
	Interval      string
	IntervalCount int64
	Charge        int64  // charged now, tax included; 0 for none
	Description   string // the charge's line
}

// PayInvoiceInput names one open invoice and whose it must be.
type PayInvoiceInput struct {
	InvoiceID         string
	SubscriptionID    string // the gateway's
	GatewayCustomerID string
	PaymentMethod     string // empty: the subscription's default
	Key               string
}

// FeeInput is a late fee on an unpaid invoice, invoiced on its own with
// the subscription's customer (a finalized invoice cannot grow).
type FeeInput struct {
	// Key is ours, derived from the unpaid invoice: the gateway's objects
	// carry it, so a repeat — even days later, past the gateway's own
	// idempotency window — finds the fee made before instead of a second.
	Key               string
	SubscriptionID    string
	GatewayCustomerID string
	OrderID           string
	Currency          string
	Net               int64 // before tax
	Amount            int64 // charged: Net with the invoice's tax
	Description       string
	For               string // the unpaid gateway invoice
}

// FeeCharger is a gateway that can invoice a late fee. ChargeFee returns
// the fee's gateway invoice; it tries the subscription's payment method
// once, and a decline leaves the fee open (not an error): the customer
// pays it with the renewal.
type FeeCharger interface {
	ChargeFee(ctx context.Context, in FeeInput) (string, error)
}

// UsageBiller is a gateway that can add a charge to a subscription's
// next invoice (Stripe: a pending invoice item), as usage beyond the
// plan is billed. AddToNextInvoice answers the item's id; a repeat with
// the same Key finds the item made before instead of adding a second.
type UsageBiller interface {
	AddToNextInvoice(ctx context.Context, in FeeInput) (string, error)
}

// SetupInput is one hosted "save a card" page.
type SetupInput struct {
	GatewayCustomerID string
	Currency          string
	SuccessURL        string
	CancelURL         string
	Key               string
}

// Delivery is one webhook request as received: the raw body (verified
// byte for byte) and its headers, names in lower case.
type Delivery struct {
	Body   []byte
	Header map[string]string
}

// Unconfigured stands in when no gateway is configured: every call says
// payments are unavailable, and webhooks never verify.
type Unconfigured struct{ Provider string }

var errUnconfigured = apperr.New(apperr.Unavailable, "payments are not configured on this installation")

// Name implements Gateway.
func (u Unconfigured) Name() string { return u.Provider }

// Capabilities implements Gateway: none.
func (Unconfigured) Capabilities() Capabilities { return Capabilities{} }

// EnsureCustomer implements Gateway.
func (Unconfigured) EnsureCustomer(context.Context, Customer) (string, error) {
	return "", errUnconfigured
}

// CreateCheckout implements Gateway.
func (Unconfigured) CreateCheckout(context.Context, CheckoutInput) (*Checkout, error) {
	return nil, errUnconfigured
}

// ParseWebhook implements Gateway.
func (Unconfigured) ParseWebhook(context.Context, Delivery) (*Event, error) { return nil, ErrSignature }

// CancelSubscription implements Gateway.
func (Unconfigured) CancelSubscription(context.Context, CancelInput) error { return errUnconfigured }

// ResumeSubscription implements Gateway.
func (Unconfigured) ResumeSubscription(context.Context, string, string) error { return errUnconfigured }

// PayOpenInvoice implements Gateway.
func (Unconfigured) PayOpenInvoice(context.Context, string, string, string) (string, error) {
	return "", errUnconfigured
}

// PayInvoice implements Gateway.
func (Unconfigured) PayInvoice(context.Context, PayInvoiceInput) error { return errUnconfigured }

// Subscription implements Gateway.
func (Unconfigured) Subscription(context.Context, string) (*Subscription, error) {
	return nil, errUnconfigured
}

// Refund implements Gateway.
func (Unconfigured) Refund(context.Context, RefundInput) (string, error) { return "", errUnconfigured }

// ChargeRefunds implements Gateway.
func (Unconfigured) ChargeRefunds(context.Context, string) ([]Refund, error) {
	return nil, errUnconfigured
}

// CreditBalance implements Gateway.
func (Unconfigured) CreditBalance(context.Context, CreditInput) (string, error) {
	return "", errUnconfigured
}

// SetupPaymentMethod implements Gateway.
func (Unconfigured) SetupPaymentMethod(context.Context, SetupInput) (*Checkout, error) {
	return nil, errUnconfigured
}

// SetDefaultPaymentMethod implements Gateway.
func (Unconfigured) SetDefaultPaymentMethod(context.Context, string, string, []string) error {
	return errUnconfigured
}

// DetachPaymentMethod implements Gateway.
func (Unconfigured) DetachPaymentMethod(context.Context, string) error { return errUnconfigured }

// StartSubscription implements Gateway.
func (Unconfigured) StartSubscription(context.Context, CheckoutInput, string) (string, error) {
	return "", errUnconfigured
}

// ChangeSubscription implements Gateway.
func (Unconfigured) ChangeSubscription(context.Context, ChangeInput) (string, error) {
	return "", errUnconfigured
}
