// Package seed fills an empty local store with demo data: plans of all four
// service types priced in USD, EUR and GBP, including a low-stock, an
// out-of-stock and a hidden plan so every state of the pricing page shows.
package seed

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// markerKey records that seeding ran, so plans an admin deleted are not
// brought back on the next start.
var markerKey = dynamo.Key{PK: "SEED", SK: "v1"}

// Run seeds once; later calls are no-ops. It returns how many plans it made.
func Run(ctx context.Context, tbl *dynamo.Table, svc *catalog.Service) (int, error) {
	if err := tbl.Get(ctx, markerKey, &dynamo.Item{}); err == nil {
		return 0, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return 0, err
	}
	n := 0
	for _, in := range Plans() {
		if _, err := svc.Create(ctx, in); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				continue // seeded by an earlier run that stopped before the marker
			}
			return n, fmt.Errorf("seed plan %s: %w", in.Slug, err)
		}
		n++
	}
	marker := dynamo.Item{PK: markerKey.PK, SK: markerKey.SK, Type: "seed", Version: 1}
	if err := tbl.Write(ctx, dynamo.Create(marker)); err != nil && !apperr.Is(err, apperr.Conflict) {
		return n, fmt.Errorf("seed marker: %w", err)
	}
	return n, nil
}

// prices derives the three currencies and four cycles from a USD monthly
// price in cents: longer cycles are discounted; EUR and GBP are converted
// at fixed demo rates (per mille) and rounded to .99 endings. Integer maths
// only, as everywhere money is computed.
func prices(usdMonthly int64) catalog.Prices {
	ratesPerMille := map[string]int64{"USD": 1000, "EUR": 920, "GBP": 790}
	payPercent := map[catalog.Cycle]int64{catalog.Monthly: 100, catalog.Quarterly: 97, catalog.SemiAnnual: 94, catalog.Annual: 85}
	out := catalog.Prices{}
	for cur, rate := range ratesPerMille {
		monthly := charm(usdMonthly * rate / 1000)
		out[cur] = map[catalog.Cycle]int64{}
		for c, pct := range payPercent {
			out[cur][c] = charm(monthly * c.Months() * pct / 100)
		}
	}
	return out
}

// charm rounds cents to the nearest whole unit minus one cent (1200 → 1199).
func charm(cents int64) int64 {
	return max(99, (cents+50)/100*100-1)
}

func stock(n int64) *int64 { return &n }

// Plans returns the demo catalog.
func Plans() []catalog.PlanInput {
	vps := func(slug, name string, order, cpu, ram, disk, bw, usd int64, badge catalog.Badge) catalog.PlanInput {
		return catalog.PlanInput{
			Slug: slug, Name: name, ServiceType: catalog.VPS, SortOrder: order, Badge: badge, Status: catalog.Active,
			Description: "KVM virtual server with NVMe storage, full root access and a dedicated IPv4 address.",
			Prices:      prices(usd),
			Features: catalog.Features{CPUCores: cpu, RAMMB: ram * 1024, DiskGB: disk, DiskType: "nvme", BandwidthGB: bw * 1000, PortSpeedMbps: 1000,
				Locations: []string{"Dallas, US", "Frankfurt, DE", "London, UK"},
				Extras:    map[string]string{"ipv4": "1", "ipv6": "/64", "virtualization": "KVM", "backups": "weekly"}},
			// Traffic in + out beyond the allowance: $1 (€0.92, £0.79) a TB.
			Metering: catalog.Metering{Basis: catalog.BasisTransfer, Direction: catalog.DirSum, Overage: map[string]int64{"USD": 100, "EUR": 92, "GBP": 79}},
		}
	}
	ded := func(slug, name string, order, cpu, ram, disk int64, model string, usd int64, left *int64, badge catalog.Badge) catalog.PlanInput {
		return catalog.PlanInput{
			Slug: slug, Name: name, ServiceType: catalog.Dedicated, SortOrder: order, Badge: badge, Status: catalog.Active, Stock: left, RequiresApproval: true,
			Description: "Single-tenant bare metal with IPMI access, deployed within 24 hours.",
			Prices:      prices(usd),
			Features: catalog.Features{CPUCores: cpu, RAMMB: ram * 1024, DiskGB: disk, DiskType: "nvme", BandwidthGB: 0, PortSpeedMbps: 10000,
				Locations: []string{"Dallas, US"},
				Extras: map[string]string{"cpu_model": model, "ipv4": "/29", "raid": "RAID 1", "uplink": "10 Gbps", "ddos_protection": "included",
					"operating_systems": "debian-12, ubuntu-24.04, ubuntu-22.04, rocky-9, almalinux-9"}},
			// Burstable: 1 Gbps committed at the 95th percentile (the larger
			// direction), each Mbps beyond it $0.40 a month.
			Metering: catalog.Metering{Basis: catalog.BasisP95, Direction: catalog.DirMax, CommitMbps: 1000, Overage: map[string]int64{"USD": 40, "EUR": 37, "GBP": 32}},
		}
	}
	host := func(slug, name string, order, disk, sites, usd int64, badge catalog.Badge) catalog.PlanInput {
		sitesText := fmt.Sprint(sites)
		if sites == 0 {
			sitesText = "Unlimited"
		}
		return catalog.PlanInput{
			Slug: slug, Name: name, ServiceType: catalog.Hosting, SortOrder: order, Badge: badge, Status: catalog.Active,
			Description: "Managed web hosting with free SSL, daily backups and one-click WordPress.",
			Prices:      prices(usd),
			Features: catalog.Features{DiskGB: disk, DiskType: "nvme", BandwidthGB: 0, Locations: []string{"Dallas, US", "Frankfurt, DE"},
				Extras: map[string]string{"websites": sitesText, "databases": sitesText, "email_accounts": "Unlimited", "ssl": "Free (Let's Encrypt)", "backups": "daily"}},
		}
	}
	game := func(slug, name, games, slots string, order, cpu, ram, usd int64, badge catalog.Badge) catalog.PlanInput {
		return catalog.PlanInput{
			Slug: slug, Name: name, ServiceType: catalog.GameServer, SortOrder: order, Badge: badge, Status: catalog.Active,
			Description: "Game server on high-clock CPUs with instant setup and a web control panel.",
			Prices:      prices(usd),
			Features: catalog.Features{CPUCores: cpu, RAMMB: ram * 1024, DiskGB: ram * 10, DiskType: "nvme", Locations: []string{"Dallas, US", "Frankfurt, DE", "London, UK"},
				Extras: map[string]string{"games": games, "slots": slots, "backups": "daily", "ddos_protection": "included"}},
		}
	}
	legacy := vps("vps-legacy", "VPS Legacy", 99, 1, 1, 20, 1, 400, catalog.NoBadge)
	legacy.Status = catalog.Hidden
	// Plans the demo panels deliver show every state too: a nearly sold-out
	// VPS that staff review before it is provisioned, a sold-out game.
	performance := vps("vps-performance", "VPS Performance", 30, 4, 8, 160, 8, 2400, catalog.NoBadge)
	performance.Stock, performance.RequiresApproval = stock(3), true
	rust := game("game-rust", "Rust", "Rust", "100", 30, 4, 12, 1500, catalog.BestValue)
	rust.Stock = stock(0)
	return []catalog.PlanInput{
		vps("vps-starter", "VPS Starter", 10, 1, 2, 40, 2, 600, catalog.NoBadge),
		vps("vps-standard", "VPS Standard", 20, 2, 4, 80, 4, 1200, catalog.Popular),
		performance,
		vps("vps-pro", "VPS Pro", 40, 8, 16, 320, 10, 4800, catalog.BestValue),
		legacy,
		ded("dedicated-e2236", "Xeon E-2236", 10, 6, 32, 960, "Intel Xeon E-2236", 8900, stock(6), catalog.NoBadge),
		// Built to order (no stock limit): staff assign a machine when no exact one is free.
		ded("dedicated-epyc-7302p", "EPYC 7302P", 20, 16, 128, 3840, "AMD EPYC 7302P", 19900, nil, catalog.Popular),
		frankfurt(ded("dedicated-epyc-9354p", "EPYC 9354P", 30, 32, 256, 7680, "AMD EPYC 9354P", 34900, stock(0), catalog.NoBadge)),
		host("hosting-starter", "Web Starter", 10, 10, 1, 300, catalog.NoBadge),
		host("hosting-business", "Web Business", 20, 50, 10, 800, catalog.Popular),
		host("hosting-agency", "Web Agency", 30, 200, 0, 1800, catalog.BestValue),
		game("game-minecraft", "Minecraft 4 GB", "Minecraft Java & Bedrock", "Unlimited", 10, 2, 4, 800, catalog.Popular),
		game("game-valheim", "Valheim", "Valheim", "10", 20, 3, 6, 1000, catalog.NoBadge),
		rust,
	}
}

// frankfurt moves a plan to Frankfurt, where the local stack has no
// dedicated panel: the pricing page shows a plan nothing can deliver.
func frankfurt(in catalog.PlanInput) catalog.PlanInput {
	in.Features.Locations = []string{"Frankfurt, DE"}
	return in
}
