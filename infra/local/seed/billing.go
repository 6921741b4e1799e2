package seed

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// billingMarker has its own key so data directories seeded before billing
// existed get the demo rates and coupon too.
var billingMarker = dynamo.Key{PK: "SEED", SK: "billing-v1"}

// DemoCoupon is printed by make dev.
const DemoCoupon = "WELCOME10"

// Billing seeds demo tax rates and a welcome coupon once.
func Billing(ctx context.Context, tbl *dynamo.Table, bill *billing.Service, cps *coupons.Service) error {
	if err := tbl.Get(ctx, billingMarker, &dynamo.Item{}); err == nil {
		return nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	for _, r := range []billing.TaxRate{
		{Country: "DE", Name: "VAT", RateBP: 1900},
		{Country: "GB", Name: "VAT", RateBP: 2000},
		{Country: "US", Region: "TX", Name: "Sales tax", RateBP: 625},
	} {
		if _, err := bill.PutTaxRate(ctx, r); err != nil {
			return fmt.Errorf("seed tax rate %s: %w", r.Country, err)
		}
	}
	welcome := coupons.Coupon{Code: DemoCoupon, Description: "Demo: 10 % off the first order", Kind: coupons.Percent, PercentBP: 1000, PerCustomer: 1}
	if _, err := cps.Create(ctx, welcome); err != nil && !apperr.Is(err, apperr.Invalid) { // Invalid: exists from a run cut short
		return fmt.Errorf("seed coupon: %w", err)
	}
	marker := dynamo.Item{PK: billingMarker.PK, SK: billingMarker.SK, Type: "seed", Version: 1}
	if err := tbl.Write(ctx, dynamo.Create(marker)); err != nil && !apperr.Is(err, apperr.Conflict) {
		return fmt.Errorf("seed billing marker: %w", err)
	}
	return nil
}
