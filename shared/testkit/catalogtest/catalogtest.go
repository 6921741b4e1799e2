// Package catalogtest holds plan fixtures shared by tests.
package catalogtest

import "github.com/ezscale/platform/shared/domain/catalog"

// Input returns a valid VPS plan input with the slug; tests change fields.
func Input(slug string) catalog.PlanInput {
	return catalog.PlanInput{
		Slug: slug, Name: "VPS " + slug, Description: "A test plan", ServiceType: catalog.VPS,
		Prices: catalog.Prices{
			"USD": {catalog.Monthly: 1000, catalog.Quarterly: 2850, catalog.Annual: 10000},
			"EUR": {catalog.Monthly: 900},
		},
		Features: catalog.Features{
			CPUCores: 2, RAMMB: 4096, DiskGB: 80, DiskType: "nvme", BandwidthGB: 4000,
			Locations: []string{"Dallas, US"}, Extras: map[string]string{"ipv4": "1"},
		},
		Status: catalog.Active, Badge: catalog.Popular, SortOrder: 10,
		GatewayPriceIDs: map[string]string{"stripe:USD:monthly": "price_123"},
	}
}

// Int64 returns a pointer to v.
func Int64(v int64) *int64 { return &v }
