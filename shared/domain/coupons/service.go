package coupons

import (
	"context"
	"errors"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Limits reached at redemption (the check passed, but a concurrent
// checkout took the last use).
var (
	ErrExhausted     = refuse("this coupon has been used up")
	ErrCustomerLimit = refuse("you have already used this coupon")
	// ErrChanged: staff edited the coupon between check and redemption, or
	// a concurrent transaction won; checking again is safe.
	ErrChanged = apperr.New(apperr.Conflict, "the coupon changed while redeeming it; try again")
)

// Service is coupons' use cases.
type Service struct {
	store Store
	clock clock.Clock
}

// NewService returns a Service.
func NewService(store Store, clk clock.Clock) *Service { return &Service{store: store, clock: clk} }

// Create adds a coupon (active, no uses).
func (s *Service) Create(ctx context.Context, c Coupon) (*Coupon, error) {
	c.Code = Normalize(c.Code)
	now := s.clock.Now()
	if err := c.Validate(now); err != nil {
		return nil, err
	}
	c.Active, c.Uses, c.CreatedAt, c.Version = true, 0, now, 1
	if c.PlanIDs == nil {
		c.PlanIDs = []string{}
	}
	if err := s.store.CreateCoupon(ctx, &c); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.Validation(map[string]string{"code": "a coupon with this code exists"})
		}
		return nil, err
	}
	return &c, nil
}

// Changes are what staff may change on an existing coupon.
type Changes struct {
	Active    *bool      `json:"active"`
	MaxUses   *int64     `json:"max_uses"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// Update applies changes.
func (s *Service) Update(ctx context.Context, code string, ch Changes) (*Coupon, error) {
	return s.store.UpdateCoupon(ctx, Normalize(code), func(c *Coupon) error {
		if ch.Active != nil {
			c.Active = *ch.Active
		}
		if ch.MaxUses != nil {
			c.MaxUses = *ch.MaxUses
		}
		if ch.ExpiresAt != nil {
			c.ExpiresAt = ch.ExpiresAt
		}
		f := apperr.FieldErrors{}
		c.validateLimits(f, s.clock.Now())
		return f.Err()
	})
}

// Get returns a coupon with its use count.
func (s *Service) Get(ctx context.Context, code string) (*Coupon, error) {
	return s.store.GetCoupon(ctx, Normalize(code))
}

// List returns every coupon.
func (s *Service) List(ctx context.Context) ([]Coupon, error) { return s.store.ListCoupons(ctx) }

// Check quotes code for a customer buying plan at amount, or says why not
// (a field error on "code" the customer can read).
func (s *Service) Check(ctx context.Context, code, customerID, planID, currency string, amount int64) (*Coupon, Quote, error) {
	c, err := s.store.GetCoupon(ctx, Normalize(code))
	if apperr.Is(err, apperr.NotFound) {
		return nil, Quote{}, refuse("no such coupon")
	}
	if err != nil {
		return nil, Quote{}, err
	}
	uses, err := s.store.CustomerUses(ctx, c.Code, customerID)
	if err != nil {
		return nil, Quote{}, err
	}
	q, err := c.Apply(planID, currency, amount, uses, s.clock.Now())
	return c, q, err
}

// Redeem checks code again and records its use for order, atomically
// against the coupon's limits; redeeming the same order again is a no-op.
func (s *Service) Redeem(ctx context.Context, code, customerID, orderID, planID, currency string, amount int64) (Quote, error) {
	code = Normalize(code)
	if done, err := s.store.GetRedemption(ctx, code, orderID); err == nil {
		return Quote{Code: code, Currency: done.Currency, Amount: amount, Discount: done.Discount, Total: amount - done.Discount}, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return Quote{}, err
	}
	// An edit or a contended transaction between check and redemption: check again.
	for attempt := 1; ; attempt++ {
		c, q, err := s.Check(ctx, code, customerID, planID, currency, amount)
		if err != nil {
			return Quote{}, err
		}
		r := Redemption{Code: c.Code, CustomerID: customerID, OrderID: orderID, Discount: q.Discount, Currency: currency, At: s.clock.Now()}
		err = s.store.Redeem(ctx, r, c)
		if errors.Is(err, ErrChanged) && attempt < 5 {
			continue
		}
		if err != nil {
			return Quote{}, err
		}
		return q, nil
	}
}
