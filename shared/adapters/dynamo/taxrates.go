package dynamo

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// TaxRates stores admin-managed tax rates:
// PK=TAXRATE#<country>#<region>  SK=TAXRATE  GSI2PK=TAXRATES  GSI2SK=<country>#<region>.
type TaxRates struct{ t *Table }

var _ billing.TaxRates = (*TaxRates)(nil)

// NewTaxRates returns the tax-rate store on t.
func NewTaxRates(t *Table) *TaxRates { return &TaxRates{t: t} }

type taxRateRecord struct {
	Item
	taxRateData
}

func taxRateKey(country, region string) Key {
	return Key{PK: "TAXRATE#" + country + "#" + region, SK: "TAXRATE"}
}

// PutTaxRate implements billing.TaxRates (last writer wins: an admin setting).
func (s *TaxRates) PutTaxRate(ctx context.Context, r billing.TaxRate) error {
	k := taxRateKey(r.Country, r.Region)
	return s.t.Write(ctx, Put(&taxRateRecord{Item: Item{PK: k.PK, SK: k.SK, Type: "tax_rate", Version: 1,
		GSI2PK: "TAXRATES", GSI2SK: r.Country + "#" + r.Region}, taxRateData: taxRateDataOf(r)}))
}

// DeleteTaxRate implements billing.TaxRates.
func (s *TaxRates) DeleteTaxRate(ctx context.Context, country, region string) error {
	err := s.t.Write(ctx, Delete(taxRateKey(country, region), "", ""))
	if apperr.Is(err, apperr.Conflict) {
		return apperr.New(apperr.NotFound, "no tax rate for %s %s", country, region)
	}
	return err
}

// ListTaxRates implements billing.TaxRates (one query; a few hundred rates at most).
func (s *TaxRates) ListTaxRates(ctx context.Context) ([]billing.TaxRate, error) {
	recs, err := QueryAll[taxRateRecord](ctx, s.t, Query{Index: GSI2, PK: "TAXRATES"}, 1000)
	if err != nil {
		return nil, fmt.Errorf("list tax rates: %w", err)
	}
	out := make([]billing.TaxRate, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.taxRateData.value())
	}
	return out, nil
}
