// Package catalog is the product catalog: plans of the four service types,
// their prices per currency and billing cycle, features, stock and badges,
// and the public pricing view derived from them. It knows nothing about
// storage or HTTP; Store is implemented by an adapter.
package catalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// ServiceType is what a plan provisions.
type ServiceType string

// The service types, in the order the pricing page shows them.
const (
	VPS        ServiceType = "vps"
	Dedicated  ServiceType = "dedicated"
	Hosting    ServiceType = "hosting"
	GameServer ServiceType = "game_server"
)

// ServiceTypes lists every service type in display order.
var ServiceTypes = []ServiceType{VPS, Dedicated, Hosting, GameServer}

// Valid reports whether t is a known service type.
func (t ServiceType) Valid() bool { return slices.Contains(ServiceTypes, t) }

// Cycle is a billing cycle.
type Cycle string

// Billing cycles. Hourly is reserved for metered plans and not yet sold.
const (
	Monthly    Cycle = "monthly"
	Quarterly  Cycle = "quarterly"
	SemiAnnual Cycle = "semi_annual"
	Annual     Cycle = "annual"
	Hourly     Cycle = "hourly"
)

// Cycles lists the cycles plans can be sold on, shortest first.
var Cycles = []Cycle{Monthly, Quarterly, SemiAnnual, Annual}

// Months returns the cycle's length in months (0 for hourly or unknown).
func (c Cycle) Months() int64 {
	switch c {
	case Monthly:
		return 1
	case Quarterly:
		return 3
	case SemiAnnual:
		return 6
	case Annual:
		return 12
	}
	return 0
}

// Status controls a plan's visibility. Only active plans are listed
// publicly; hidden plans can still be ordered by link later; archived plans
// are kept for existing services and history.
type Status string

// Plan statuses.
const (
	Active   Status = "active"
	Hidden   Status = "hidden"
	Archived Status = "archived"
)

// Statuses lists every status.
var Statuses = []Status{Active, Hidden, Archived}

// Badge highlights a plan on the pricing page.
type Badge string

// Badges; the empty badge means none.
const (
	NoBadge   Badge = ""
	Popular   Badge = "popular"
	BestValue Badge = "best_value"
)

// Prices maps an ISO 4217 code to the price per cycle in minor units.
type Prices map[string]map[Cycle]int64

// UnmarshalJSON accepts only whole minor units and names the offending
// entry ("prices.USD.monthly"), which encoding/json cannot do for map values.
func (p *Prices) UnmarshalJSON(b []byte) error {
	var raw map[string]map[Cycle]json.Number
	if err := json.Unmarshal(b, &raw); err != nil {
		return apperr.Validation(map[string]string{"prices": "must map currency codes to {cycle: amount in minor units}"})
	}
	out := make(Prices, len(raw))
	f := apperr.FieldErrors{}
	for cur, cycles := range raw {
		out[cur] = make(map[Cycle]int64, len(cycles))
		for c, n := range cycles {
			v, err := strconv.ParseInt(n.String(), 10, 64)
			if err != nil {
				f.Add(fmt.Sprintf("prices.%s.%s", cur, c), "must be a whole number of minor units (e.g. 999 for 9.99)")
				continue
			}
			out[cur][c] = v
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	*p = out
	return nil
}

// Features describes what a plan includes. Zero BandwidthGB means unmetered.
type Features struct {
	CPUCores      int64             `json:"cpu_cores"`
	RAMMB         int64             `json:"ram_mb"`
	DiskGB        int64             `json:"disk_gb"`
	DiskType      string            `json:"disk_type,omitempty"`
	BandwidthGB   int64             `json:"bandwidth_gb"`
	PortSpeedMbps int64             `json:"port_speed_mbps,omitempty"`
	Locations     []string          `json:"locations"`
	Extras        map[string]string `json:"extras,omitempty"`
}

// Plan is a sellable product.
type Plan struct {
	ID          string      `json:"id"`
	Slug        string      `json:"slug"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	ServiceType ServiceType `json:"service_type"`
	Prices      Prices      `json:"prices"`
	Features    Features    `json:"features"`
	// Stock is the number of units left; nil means unlimited.
	Stock     *int64 `json:"stock"`
	Status    Status `json:"status"`
	SortOrder int64  `json:"sort_order"`
	Badge     Badge  `json:"badge"`
	// GatewayPriceIDs maps "gateway:CURRENCY:cycle" (e.g. "stripe:USD:monthly")
	// to the gateway's price id.
	GatewayPriceIDs map[string]string `json:"gateway_price_ids"`
	// RequiresApproval holds paid orders for staff (e.g. dedicated hardware)
	// before provisioning starts.
	RequiresApproval bool      `json:"requires_approval"`
	Metering         Metering  `json:"metering"`
	Version          int64     `json:"version"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// extraKeys are the per-type features a plan may declare beyond the common
// ones. Unknown keys are refused so typos never reach the pricing page.
var extraKeys = map[ServiceType][]string{
	VPS:        {"ipv4", "ipv6", "virtualization", "backups", "operating_systems"},
	Dedicated:  {"cpu_model", "ipv4", "raid", "uplink", "ddos_protection", "operating_systems"},
	Hosting:    {"websites", "databases", "email_accounts", "ssl", "backups"},
	GameServer: {"games", "slots", "backups", "ddos_protection"},
}

// OperatingSystems are the images VPS and dedicated plans may offer; a
// plan's "operating_systems" extra narrows them to what its hardware's
// installer has.
var OperatingSystems = []string{"ubuntu-24.04", "ubuntu-22.04", "debian-12", "debian-11", "almalinux-9", "rocky-9"}

// ExtraKeys returns the extras a service type accepts.
func ExtraKeys(t ServiceType) []string { return slices.Clone(extraKeys[t]) }
