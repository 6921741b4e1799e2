package catalog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
)

func newService(t *testing.T) *catalog.Service {
	t.Helper()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(context.Background(), api, "t"); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	return catalog.NewService(dynamo.NewPlans(dynamo.New(api, "t", clk)), clk, 3)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*catalog.PlanInput)
		field  string
	}{
		{"BadSlug", func(in *catalog.PlanInput) { in.Slug = "Not A Slug" }, "slug"},
		{"MissingName", func(in *catalog.PlanInput) { in.Name = "  " }, "name"},
		{"UnknownServiceType", func(in *catalog.PlanInput) { in.ServiceType = "vpn" }, "service_type"},
		{"UnknownStatus", func(in *catalog.PlanInput) { in.Status = "deleted" }, "status"},
		{"UnknownBadge", func(in *catalog.PlanInput) { in.Badge = "hot" }, "badge"},
		{"NegativePrice", func(in *catalog.PlanInput) { in.Prices["USD"][catalog.Monthly] = -1 }, "prices.USD.monthly"},
		{"UnknownCurrency", func(in *catalog.PlanInput) { in.Prices["XYZ"] = map[catalog.Cycle]int64{catalog.Monthly: 1} }, "prices.XYZ"},
		{"LowerCaseCurrency", func(in *catalog.PlanInput) { in.Prices["usd"] = map[catalog.Cycle]int64{catalog.Monthly: 1} }, "prices.usd"},
		{"UnknownCycle", func(in *catalog.PlanInput) { in.Prices["USD"]["weekly"] = 1 }, "prices.USD.weekly"},
		{"HourlyReserved", func(in *catalog.PlanInput) { in.Prices["USD"][catalog.Hourly] = 1 }, "prices.USD.hourly"},
		{"NoPrices", func(in *catalog.PlanInput) { in.Prices = nil }, "prices"},
		{"NegativeStock", func(in *catalog.PlanInput) { in.Stock = catalogtest.Int64(-1) }, "stock"},
		{"NoLocations", func(in *catalog.PlanInput) { in.Features.Locations = nil }, "features.locations"},
		{"ExtraOfOtherType", func(in *catalog.PlanInput) { in.Features.Extras["slots"] = "10" }, "features.extras.slots"},
		{"UnknownImage", func(in *catalog.PlanInput) { in.Features.Extras["operating_systems"] = "debian-12, windows-95" }, "features.extras.operating_systems"},
		{"BadDiskType", func(in *catalog.PlanInput) { in.Features.DiskType = "floppy" }, "features.disk_type"},
		{"GatewayPriceWithoutPrice", func(in *catalog.PlanInput) { in.GatewayPriceIDs["stripe:GBP:monthly"] = "price_x" }, "gateway_price_ids.stripe:GBP:monthly"},
		{"BadGatewayKey", func(in *catalog.PlanInput) { in.GatewayPriceIDs["nope"] = "x" }, "gateway_price_ids.nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := catalogtest.Input("ok")
			tt.change(&in)
			err := in.Validate()
			if !apperr.Is(err, apperr.Invalid) || fieldsOf(err)[tt.field] == "" {
				t.Fatalf("Validate() = %v (fields %v), want an error on %s", err, fieldsOf(err), tt.field)
			}
		})
	}
	if err := catalogtest.Input("ok").Validate(); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
}

func fieldsOf(err error) map[string]string {
	if e, ok := errors.AsType[*apperr.Error](err); ok {
		return e.Fields
	}
	return nil
}

func TestPublicListing(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	mk := func(slug string, change func(*catalog.PlanInput)) {
		in := catalogtest.Input(slug)
		change(&in)
		if _, err := svc.Create(ctx, in); err != nil {
			t.Fatalf("create %s: %v", slug, err)
		}
	}
	mk("vps-a", func(in *catalog.PlanInput) { in.SortOrder = 2 })
	mk("vps-b", func(in *catalog.PlanInput) { in.SortOrder = 1; in.Stock = catalogtest.Int64(2) })
	mk("vps-hidden", func(in *catalog.PlanInput) { in.Status = catalog.Hidden })
	mk("vps-archived", func(in *catalog.PlanInput) { in.Status = catalog.Archived })
	mk("vps-sold-out", func(in *catalog.PlanInput) { in.SortOrder = 3; in.Stock = catalogtest.Int64(0) })
	mk("game-a", func(in *catalog.PlanInput) {
		in.ServiceType = catalog.GameServer
		in.Features.Extras = map[string]string{"slots": "16"}
		in.Prices = catalog.Prices{"GBP": {catalog.Monthly: 500}}
		in.GatewayPriceIDs = nil
	})

	t.Run("AnnualUSD", func(t *testing.T) {
		got, err := svc.Public(ctx, catalog.PublicQuery{Currency: "USD", Cycle: catalog.Annual})
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, p := range got.Plans {
			slugs = append(slugs, p.Slug)
		}
		if diff := cmp.Diff([]string{"vps-b", "vps-a", "vps-sold-out"}, slugs); diff != "" {
			t.Fatalf("plans (-want +got):\n%s", diff)
		}
		want := catalog.PublicPrice{Currency: "USD", Cycle: catalog.Annual, Months: 12, Amount: 10000, EffectiveMonthly: 833, SavingAmount: 2000, SavingPercent: 17}
		if diff := cmp.Diff(want, got.Plans[0].Price); diff != "" {
			t.Errorf("price (-want +got):\n%s", diff)
		}
		if got.Plans[0].StockState != catalog.LowStock || *got.Plans[0].StockLeft != 2 {
			t.Errorf("stock = %s %v", got.Plans[0].StockState, got.Plans[0].StockLeft)
		}
		if got.Plans[1].StockState != catalog.InStock || got.Plans[1].StockLeft != nil {
			t.Errorf("unlimited stock = %s", got.Plans[1].StockState)
		}
		if got.Plans[2].StockState != catalog.OutOfStock {
			t.Errorf("sold out = %s", got.Plans[2].StockState)
		}
		if diff := cmp.Diff([]string{"EUR", "GBP", "USD"}, got.Currencies); diff != "" {
			t.Errorf("currencies: %s", diff)
		}
		if diff := cmp.Diff([]catalog.Cycle{catalog.Monthly, catalog.Quarterly, catalog.Annual}, got.Plans[0].Cycles); diff != "" {
			t.Errorf("cycles: %s", diff)
		}
	})
	t.Run("MonthlyHasNoSaving", func(t *testing.T) {
		got, err := svc.Public(ctx, catalog.PublicQuery{ServiceType: catalog.VPS})
		if err != nil {
			t.Fatal(err)
		}
		if got.Currency != "USD" || got.Cycle != catalog.Monthly || got.Plans[0].Price.SavingAmount != 0 || got.Plans[0].Price.EffectiveMonthly != 1000 {
			t.Fatalf("monthly listing = %+v", got.Plans[0].Price)
		}
	})
	t.Run("QuarterlySaving", func(t *testing.T) {
		got, err := svc.Public(ctx, catalog.PublicQuery{Cycle: catalog.Quarterly})
		if err != nil {
			t.Fatal(err)
		}
		p := got.Plans[0].Price
		if p.EffectiveMonthly != 950 || p.SavingAmount != 150 || p.SavingPercent != 5 {
			t.Fatalf("quarterly = %+v", p)
		}
	})
	t.Run("FilterByType", func(t *testing.T) {
		got, err := svc.Public(ctx, catalog.PublicQuery{ServiceType: catalog.GameServer, Currency: "GBP"})
		if err != nil || len(got.Plans) != 1 || got.Plans[0].Slug != "game-a" {
			t.Fatalf("game listing = %+v, %v", got, err)
		}
	})
	t.Run("ZeroDecimalCurrency", func(t *testing.T) {
		got, err := svc.Public(ctx, catalog.PublicQuery{Currency: "JPY"})
		if err != nil || got.CurrencyExponent != 0 || len(got.Plans) != 0 {
			t.Fatalf("JPY listing = %+v, %v", got, err)
		}
	})
	t.Run("ErrBadQuery", func(t *testing.T) {
		for _, q := range []catalog.PublicQuery{{Currency: "usd"}, {Currency: "XXX"}, {Cycle: "weekly"}, {Cycle: catalog.Hourly}, {ServiceType: "vpn"}} {
			if _, err := svc.Public(ctx, q); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("Public(%+v) err = %v, want invalid", q, err)
			}
		}
	})
}

func TestReplaceAndDelete(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	p, err := svc.Create(ctx, catalogtest.Input("one"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, catalogtest.Input("two")); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrDuplicateSlug", func(t *testing.T) {
		_, err := svc.Create(ctx, catalogtest.Input("one"))
		if !apperr.Is(err, apperr.Conflict) || fieldsOf(err)["slug"] == "" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("RenameSlug", func(t *testing.T) {
		in := catalogtest.Input("one-renamed")
		got, err := svc.Replace(ctx, p.ID, p.Version, in)
		if err != nil || got.Version != 2 || got.Slug != "one-renamed" {
			t.Fatalf("Replace = %+v, %v", got, err)
		}
		// The old slug is free again; the new one is taken.
		if _, err := svc.Create(ctx, catalogtest.Input("one")); err != nil {
			t.Fatalf("old slug not released: %v", err)
		}
		p = got
	})
	t.Run("ErrRenameToTakenSlug", func(t *testing.T) {
		_, err := svc.Replace(ctx, p.ID, p.Version, catalogtest.Input("two"))
		if !apperr.Is(err, apperr.Conflict) || fieldsOf(err)["slug"] == "" {
			t.Fatalf("err = %v", err)
		}
		got, _ := svc.Get(ctx, p.ID)
		if got.Slug != "one-renamed" || got.Version != p.Version {
			t.Fatalf("failed rename changed the plan: %+v", got)
		}
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		if _, err := svc.Replace(ctx, p.ID, 1, catalogtest.Input("one-renamed")); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("err = %v", err)
		}
		if err := svc.Delete(ctx, p.ID, 1); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("delete err = %v", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := svc.Delete(ctx, p.ID, p.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Get(ctx, p.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("get after delete err = %v", err)
		}
		if _, err := svc.Create(ctx, catalogtest.Input("one-renamed")); err != nil {
			t.Fatalf("slug not released by delete: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := svc.Replace(ctx, "pln_missing", 1, catalogtest.Input("zzz")); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("err = %v", err)
		}
		if err := svc.Delete(ctx, "pln_missing", 1); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("err = %v", err)
		}
	})
}
