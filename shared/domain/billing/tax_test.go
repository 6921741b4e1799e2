package billing_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

func TestDecideTax(t *testing.T) {
	rates := []billing.TaxRate{
		{Country: "DE", Name: "MwSt", RateBP: 1900},
		{Country: "US", Region: "TX", Name: "Sales tax", RateBP: 625},
		{Country: "CA", Name: "GST", RateBP: 500},
		{Country: "CA", Region: "ON", Name: "HST", RateBP: 1300},
	}
	cases := []struct {
		name   string
		to     billing.BillTo
		seller string
		want   billing.TaxDecision
	}{
		{"CountryRate", billing.BillTo{Country: "DE"}, "DE", billing.TaxDecision{Name: "MwSt", RateBP: 1900}},
		{"DomesticBusinessStillPays", billing.BillTo{Country: "DE", VATID: "DE123456789"}, "DE", billing.TaxDecision{Name: "MwSt", RateBP: 1900}},
		{"EUReverseCharge", billing.BillTo{Country: "FR", VATID: "FR12345678901"}, "DE", billing.TaxDecision{Note: billing.ReverseChargeNote}},
		{"EUConsumerNoRate", billing.BillTo{Country: "FR"}, "DE", billing.TaxDecision{}},
		{"NonEUSellerNoReverseCharge", billing.BillTo{Country: "DE", VATID: "DE123456789"}, "US", billing.TaxDecision{Name: "MwSt", RateBP: 1900}},
		{"RegionRate", billing.BillTo{Country: "US", Region: "tx"}, "US", billing.TaxDecision{Name: "Sales tax", RateBP: 625}},
		{"RegionWithoutRate", billing.BillTo{Country: "US", Region: "OR"}, "US", billing.TaxDecision{}},
		{"RegionBeatsCountry", billing.BillTo{Country: "CA", Region: "ON"}, "US", billing.TaxDecision{Name: "HST", RateBP: 1300}},
		{"CountryFallback", billing.BillTo{Country: "CA", Region: "QC"}, "US", billing.TaxDecision{Name: "GST", RateBP: 500}},
		{"Exempt", billing.BillTo{Country: "DE", TaxExempt: true}, "DE", billing.TaxDecision{Note: billing.ExemptNote}},
		{"NoCountry", billing.BillTo{}, "US", billing.TaxDecision{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := billing.DecideTax(c.to, c.seller, rates); got != c.want {
				t.Fatalf("DecideTax = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestTaxRateValidate(t *testing.T) {
	cases := []struct {
		name  string
		rate  billing.TaxRate
		field string
	}{
		{"Country", billing.TaxRate{Country: "de", Name: "VAT", RateBP: 1900}, "country"},
		{"Name", billing.TaxRate{Country: "DE", Name: " ", RateBP: 1900}, "name"},
		{"Negative", billing.TaxRate{Country: "DE", Name: "VAT", RateBP: -1}, "rate_bp"},
		{"Over100", billing.TaxRate{Country: "DE", Name: "VAT", RateBP: 10001}, "rate_bp"},
		{"Region", billing.TaxRate{Country: "US", Region: strings.Repeat("x", 51), Name: "Tax", RateBP: 1}, "region"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.rate.Validate(); fields(err)[c.field] == "" {
				t.Fatalf("err = %v, want a field error on %s", err, c.field)
			}
		})
	}
}

// Auto tax reads the stored rates: the test customer is a Polish business
// with a VAT id.
func TestAutoTaxDrafts(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		rates := dynamo.NewTaxRates(tbl)
		newSvc := func(seller string) *billing.Service {
			return billing.NewService(billing.Config{Store: dynamo.NewInvoices(tbl), TaxRates: rates, SellerCountry: seller, Customers: customers{},
				Clock: clock.NewFake(t0), Prefix: "EZS", Log: slog.New(slog.DiscardHandler)})
		}
		admin := newSvc("DE")
		if _, err := admin.PutTaxRate(ctx, billing.TaxRate{Country: "PL", Name: " VAT ", RateBP: 2300}); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.PutTaxRate(ctx, billing.TaxRate{Country: "pl", Name: "VAT", RateBP: 2300}); fields(err)["country"] == "" {
			t.Fatalf("lower-case country: %v", err)
		}
		// Regions are one rate whatever their case.
		for _, region := range []string{"tx", " TX "} {
			if _, err := admin.PutTaxRate(ctx, billing.TaxRate{Country: "US", Region: region, Name: "Sales tax", RateBP: 625}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := admin.TaxRates(ctx)
		if err != nil || len(got) != 2 || got[0].Name != "VAT" || got[1].Region != "TX" {
			t.Fatalf("rates = %+v, %v", got, err)
		}
		if err := admin.DeleteTaxRate(ctx, "US", "tx"); err != nil {
			t.Fatal(err)
		}
		in := draft("usr_1")
		in.AutoTax, in.TaxName, in.TaxRateBP = true, "", 0

		// A German seller reverse-charges a Polish business.
		inv, err := newSvc("DE").CreateDraft(ctx, in)
		if err != nil || len(inv.Taxes) != 0 || inv.Total != inv.Subtotal || !strings.HasPrefix(inv.Notes, billing.ReverseChargeNote) {
			t.Fatalf("reverse charge draft = %+v, %v", inv, err)
		}
		// A Polish seller charges Polish VAT.
		inv, err = newSvc("PL").CreateDraft(ctx, in)
		if err != nil || len(inv.Taxes) != 1 || inv.Taxes[0].Name != "VAT" || inv.Taxes[0].Amount != 414 || inv.Total != 2213 {
			t.Fatalf("domestic draft = %+v, %v", inv, err)
		}
		if err := admin.DeleteTaxRate(ctx, "PL", ""); err != nil {
			t.Fatal(err)
		}
		if err := admin.DeleteTaxRate(ctx, "PL", ""); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("second delete: %v", err)
		}
		inv, err = newSvc("PL").CreateDraft(ctx, in)
		if err != nil || len(inv.Taxes) != 0 {
			t.Fatalf("no rate draft = %+v, %v", inv, err)
		}
	})
}

// Staff text is bounded before trimming and free of control and bidi
// override characters (a 200 KB name of spaces around "VAT" was accepted).
func TestTaxRateTextIsBounded(t *testing.T) {
	for name, r := range map[string]billing.TaxRate{
		"PaddedName": {Country: "DE", Name: strings.Repeat(" ", 200_000) + "VAT", RateBP: 1900},
		"NULName":    {Country: "DE", Name: "VA\x00T", RateBP: 1900},
		"BidiName":   {Country: "DE", Name: "VAT\u202e", RateBP: 1900},
		"LongRegion": {Country: "US", Region: strings.Repeat("T", 51), Name: "Sales tax", RateBP: 625},
	} {
		if err := r.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
