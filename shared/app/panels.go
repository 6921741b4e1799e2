package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ezscale/platform/shared/adapters/pterodactyl"
	"github.com/ezscale/platform/shared/adapters/virtfusion"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// PanelsConfig is the PANELS setting (JSON, holds secrets): which panel
// serves each service type and how our catalog maps onto it.
type PanelsConfig struct {
	VirtFusion *struct {
		URL            string         `json:"url"`
		Token          string         `json:"token"`
		Packages       map[string]int `json:"packages"` // plan id → package id
		DefaultPackage int            `json:"default_package"`
		Hypervisors    map[string]int `json:"hypervisors"` // location → hypervisor group id
		Templates      map[string]int `json:"templates"`   // OS → template id
		Concurrency    int            `json:"concurrency"` // calls at a time per worker (default 4)
	} `json:"virtfusion"`
	Pterodactyl *struct {
		URL         string                     `json:"url"`
		AppKey      string                     `json:"app_key"`
		ClientKey   string                     `json:"client_key"`
		Locations   map[string]int             `json:"locations"`
		Eggs        map[string]pterodactyl.Egg `json:"eggs"` // game → egg
		Concurrency int                        `json:"concurrency"`
	} `json:"pterodactyl"`
}

// PanelsFrom builds the panel adapters PANELS describes (nil when empty)
// and the panel worker's calls-at-a-time per panel.
func PanelsFrom(raw string, client *http.Client) (map[catalog.ServiceType]provisioning.Panel, map[string]int, error) {
	if raw == "" {
		return nil, nil, nil
	}
	var c PanelsConfig
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return nil, nil, fmt.Errorf("PANELS: not valid JSON: %w", err)
	}
	out, limits := map[catalog.ServiceType]provisioning.Panel{}, map[string]int{}
	if v := c.VirtFusion; v != nil {
		if v.URL == "" || v.Token == "" || len(v.Hypervisors) == 0 || len(v.Templates) == 0 {
			return nil, nil, fmt.Errorf("PANELS: virtfusion needs url, token, hypervisors and templates")
		}
		limits["virtfusion"] = v.Concurrency
		out[catalog.VPS] = virtfusion.New(virtfusion.Config{BaseURL: v.URL, Token: v.Token, HTTP: client, Packages: v.Packages, DefaultPackage: v.DefaultPackage,
			Hypervisors: v.Hypervisors, Templates: v.Templates})
	}
	if p := c.Pterodactyl; p != nil {
		if p.URL == "" || p.AppKey == "" || p.ClientKey == "" || len(p.Locations) == 0 || len(p.Eggs) == 0 {
			return nil, nil, fmt.Errorf("PANELS: pterodactyl needs url, app_key, client_key, locations and eggs")
		}
		limits["pterodactyl"] = p.Concurrency
		out[catalog.GameServer] = pterodactyl.New(pterodactyl.Config{BaseURL: p.URL, AppKey: p.AppKey, ClientKey: p.ClientKey, HTTP: client, Locations: p.Locations, Eggs: p.Eggs})
	}
	for name, n := range limits {
		if n < 0 || n > 64 {
			return nil, nil, fmt.Errorf("PANELS: %s concurrency must be between 1 and 64 (0: the default)", name)
		}
	}
	return out, limits, nil
}

// delivery is what the panels here can deliver: a service type without a
// panel is not sold.
func delivery(panels map[catalog.ServiceType]provisioning.Panel) catalog.Delivery {
	return func(t catalog.ServiceType) string {
		if _, ok := panels[t]; ok {
			return ""
		}
		return fmt.Sprintf("%s services are not available yet", strings.ReplaceAll(string(t), "_", " "))
	}
}
