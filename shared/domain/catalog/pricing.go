package catalog

import (
	"context"
	"fmt"
	"slices"

	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// StockState is what the pricing page shows about availability.
type StockState string

// Stock states.
const (
	InStock    StockState = "in_stock"
	LowStock   StockState = "low_stock"
	OutOfStock StockState = "out_of_stock"
)

// PublicQuery selects the public listing.
type PublicQuery struct {
	ServiceType ServiceType // empty: all types
	Currency    string      // default USD
	Cycle       Cycle       // default monthly
}

// PublicPrice is a plan's price in the requested currency and cycle, with
// what it means per month. All amounts are minor units.
type PublicPrice struct {
	Currency string `json:"currency"`
	Cycle    Cycle  `json:"cycle"`
	Months   int64  `json:"months"`
	Amount   int64  `json:"amount"`
	// EffectiveMonthly is Amount / Months, rounded half up.
	EffectiveMonthly int64 `json:"effective_monthly"`
	// SavingAmount is what the cycle saves over paying monthly for the same
	// months; SavingPercent is that saving in whole percent. Both are zero
	// for monthly billing or when the plan has no monthly price to compare.
	SavingAmount  int64 `json:"saving_amount"`
	SavingPercent int64 `json:"saving_percent"`
}

// PublicPlan is a plan as anonymous visitors see it.
type PublicPlan struct {
	ID          string      `json:"id"`
	Slug        string      `json:"slug"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	ServiceType ServiceType `json:"service_type"`
	Features    Features    `json:"features"`
	Badge       Badge       `json:"badge"`
	StockState  StockState  `json:"stock_state"`
	// StockLeft is set only when stock is low, for "only 2 left".
	StockLeft *int64      `json:"stock_left"`
	Price     PublicPrice `json:"price"`
	// Cycles are the cycles this plan is sold on in the currency.
	Cycles []Cycle `json:"cycles"`
	// Available is false when the plan cannot be delivered (no panel for
	// it is connected); UnavailableReason says why. It cannot be ordered.
	Available         bool   `json:"available"`
	UnavailableReason string `json:"unavailable_reason,omitempty"`
}

// PublicListing is the body of GET /v1/plans.
type PublicListing struct {
	Currency         string       `json:"currency"`
	CurrencyExponent int          `json:"currency_exponent"`
	Cycle            Cycle        `json:"cycle"`
	Currencies       []string     `json:"currencies"`
	Plans            []PublicPlan `json:"plans"`
}

// Public lists active plans priced in q's currency and cycle. Hidden and
// archived plans never appear; a plan without a price for the pair is left
// out (it cannot be ordered that way).
func (s *Service) Public(ctx context.Context, q PublicQuery) (*PublicListing, error) {
	if q.Currency == "" {
		q.Currency = "USD"
	}
	if q.Cycle == "" {
		q.Cycle = Monthly
	}
	f := apperr.FieldErrors{}
	cur, ok := money.Lookup(q.Currency)
	if !ok || cur.Code != q.Currency {
		f.Add("currency", "must be a supported ISO 4217 code in upper case, e.g. USD")
	}
	if !slices.Contains(Cycles, q.Cycle) {
		f.Add("cycle", "must be monthly, quarterly, semi_annual or annual")
	}
	if q.ServiceType != "" && !q.ServiceType.Valid() {
		f.Add("service_type", "must be one of vps, dedicated, hosting, game_server")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.cachedPublic(ctx, q, func() (*PublicListing, error) { return s.buildPublic(ctx, q, cur.Exponent) })
}

func (s *Service) buildPublic(ctx context.Context, q PublicQuery, exponent int) (*PublicListing, error) {
	plans, err := s.store.ListPlans(ctx, Active, q.ServiceType)
	if err != nil {
		return nil, fmt.Errorf("list public plans: %w", err)
	}
	SortForDisplay(plans)
	out := &PublicListing{Currency: q.Currency, CurrencyExponent: exponent, Cycle: q.Cycle, Plans: []PublicPlan{}, Currencies: []string{}}
	for _, p := range plans {
		if p.Status != Active {
			continue // defence in depth: the store already filtered
		}
		for c := range p.Prices {
			if !slices.Contains(out.Currencies, c) {
				out.Currencies = append(out.Currencies, c)
			}
		}
		amount, ok := p.Prices[q.Currency][q.Cycle]
		if !ok {
			continue
		}
		out.Plans = append(out.Plans, s.publicPlan(p, q, amount))
	}
	slices.Sort(out.Currencies)
	return out, nil
}

func (s *Service) publicPlan(p Plan, q PublicQuery, amount int64) PublicPlan {
	months := q.Cycle.Months()
	price := PublicPrice{
		Currency: q.Currency, Cycle: q.Cycle, Months: months, Amount: amount,
		EffectiveMonthly: money.Money{Amount: amount, Currency: q.Currency}.DivRound(months).Amount,
	}
	if monthly, ok := p.Prices[q.Currency][Monthly]; ok && months > 1 && monthly > 0 {
		full := monthly * months
		if full > amount {
			price.SavingAmount = full - amount
			price.SavingPercent = (price.SavingAmount*100 + full/2) / full
		}
	}
	pp := PublicPlan{
		ID: p.ID, Slug: p.Slug, Name: p.Name, Description: p.Description, ServiceType: p.ServiceType,
		Features: p.Features, Badge: p.Badge, StockState: InStock, Price: price, Cycles: []Cycle{}, Available: true,
	}
	if s.delivery != nil {
		if why := Undeliverable(s.delivery, &p, ""); why != "" {
			pp.Available, pp.UnavailableReason = false, why
		} else if len(p.Features.Locations) > 0 {
			pp.Features.Locations = Deliverable(s.delivery, &p) // offer only where it can be delivered
		}
	}
	for _, c := range Cycles {
		if _, ok := p.Prices[q.Currency][c]; ok {
			pp.Cycles = append(pp.Cycles, c)
		}
	}
	if p.Stock != nil {
		switch left := *p.Stock; {
		case left <= 0:
			pp.StockState = OutOfStock
		case left <= s.lowStock:
			pp.StockState = LowStock
			pp.StockLeft = &left
		}
	}
	return pp
}
