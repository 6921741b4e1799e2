package coupons_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
	"github.com/ezscale/platform/shared/testkit/moto"
)

func TestMain(m *testing.M) { moto.Main(m) }

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func fields(err error) map[string]string {
	if ae, ok := errors.AsType[*apperr.Error](err); ok {
		return ae.Fields
	}
	return nil
}

func TestValidate(t *testing.T) {
	past := t0.Add(-time.Hour)
	cases := []struct {
		name  string
		c     coupons.Coupon
		field string
	}{
		{"Code", coupons.Coupon{Code: "A!", Kind: coupons.Percent, PercentBP: 100}, "code"},
		{"Kind", coupons.Coupon{Code: "SAVE10", Kind: "bogus"}, "kind"},
		{"PercentZero", coupons.Coupon{Code: "SAVE10", Kind: coupons.Percent}, "percent_bp"},
		{"PercentOver", coupons.Coupon{Code: "SAVE10", Kind: coupons.Percent, PercentBP: 10001}, "percent_bp"},
		{"FixedNoAmounts", coupons.Coupon{Code: "FIVE", Kind: coupons.Fixed}, "amounts_off"},
		{"FixedBadCurrency", coupons.Coupon{Code: "FIVE", Kind: coupons.Fixed, AmountsOff: map[string]int64{"XYZ": 500}}, "amounts_off.XYZ"},
		{"FixedZero", coupons.Coupon{Code: "FIVE", Kind: coupons.Fixed, AmountsOff: map[string]int64{"USD": 0}}, "amounts_off.USD"},
		{"Expired", coupons.Coupon{Code: "OLD", Kind: coupons.Percent, PercentBP: 100, ExpiresAt: &past}, "expires_at"},
		{"MaxUses", coupons.Coupon{Code: "NEG", Kind: coupons.Percent, PercentBP: 100, MaxUses: -1}, "max_uses"},
		{"Trial", coupons.Coupon{Code: "TRIAL", Kind: coupons.Percent, PercentBP: 100, TrialDays: 400}, "trial_days"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.c.Validate(t0); fields(err)[c.field] == "" {
				t.Fatalf("err = %v, want a field error on %s", err, c.field)
			}
		})
	}
}

func TestApply(t *testing.T) {
	exp := t0.Add(time.Hour)
	pct := coupons.Coupon{Code: "P", Kind: coupons.Percent, PercentBP: 1250, Active: true, TrialDays: 7}
	fixed := coupons.Coupon{Code: "F", Kind: coupons.Fixed, AmountsOff: map[string]int64{"USD": 500}, Active: true}
	cases := []struct {
		name     string
		c        coupons.Coupon
		plan     string
		cur      string
		amount   int64
		uses     int64
		at       time.Time
		discount int64
		refusal  string
	}{
		{"PercentHalfUp", pct, "p1", "USD", 1004, 0, t0, 126, ""}, // 125.5 → 126
		{"FixedCapped", fixed, "p1", "USD", 300, 0, t0, 300, ""},
		{"Fixed", fixed, "p1", "USD", 1999, 0, t0, 500, ""},
		{"FixedOtherCurrency", fixed, "p1", "EUR", 1999, 0, t0, 0, "this coupon cannot be used with EUR"},
		{"Inactive", func() coupons.Coupon { c := pct; c.Active = false; return c }(), "p1", "USD", 1000, 0, t0, 0, "this coupon is no longer active"},
		{"Expired", func() coupons.Coupon { c := pct; c.ExpiresAt = &exp; return c }(), "p1", "USD", 1000, 0, exp, 0, "this coupon expired on 26 November 2026"},
		{"UsedUp", func() coupons.Coupon { c := pct; c.MaxUses, c.Uses = 3, 3; return c }(), "p1", "USD", 1000, 0, t0, 0, "this coupon has been used up"},
		{"PerCustomer", func() coupons.Coupon { c := pct; c.PerCustomer = 1; return c }(), "p1", "USD", 1000, 1, t0, 0, "you have already used this coupon"},
		{"OtherPlan", func() coupons.Coupon { c := pct; c.PlanIDs = []string{"p2"}; return c }(), "p1", "USD", 1000, 0, t0, 0, "this coupon does not apply to this plan"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := c.c.Apply(c.plan, c.cur, c.amount, c.uses, c.at)
			if got := fields(err)["code"]; got != c.refusal {
				t.Fatalf("refusal = %q (%v), want %q", got, err, c.refusal)
			}
			if err == nil && (q.Discount != c.discount || q.Total != c.amount-c.discount) {
				t.Fatalf("quote = %+v, want discount %d", q, c.discount)
			}
		})
	}
}

// Max uses is never exceeded, however many checkouts race for the last ones.
func TestRedeemLimitsUnderConcurrency(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, api dynamotest.Client) {
		ctx := context.Background()
		svc := coupons.NewService(dynamo.NewCoupons(tbl), clock.NewFake(t0))
		if _, err := svc.Create(ctx, coupons.Coupon{Code: "launch", Kind: coupons.Percent, PercentBP: 2000, MaxUses: 10, PerCustomer: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Create(ctx, coupons.Coupon{Code: "LAUNCH", Kind: coupons.Percent, PercentBP: 100}); fields(err)["code"] == "" {
			t.Fatalf("duplicate code: %v", err)
		}
		n := 30
		if !dynamotest.Embedded(api) {
			n = 15
		}
		var ok, exhausted atomic.Int64
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := svc.Redeem(ctx, "launch", fmt.Sprintf("usr_%d", i), fmt.Sprintf("ord_%d", i), "p1", "USD", 1000)
				switch {
				case err == nil:
					ok.Add(1)
				case fields(err)["code"] == "this coupon has been used up":
					exhausted.Add(1)
				default:
					t.Errorf("redeem %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		c, err := svc.Get(ctx, "LAUNCH")
		if err != nil || ok.Load() != 10 || exhausted.Load() != int64(n-10) || c.Uses != 10 {
			t.Fatalf("ok %d exhausted %d uses %+v %v", ok.Load(), exhausted.Load(), c, err)
		}
	})
}

func TestRedeemPerCustomerAndIdempotent(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		svc := coupons.NewService(dynamo.NewCoupons(tbl), clock.NewFake(t0))
		if _, err := svc.Create(ctx, coupons.Coupon{Code: "ONCE", Kind: coupons.Fixed, AmountsOff: map[string]int64{"EUR": 250}, PerCustomer: 1}); err != nil {
			t.Fatal(err)
		}
		q, err := svc.Redeem(ctx, "once", "usr_1", "ord_1", "p1", "EUR", 1000)
		if err != nil || q.Discount != 250 || q.Total != 750 {
			t.Fatalf("first: %+v %v", q, err)
		}
		// The same order again (a retried checkout) counts once.
		if q, err := svc.Redeem(ctx, "ONCE", "usr_1", "ord_1", "p1", "EUR", 1000); err != nil || q.Discount != 250 {
			t.Fatalf("retry: %+v %v", q, err)
		}
		if _, err := svc.Redeem(ctx, "ONCE", "usr_1", "ord_2", "p1", "EUR", 1000); fields(err)["code"] != "you have already used this coupon" {
			t.Fatalf("second order: %v", err)
		}
		if _, err := svc.Redeem(ctx, "ONCE", "usr_2", "ord_3", "p1", "EUR", 1000); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Check(ctx, "NOPE", "usr_1", "p1", "EUR", 1000); fields(err)["code"] != "no such coupon" {
			t.Fatalf("unknown: %v", err)
		}
		off := false
		c, err := svc.Update(ctx, "once", coupons.Changes{Active: &off})
		if err != nil || c.Active || c.Uses != 2 || c.Version != 2 {
			t.Fatalf("deactivate: %+v %v", c, err)
		}
		if _, err := svc.Redeem(ctx, "ONCE", "usr_3", "ord_4", "p1", "EUR", 1000); fields(err)["code"] != "this coupon is no longer active" {
			t.Fatalf("inactive: %v", err)
		}
		neg := int64(-5)
		if _, err := svc.Update(ctx, "ONCE", coupons.Changes{MaxUses: &neg}); fields(err)["max_uses"] == "" {
			t.Fatalf("bad max uses: %v", err)
		}
		if _, err := svc.Update(ctx, "MISSING", coupons.Changes{Active: &off}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("missing: %v", err)
		}
		list, err := svc.List(ctx)
		if err != nil || len(list) != 1 || list[0].Uses != 2 || list[0].Code != "ONCE" {
			t.Fatalf("list = %+v %v", list, err)
		}
	})
}

// A redemption decided on limits staff changed meanwhile writes nothing.
func TestRedeemRefusesStaleTerms(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		store := dynamo.NewCoupons(tbl)
		svc := coupons.NewService(store, clock.NewFake(t0))
		c, err := svc.Create(ctx, coupons.Coupon{Code: "EDITED", Kind: coupons.Percent, PercentBP: 1000, MaxUses: 5})
		if err != nil {
			t.Fatal(err)
		}
		one := int64(1)
		if _, err := svc.Update(ctx, "EDITED", coupons.Changes{MaxUses: &one}); err != nil {
			t.Fatal(err)
		}
		r := coupons.Redemption{Code: "EDITED", CustomerID: "usr_1", OrderID: "ord_1", Currency: "USD", At: t0}
		if err := store.Redeem(ctx, r, c); !errors.Is(err, coupons.ErrChanged) {
			t.Fatalf("stale terms: %v", err)
		}
		if got, _ := svc.Get(ctx, "EDITED"); got.Uses != 0 {
			t.Fatalf("uses = %d after a refused redemption", got.Uses)
		}
		if n, _ := store.CustomerUses(ctx, "EDITED", "usr_1"); n != 0 {
			t.Fatalf("customer uses = %d after a refused redemption", n)
		}
		// Through the service the fresh terms apply: one use, then used up.
		if _, err := svc.Redeem(ctx, "EDITED", "usr_1", "ord_1", "p1", "USD", 1000); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Redeem(ctx, "EDITED", "usr_2", "ord_2", "p1", "USD", 1000); fields(err)["code"] != "this coupon has been used up" {
			t.Fatalf("after the new max: %v", err)
		}
	})
}
