package orders_test

import (
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/orders"
)

// Cases computed by hand (shown in the comments).
func TestProrate(t *testing.T) {
	day := 24 * time.Hour
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(30 * day) // a 30-day period
	cases := []struct {
		name                            string
		old, new                        int64
		at                              time.Time
		bp                              int64
		credit, charge, net, tax, total int64
	}{
		// Half-way: 1000×15/30 = 500 back, 2000×15/30 = 1000 on; 500 net.
		{"UpgradeHalfway", 1000, 2000, start.Add(15 * day), 0, 500, 1000, 500, 0, 500},
		// With 19 % VAT: 500 × 0.19 = 95.
		{"UpgradeWithVAT", 1000, 2000, start.Add(15 * day), 1900, 500, 1000, 500, 95, 595},
		// 10 of 30 days left: 1199×10/30 = 399.67 → 400; 2399×10/30 = 799.67 → 800.
		{"UpgradeRounding", 1199, 2399, start.Add(20 * day), 0, 400, 800, 400, 0, 400},
		// Downgrade 20 of 30 days left: 2400×2/3 = 1600 back, 1200×2/3 = 800 on: −800; 20 % tax −160.
		{"Downgrade", 2400, 1200, start.Add(10 * day), 2000, 1600, 800, -800, -160, -960},
		// 20 of 30 days left: 1000×2/3 = 666.67 → 667 back, 1×2/3 → 1 on: −666; × 0.19 = −126.54 → −127.
		{"DowngradeTaxRounding", 1000, 1, start.Add(10 * day), 1900, 667, 1, -666, -127, -793},
		// At the very start: the whole difference; at the end: nothing.
		{"AtStart", 1000, 3000, start, 0, 1000, 3000, 2000, 0, 2000},
		{"AtEnd", 1000, 3000, end, 0, 0, 0, 0, 0, 0},
		{"AfterEnd", 1000, 3000, end.Add(time.Hour), 0, 0, 0, 0, 0, 0},
		// One second in: 1000 × 2591999/2592000 = 999.9996 → 1000.
		{"OneSecondIn", 1000, 2000, start.Add(time.Second), 0, 1000, 2000, 1000, 0, 1000},
		// Exactly half a minor unit rounds up: 1 × 15/30 = 0.5 → 1.
		{"HalfUnit", 1, 3, start.Add(15 * day), 0, 1, 2, 1, 0, 1},
		// Amounts near the maximum do not overflow: 10^12 × 15/30.
		{"Large", 1_000_000_000_000, 2_000_000_000_000, start.Add(15 * day), 2500, 500_000_000_000, 1_000_000_000_000, 500_000_000_000, 125_000_000_000, 625_000_000_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := orders.Prorate(c.old, c.new, start, end, c.at, c.bp)
			if p.Credit != c.credit || p.Charge != c.charge || p.Net != c.net || p.Tax != c.tax || p.Total != c.total {
				t.Fatalf("got credit %d charge %d net %d tax %d total %d, want %d %d %d %d %d",
					p.Credit, p.Charge, p.Net, p.Tax, p.Total, c.credit, c.charge, c.net, c.tax, c.total)
			}
		})
	}
}
