package orders

import (
	"math/big"
	"time"
)

// Proration is what changing plans part-way through a period costs: the
// unused part of the old price comes back as credit, the new price is
// charged for the rest of the period, tax applies to the difference.
// Amounts before tax are net; Total is what is charged now (negative: what
// is credited).
type Proration struct {
	At          time.Time `json:"proration_date"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	Remaining   int64     `json:"remaining_seconds"`
	Period      int64     `json:"period_seconds"`
	OldPrice    int64     `json:"old_price"`
	NewPrice    int64     `json:"new_price"`
	Credit      int64     `json:"credit"` // unused part of the old price
	Charge      int64     `json:"charge"` // the new price for the rest of the period
	Net         int64     `json:"net"`    // Charge − Credit
	TaxRateBP   int64     `json:"tax_rate_bp"`
	Tax         int64     `json:"tax"`
	Total       int64     `json:"total"`
}

// share is amount × num / den rounded half up (half away from zero), in
// big integers: a 10^12 price times a year of seconds overflows int64.
func share(amount, num, den int64) int64 {
	if den == 0 {
		return 0
	}
	p := new(big.Int).Mul(big.NewInt(amount), big.NewInt(num))
	d := big.NewInt(den)
	q, r := new(big.Int).QuoRem(p, d, new(big.Int))
	// |r|*2 ≥ den rounds away from zero.
	if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(d) >= 0 {
		if p.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// Prorate prices a change from oldPrice to newPrice at `at` within the
// period [start, end), with tax at rateBP on the difference.
func Prorate(oldPrice, newPrice int64, start, end, at time.Time, rateBP int64) Proration {
	p := Proration{At: at, PeriodStart: start, PeriodEnd: end, OldPrice: oldPrice, NewPrice: newPrice, TaxRateBP: rateBP}
	p.Period = int64(end.Sub(start) / time.Second)
	p.Remaining = min(max(int64(end.Sub(at)/time.Second), 0), p.Period)
	p.Credit = share(oldPrice, p.Remaining, p.Period)
	p.Charge = share(newPrice, p.Remaining, p.Period)
	p.Net = p.Charge - p.Credit
	p.Tax = share(p.Net, rateBP, 10000)
	p.Total = p.Net + p.Tax
	return p
}
