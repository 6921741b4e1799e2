package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/text"
)

// PlanInput is what an admin sends to create or replace a plan.
type PlanInput struct {
	Slug             string            `json:"slug"`
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	ServiceType      ServiceType       `json:"service_type"`
	Prices           Prices            `json:"prices"`
	Features         Features          `json:"features"`
	Stock            *int64            `json:"stock"`
	Status           Status            `json:"status"`
	SortOrder        int64             `json:"sort_order"`
	Badge            Badge             `json:"badge"`
	GatewayPriceIDs  map[string]string `json:"gateway_price_ids"`
	RequiresApproval bool              `json:"requires_approval"`
	Metering         Metering          `json:"metering"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// maxPrice keeps amounts far from int64 overflow in later arithmetic
// (10^12 minor units is ten billion dollars).
const maxPrice = 1_000_000_000_000

// Validate returns an apperr.Invalid error listing every bad field.
func (in PlanInput) Validate() error {
	f := apperr.FieldErrors{}
	if !slugRE.MatchString(in.Slug) || len(in.Slug) > 64 {
		f.Add("slug", "must be 1-64 lower-case letters, digits and single hyphens")
	}
	checkText(f, "name", in.Name, 1, 100)
	checkText(f, "description", in.Description, 0, 2000)
	if !in.ServiceType.Valid() {
		f.Add("service_type", "must be one of vps, dedicated, hosting, game_server")
	}
	if !slices.Contains(Statuses, in.Status) {
		f.Add("status", "must be one of active, hidden, archived")
	}
	if in.Badge != NoBadge && in.Badge != Popular && in.Badge != BestValue {
		f.Add("badge", "must be empty, popular or best_value")
	}
	if in.SortOrder < 0 || in.SortOrder > 999_999 {
		f.Add("sort_order", "must be between 0 and 999999")
	}
	if in.Stock != nil && *in.Stock < 0 {
		f.Add("stock", "must be null (unlimited) or at least 0")
	}
	in.validatePrices(f)
	in.validateFeatures(f)
	in.validateMetering(f)
	for k, v := range in.GatewayPriceIDs {
		parts := strings.Split(k, ":")
		if len(parts) != 3 || (parts[0] != "stripe" && parts[0] != "paypal") {
			f.Add("gateway_price_ids."+k, "key must look like stripe:USD:monthly")
			continue
		}
		if _, ok := in.Prices[parts[1]][Cycle(parts[2])]; !ok {
			f.Add("gateway_price_ids."+k, "has no matching price")
		}
		if v == "" || len(v) > 255 {
			f.Add("gateway_price_ids."+k, "must be 1-255 characters")
		}
	}
	return f.Err()
}

func (in PlanInput) validatePrices(f apperr.FieldErrors) {
	if len(in.Prices) == 0 {
		f.Add("prices", "must have at least one currency")
		return
	}
	for cur, cycles := range in.Prices {
		if !money.Supported(cur) {
			f.Add("prices."+cur, "is not a supported ISO 4217 currency code")
			continue
		}
		if len(cycles) == 0 {
			f.Add("prices."+cur, "must have at least one billing cycle")
		}
		for c, amount := range cycles {
			field := fmt.Sprintf("prices.%s.%s", cur, c)
			switch {
			case c == Hourly:
				f.Add(field, "hourly billing is reserved and not offered yet")
			case c.Months() == 0:
				f.Add(field, "billing cycle must be monthly, quarterly, semi_annual or annual")
			case amount < 0:
				f.Add(field, "must not be negative")
			case amount > maxPrice:
				f.Add(field, "is too large")
			}
		}
	}
}

func (in PlanInput) validateFeatures(f apperr.FieldErrors) {
	ft := in.Features
	for name, v := range map[string]int64{
		"features.cpu_cores": ft.CPUCores, "features.ram_mb": ft.RAMMB, "features.disk_gb": ft.DiskGB,
		"features.bandwidth_gb": ft.BandwidthGB, "features.port_speed_mbps": ft.PortSpeedMbps,
	} {
		if v < 0 || v > 100_000_000 {
			f.Add(name, "must be between 0 and 100000000")
		}
	}
	if ft.DiskType != "" && !slices.Contains([]string{"nvme", "ssd", "hdd"}, ft.DiskType) {
		f.Add("features.disk_type", "must be nvme, ssd or hdd")
	}
	if len(ft.Locations) == 0 {
		f.Add("features.locations", "must list at least one location")
	}
	for i, loc := range ft.Locations {
		checkText(f, fmt.Sprintf("features.locations[%d]", i), loc, 1, 64)
	}
	allowed := extraKeys[in.ServiceType]
	for k, v := range ft.Extras {
		if !slices.Contains(allowed, k) {
			f.Add("features.extras."+k, fmt.Sprintf("is not a feature of %s plans (allowed: %s)", in.ServiceType, strings.Join(allowed, ", ")))
			continue
		}
		checkText(f, "features.extras."+k, v, 1, 200)
		if k == "operating_systems" {
			for s := range strings.SplitSeq(v, ",") {
				if s = strings.TrimSpace(s); s != "" && !slices.Contains(OperatingSystems, s) {
					f.Add("features.extras."+k, fmt.Sprintf("%q is not an image we install (known: %s)", s, strings.Join(OperatingSystems, ", ")))
					break
				}
			}
		}
	}
}

func checkText(f apperr.FieldErrors, field, s string, min, max int) {
	if why := text.Problem(s, min, max); why != "" {
		f.Add(field, why)
	}
}
