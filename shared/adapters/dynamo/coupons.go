package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Coupons stores coupons in one partition per code:
//
//	coupon      PK=COUPON#<code>  SK=COUPON        GSI2PK=COUPONS  GSI2SK=<code>
//	use count   PK=COUPON#<code>  SK=USES          uses=<n>  (GSI2 as above, SK <code>#uses)
//	per person  PK=COUPON#<code>  SK=CUST#<id>     count=<n>
//	redemption  PK=COUPON#<code>  SK=ORDER#<order>
//
// The count lives apart from the coupon so staff edits (versioned) never
// overwrite a concurrent redemption's increment.
type Coupons struct{ t *Table }

var _ coupons.Store = (*Coupons)(nil)

// NewCoupons returns the coupon store on t.
func NewCoupons(t *Table) *Coupons { return &Coupons{t: t} }

type couponRecord struct {
	Item
	couponData
}

// usesRecord is a coupon's redemption count (SK USES).
type usesRecord struct {
	Item
	Uses int64 `dynamodbav:"uses" v1:"Uses"`
}

// customerUsesRecord is one customer's redemption count (SK CUST#<id>).
type customerUsesRecord struct {
	Item
	Count int64 `dynamodbav:"count"`
}

type redemptionRecord struct {
	Item
	redemptionData
}

func couponPK(code string) string { return "COUPON#" + code }

func (r *couponRecord) coupon() coupons.Coupon {
	c := r.couponData.value()
	c.Version = r.Item.Version
	if c.PlanIDs == nil { // stored empty lists read back as null
		c.PlanIDs = []string{}
	}
	return c
}

// CreateCoupon implements coupons.Store.
func (s *Coupons) CreateCoupon(ctx context.Context, c *coupons.Coupon) error {
	rec := &couponRecord{Item: Item{PK: couponPK(c.Code), SK: "COUPON", Type: "coupon", Version: 1, GSI2PK: "COUPONS", GSI2SK: c.Code}, couponData: couponDataOf(*c)}
	if len(rec.PlanIDs) == 0 {
		rec.PlanIDs = nil // stored absent, not as an empty list or NULL
	}
	uses := &usesRecord{Item: Item{PK: couponPK(c.Code), SK: "USES", Type: "coupon_uses", GSI2PK: "COUPONS", GSI2SK: c.Code + "#uses"}}
	err := s.t.Transact(ctx, Create(rec), Create(uses))
	if err != nil {
		return fmt.Errorf("create coupon %s: %w", c.Code, err)
	}
	return nil
}

// GetCoupon implements coupons.Store (two reads: the coupon and its count).
func (s *Coupons) GetCoupon(ctx context.Context, code string) (*coupons.Coupon, error) {
	var rec couponRecord
	if err := s.t.Get(ctx, Key{PK: couponPK(code), SK: "COUPON"}, &rec); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "coupon %s not found", code)
		}
		return nil, fmt.Errorf("get coupon %s: %w", code, err)
	}
	var uses usesRecord
	if err := s.t.Get(ctx, Key{PK: couponPK(code), SK: "USES"}, &uses); err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, fmt.Errorf("get coupon %s uses: %w", code, err)
	}
	c := rec.coupon()
	c.Uses = uses.Uses
	return &c, nil
}

// ListCoupons implements coupons.Store.
func (s *Coupons) ListCoupons(ctx context.Context) ([]coupons.Coupon, error) {
	// The query returns coupons and their counts; either decodes into this.
	type couponOrUses struct {
		couponRecord
		Uses int64 `dynamodbav:"uses"`
	}
	recs, err := QueryAll[couponOrUses](ctx, s.t, Query{Index: GSI2, PK: "COUPONS"}, 10000)
	if err != nil {
		return nil, fmt.Errorf("list coupons: %w", err)
	}
	// Sorted by GSI2SK, so each coupon comes right before its count.
	out := make([]coupons.Coupon, 0, len(recs)/2)
	for _, r := range recs {
		switch r.Type {
		case "coupon":
			out = append(out, r.coupon())
		case "coupon_uses":
			if n := len(out); n > 0 && out[n-1].Code+"#uses" == r.GSI2SK {
				out[n-1].Uses = r.Uses
			}
		}
	}
	return out, nil
}

// UpdateCoupon implements coupons.Store.
func (s *Coupons) UpdateCoupon(ctx context.Context, code string, fn func(*coupons.Coupon) error) (*coupons.Coupon, error) {
	_, err := Update(ctx, s.t, Key{PK: couponPK(code), SK: "COUPON"}, func(r *couponRecord) ([]Op, error) {
		c := r.coupon()
		if err := fn(&c); err != nil {
			return nil, err
		}
		r.couponData = couponDataOf(c)
		if len(r.PlanIDs) == 0 {
			r.PlanIDs = nil
		}
		return nil, nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.NotFound, "coupon %s not found", code)
	}
	if err != nil {
		return nil, err
	}
	return s.GetCoupon(ctx, code)
}

// CustomerUses implements coupons.Store.
func (s *Coupons) CustomerUses(ctx context.Context, code, customerID string) (int64, error) {
	var r customerUsesRecord
	err := s.t.Get(ctx, Key{PK: couponPK(code), SK: "CUST#" + customerID}, &r)
	if apperr.Is(err, apperr.NotFound) {
		return 0, nil
	}
	return r.Count, err
}

// GetRedemption implements coupons.Store.
func (s *Coupons) GetRedemption(ctx context.Context, code, orderID string) (*coupons.Redemption, error) {
	var r redemptionRecord
	if err := s.t.Get(ctx, Key{PK: couponPK(code), SK: "ORDER#" + orderID}, &r); err != nil {
		return nil, err
	}
	red := r.redemptionData.value()
	return &red, nil
}

// Redeem implements coupons.Store: the total and the customer's count move
// only together with a new redemption record, or not at all, and only if
// the coupon is still the one the limits were read from.
func (s *Coupons) Redeem(ctx context.Context, r coupons.Redemption, terms *coupons.Coupon) error {
	err := s.t.Transact(ctx, redeemOps(r, terms)...)
	if err := redeemError(err, 0); err != nil {
		return fmt.Errorf("redeem coupon %s for %s: %w", r.Code, r.OrderID, err)
	}
	return nil
}

// redeemOps are a redemption's writes, for this store's transaction or
// one that also creates the order it discounts.
func redeemOps(r coupons.Redemption, terms *coupons.Coupon) []Op {
	limit := terms.MaxUses
	if limit == 0 {
		limit = math.MaxInt64 / 2
	}
	rec := &redemptionRecord{Item: Item{PK: couponPK(r.Code), SK: "ORDER#" + r.OrderID, Type: "coupon_redemption", Version: 1}, redemptionData: redemptionDataOf(r)}
	return []Op{
		Add(Key{PK: couponPK(r.Code), SK: "USES"}, "uses", 1, 0, limit),
		Tally(Key{PK: couponPK(r.Code), SK: "CUST#" + r.CustomerID}, "count", "coupon_customer_uses", terms.PerCustomer),
		Create(rec),
		Unchanged(Key{PK: couponPK(r.Code), SK: "COUPON"}, terms.Version),
	}
}

// redeemError maps a failure of redeemOps placed at offset in a transaction.
func redeemError(err error, offset int) error {
	if c, ok := errors.AsType[*TxConflict](err); ok {
		switch {
		case c.FailedAt(offset + 2):
			return nil // this order was counted already
		case c.FailedAt(offset + 0):
			return coupons.ErrExhausted
		case c.FailedAt(offset + 1):
			return coupons.ErrCustomerLimit
		case c.FailedAt(offset + 3):
			return coupons.ErrChanged
		}
	}
	if apperr.Is(err, apperr.Conflict) {
		return coupons.ErrChanged // contended by a concurrent transaction: check again
	}
	return err
}

// releaseOps give back an order's coupon use (its checkout lapsed).
func releaseOps(code, customerID, orderID string) []Op {
	return []Op{
		Delete(Key{PK: couponPK(code), SK: "ORDER#" + orderID}, "", ""),
		Add(Key{PK: couponPK(code), SK: "USES"}, "uses", -1, 0, math.MaxInt64/2),
		Add(Key{PK: couponPK(code), SK: "CUST#" + customerID}, "count", -1, 0, math.MaxInt64/2),
	}
}
