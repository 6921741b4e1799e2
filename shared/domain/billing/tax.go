package billing

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/text"
)

// TaxRate is an admin-managed rate for a country or one of its regions.
type TaxRate struct {
	Country string `json:"country"` // ISO 3166-1 alpha-2
	Region  string `json:"region"`  // "" for the whole country
	Name    string `json:"name"`    // shown on invoices, e.g. "VAT"
	RateBP  int64  `json:"rate_bp"` // basis points
}

// TaxRates stores rates.
type TaxRates interface {
	PutTaxRate(ctx context.Context, r TaxRate) error
	DeleteTaxRate(ctx context.Context, country, region string) error
	ListTaxRates(ctx context.Context) ([]TaxRate, error)
}

// EU member states, for the intra-EU B2B reverse charge.
var euCountries = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
	"LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

var countryRE = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate checks a rate.
func (r TaxRate) Validate() error {
	f := apperr.FieldErrors{}
	if !countryRE.MatchString(r.Country) {
		f.Add("country", "must be an ISO 3166 two-letter code like DE")
	}
	if why := text.Problem(r.Region, 0, 50); why != "" || strings.Contains(r.Region, "#") {
		f.Add("region", "must be at most 50 characters on one line, without #")
	}
	if why := text.Problem(r.Name, 1, 30); why != "" {
		f.Add("name", why+", e.g. VAT")
	}
	if r.RateBP < 0 || r.RateBP > 10000 {
		f.Add("rate_bp", "must be 0 to 10000 basis points")
	}
	return f.Err()
}

// TaxDecision is what applies to one customer.
type TaxDecision struct {
	Name   string
	RateBP int64
	// Note explains a zero rate on the invoice (exemption, reverse charge).
	Note string
}

// Reverse-charge and exemption wording printed on invoices.
const (
	ReverseChargeNote = "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC)."
	ExemptNote        = "Customer is tax exempt."
)

// DecideTax applies the rules, in order: an exempt customer pays none; an
// EU business (with a VAT id) in another member state than an EU seller is
// reverse charged; otherwise the rate of the customer's region, else of the
// country, else none.
func DecideTax(b BillTo, sellerCountry string, rates []TaxRate) TaxDecision {
	if b.TaxExempt {
		return TaxDecision{Note: ExemptNote}
	}
	if b.VATID != "" && slices.Contains(euCountries, b.Country) && slices.Contains(euCountries, sellerCountry) && b.Country != sellerCountry {
		return TaxDecision{Note: ReverseChargeNote}
	}
	var country *TaxRate
	for i := range rates {
		r := &rates[i]
		if r.Country != b.Country {
			continue
		}
		if r.Region != "" && strings.EqualFold(r.Region, b.Region) {
			return TaxDecision{Name: r.Name, RateBP: r.RateBP}
		}
		if r.Region == "" {
			country = r
		}
	}
	if country != nil {
		return TaxDecision{Name: country.Name, RateBP: country.RateBP}
	}
	return TaxDecision{}
}
