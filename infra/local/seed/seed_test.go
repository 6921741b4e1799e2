package seed_test

import (
	"context"
	"testing"
	"time"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/infra/local/seed"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/platform/clock"
)

func TestDemoPlansCoverEverything(t *testing.T) {
	types := map[catalog.ServiceType]int{}
	states := map[string]bool{}
	for _, in := range seed.Plans() {
		if err := in.Validate(); err != nil {
			t.Errorf("%s: %v", in.Slug, err)
		}
		types[in.ServiceType]++
		for _, cur := range []string{"USD", "EUR", "GBP"} {
			for _, c := range catalog.Cycles {
				if in.Prices[cur][c] <= 0 {
					t.Errorf("%s: no %s %s price", in.Slug, cur, c)
				}
			}
		}
		switch {
		case in.Status != catalog.Active:
			states["hidden"] = true
		case in.Stock != nil && *in.Stock == 0:
			states["out"] = true
		case in.Stock != nil && *in.Stock <= 3:
			states["low"] = true
		}
	}
	for _, st := range catalog.ServiceTypes {
		if types[st] < 3 {
			t.Errorf("%s: %d demo plans, want at least 3", st, types[st])
		}
	}
	for _, s := range []string{"hidden", "out", "low"} {
		if !states[s] {
			t.Errorf("no demo plan shows the %s state", s)
		}
	}
}

func TestRunSeedsOnce(t *testing.T) {
	ctx := context.Background()
	tbl, clk := emptyTable(t)
	svc := catalog.NewService(dynamo.NewPlans(tbl), clk, 3)
	n, err := seed.Run(ctx, tbl, svc)
	if err != nil || n != len(seed.Plans()) {
		t.Fatalf("first run = %d, %v", n, err)
	}
	plans, _ := svc.List(ctx, "", catalog.VPS)
	if err := svc.Delete(ctx, plans[0].ID, plans[0].Version); err != nil {
		t.Fatal(err)
	}
	if n, err := seed.Run(ctx, tbl, svc); err != nil || n != 0 {
		t.Fatalf("second run = %d, %v; want 0 (a deleted demo plan stays deleted)", n, err)
	}
}

func TestBillingSeedsOnce(t *testing.T) {
	ctx := context.Background()
	tbl, clk := emptyTable(t)
	bill := billing.NewService(billing.Config{TaxRates: dynamo.NewTaxRates(tbl), Clock: clk})
	cps := coupons.NewService(dynamo.NewCoupons(tbl), clk)
	if err := seed.Billing(ctx, tbl, bill, cps); err != nil {
		t.Fatal(err)
	}
	// An admin's deletion survives the next start.
	if err := bill.DeleteTaxRate(ctx, "GB", ""); err != nil {
		t.Fatal(err)
	}
	if err := seed.Billing(ctx, tbl, bill, cps); err != nil {
		t.Fatal(err)
	}
	rates, _ := bill.TaxRates(ctx)
	c, err := cps.Get(ctx, seed.DemoCoupon)
	if len(rates) != 2 || err != nil || !c.Active {
		t.Fatalf("rates = %+v, coupon = %+v, %v", rates, c, err)
	}
}

func emptyTable(t *testing.T) (*dynamo.Table, clock.Clock) {
	t.Helper()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(context.Background(), api, "t"); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	return dynamo.New(api, "t", clk), clk
}
