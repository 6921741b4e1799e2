// Package coupons provides discount codes: what they take off, where they
// apply, and redemptions that never exceed their limits.
package coupons

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/text"
)

// Kind is how a coupon discounts.
type Kind string

// Kinds.
const (
	Percent Kind = "percent" // PercentBP of the amount
	Fixed   Kind = "fixed"   // AmountsOff[currency], at most the amount
)

// Coupon is a discount code. Its terms are fixed once created (customers
// may hold a quote); staff may deactivate it, change its expiry or max uses.
// The omitempty storage tags keep NULLs out of the stored item, which the
// redemption transaction updates (the embedded emulator cannot update items
// holding NULLs).
type Coupon struct {
	Code        string           `json:"code"`
	Description string           `json:"description"`
	Kind        Kind             `json:"kind"`
	PercentBP   int64            `json:"percent_bp"`
	AmountsOff  map[string]int64 `json:"amounts_off" dynamodbav:",omitempty"`
	PlanIDs     []string         `json:"plan_ids" dynamodbav:",omitempty"` // empty: every plan
	MaxUses     int64            `json:"max_uses"`                         // 0: unlimited
	PerCustomer int64            `json:"per_customer"`                     // 0: unlimited
	ExpiresAt   *time.Time       `json:"expires_at" dynamodbav:",omitempty"`
	TrialDays   int64            `json:"trial_days"` // added to the plan's trial
	Active      bool             `json:"active"`
	Uses        int64            `json:"uses"` // redemptions so far
	CreatedAt   time.Time        `json:"created_at"`
	Version     int64            `json:"version"`
}

// Counted repetitions ({m,n}) compile to a program n states long at
// every cold start, so lengths are checked apart from the pattern.
var codeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]*$`)

// Normalize makes codes case-insensitive for customers.
func Normalize(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// Validate checks a new coupon's terms.
func (c *Coupon) Validate(now time.Time) error {
	f := apperr.FieldErrors{}
	if len(c.Code) < 3 || len(c.Code) > 32 || !codeRE.MatchString(c.Code) {
		f.Add("code", "must be 3-32 letters, digits, - or _")
	}
	if why := text.Problem(c.Description, 0, 200); why != "" {
		f.Add("description", why)
	}
	switch c.Kind {
	case Percent:
		if c.PercentBP < 1 || c.PercentBP > 10000 {
			f.Add("percent_bp", "must be 1 to 10000 basis points (0.01 % to 100 %)")
		}
		if len(c.AmountsOff) > 0 {
			f.Add("amounts_off", "only for fixed-amount coupons")
		}
	case Fixed:
		if len(c.AmountsOff) == 0 {
			f.Add("amounts_off", "give the amount off in at least one currency")
		}
		for cur, a := range c.AmountsOff {
			if !money.Supported(cur) {
				f.Add("amounts_off."+cur, "is not a supported currency")
			} else if a < 1 || a > 1_000_000_00 {
				f.Add("amounts_off."+cur, "must be between 1 and 100000000 minor units")
			}
		}
		if c.PercentBP != 0 {
			f.Add("percent_bp", "only for percentage coupons")
		}
	default:
		f.Add("kind", "must be percent or fixed")
	}
	c.validateLimits(f, now)
	if c.TrialDays < 0 || c.TrialDays > 365 {
		f.Add("trial_days", "must be 0 to 365")
	}
	if len(c.PlanIDs) > 100 {
		f.Add("plan_ids", "at most 100 plans")
	}
	return f.Err()
}

func (c *Coupon) validateLimits(f apperr.FieldErrors, now time.Time) {
	if c.MaxUses < 0 || c.MaxUses > 1_000_000_000 {
		f.Add("max_uses", "must be 0 (unlimited) to 1000000000")
	}
	if c.PerCustomer < 0 || c.PerCustomer > 1000 {
		f.Add("per_customer", "must be 0 (unlimited) to 1000")
	}
	if c.ExpiresAt != nil && !c.ExpiresAt.After(now) {
		f.Add("expires_at", "must be in the future")
	}
}

// Quote is what a coupon does to one price.
type Quote struct {
	Code      string `json:"code"`
	Currency  string `json:"currency"`
	Amount    int64  `json:"amount"`   // before the discount
	Discount  int64  `json:"discount"` // taken off
	Total     int64  `json:"total"`    // after
	TrialDays int64  `json:"trial_days"`
}

// refuse is the error a customer sees for an unusable code.
func refuse(format string, args ...any) error {
	return apperr.Validation(map[string]string{"code": fmt.Sprintf(format, args...)})
}

// Apply quotes the coupon on amount (minor units of currency) for plan,
// given how often this customer has used it, or says why it cannot be used.
func (c *Coupon) Apply(planID, currency string, amount, customerUses int64, now time.Time) (Quote, error) {
	switch {
	case !c.Active:
		return Quote{}, refuse("this coupon is no longer active")
	case c.ExpiresAt != nil && !now.Before(*c.ExpiresAt):
		return Quote{}, refuse("this coupon expired on %s", c.ExpiresAt.UTC().Format("2 January 2006"))
	case c.MaxUses > 0 && c.Uses >= c.MaxUses:
		return Quote{}, refuse("this coupon has been used up")
	case c.PerCustomer > 0 && customerUses >= c.PerCustomer:
		return Quote{}, refuse("you have already used this coupon")
	case len(c.PlanIDs) > 0 && !slices.Contains(c.PlanIDs, planID):
		return Quote{}, refuse("this coupon does not apply to this plan")
	}
	q := Quote{Code: c.Code, Currency: currency, Amount: amount, TrialDays: c.TrialDays}
	if c.Kind == Percent {
		// Half up, in integers: amount ≤ 1e12 and bp ≤ 1e4 cannot overflow.
		q.Discount = (amount*c.PercentBP + 5000) / 10000
	} else {
		off, ok := c.AmountsOff[currency]
		if !ok {
			return Quote{}, refuse("this coupon cannot be used with %s", currency)
		}
		q.Discount = min(off, amount)
	}
	q.Total = amount - q.Discount
	return q, nil
}

// Redemption is one use of a coupon, keyed by the order it discounted so a
// retried checkout counts once.
type Redemption struct {
	Code       string    `json:"code"`
	CustomerID string    `json:"customer_id"`
	OrderID    string    `json:"order_id"`
	Discount   int64     `json:"discount"`
	Currency   string    `json:"currency"`
	At         time.Time `json:"at"`
}

// Store keeps coupons and counts redemptions atomically.
type Store interface {
	CreateCoupon(ctx context.Context, c *Coupon) error // apperr.Conflict if the code exists
	GetCoupon(ctx context.Context, code string) (*Coupon, error)
	ListCoupons(ctx context.Context) ([]Coupon, error)
	UpdateCoupon(ctx context.Context, code string, fn func(*Coupon) error) (*Coupon, error)
	CustomerUses(ctx context.Context, code, customerID string) (int64, error)
	GetRedemption(ctx context.Context, code, orderID string) (*Redemption, error) // apperr.NotFound
	// Redeem records r and counts it against terms' MaxUses and
	// PerCustomer (0: unlimited) in one transaction, provided the coupon is
	// still at terms.Version. ErrExhausted / ErrCustomerLimit when a limit
	// is reached, ErrChanged when staff edited it meanwhile; nil when r's
	// order was already counted.
	Redeem(ctx context.Context, r Redemption, terms *Coupon) error
}
