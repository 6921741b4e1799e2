package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/ezscale/platform/shared/adapters/enhance"
	"github.com/ezscale/platform/shared/adapters/pterodactyl"
	"github.com/ezscale/platform/shared/adapters/synergycp"
	"github.com/ezscale/platform/shared/adapters/virtfusion"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// VirtFusionConfig is one VirtFusion control server.
type VirtFusionConfig struct {
	URL            string         `json:"url"`
	Token          string         `json:"token"`
	Packages       map[string]int `json:"packages"` // plan id → package id
	DefaultPackage int            `json:"default_package"`
	Hypervisors    map[string]int `json:"hypervisors"` // location → hypervisor group id
	Templates      map[string]int `json:"templates"`   // OS → template id
	Concurrency    int            `json:"concurrency"` // the older form's; instances say it beside kind
}

// PterodactylConfig is one Pterodactyl panel.
type PterodactylConfig struct {
	URL         string                     `json:"url"`
	AppKey      string                     `json:"app_key"`
	ClientKey   string                     `json:"client_key"`
	Locations   map[string]int             `json:"locations"`
	Eggs        map[string]pterodactyl.Egg `json:"eggs"` // game → egg
	Concurrency int                        `json:"concurrency"`
}

// EnhanceConfig is one Enhance cluster (web hosting).
type EnhanceConfig struct {
	URL         string         `json:"url"`
	Token       string         `json:"token"`
	OrgID       string         `json:"org_id"`       // the master organisation
	Plans       map[string]int `json:"plans"`        // plan id → Enhance plan id
	DefaultPlan int            `json:"default_plan"` // 0: unmapped plans are refused
}

// SynergyCPConfig is one SynergyCP installation (dedicated servers).
type SynergyCPConfig struct {
	URL       string                    `json:"url"` // the API host
	Key       string                    `json:"key"`
	Specs     map[string]synergycp.Spec `json:"specs"`      // plan id → hardware billing ids
	PXE       map[string]string         `json:"pxe"`        // OS → install profile billing id
	PortSpeed string                    `json:"port_speed"` // switch port speed billing id
}

// PanelsConfig is the PANELS setting (JSON, holds secrets): the panel
// instances by name. The single "virtfusion" and "pterodactyl" blocks are
// the older form: an instance of that name serving its whole service type
// unless PANEL_ROUTES says otherwise.
type PanelsConfig struct {
	VirtFusion  *VirtFusionConfig          `json:"virtfusion"`
	Pterodactyl *PterodactylConfig         `json:"pterodactyl"`
	Instances   map[string]json.RawMessage `json:"instances"`
}

// instanceHead is what every instance says besides its kind's settings.
type instanceHead struct {
	Kind        string `json:"kind"`
	Concurrency int    `json:"concurrency"` // calls at a time per worker (default 4)
}

// Panels is what PANELS and PANEL_ROUTES describe.
type Panels struct {
	Registry *provisioning.Registry // nil without PANELS
	Routes   *provisioning.Routes   // nil when neither setting is given
	Limits   map[string]int         // calls at a time per instance
}

// PanelsFrom builds the panel instances PANELS describes and the routes
// PANEL_ROUTES gives (JSON list of provisioning.Route). Functions that are
// given only the routes (the public catalog) know what is deliverable
// without holding any panel's keys.
func PanelsFrom(raw, routesRaw string, client *http.Client) (Panels, error) {
	var out Panels
	var c PanelsConfig
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return out, fmt.Errorf("PANELS: not valid JSON: %w", err)
		}
	}
	var routes []provisioning.Route
	if routesRaw != "" {
		if err := json.Unmarshal([]byte(routesRaw), &routes); err != nil {
			return out, fmt.Errorf("PANEL_ROUTES: not valid JSON (a list of {panel, service_type, plans, locations}): %w", err)
		}
	}
	instances, limits, err := c.build(client)
	if err != nil {
		return out, err
	}
	if routesRaw == "" { // the older form: each block serves its whole type
		if c.VirtFusion != nil {
			routes = append(routes, provisioning.Route{Panel: "virtfusion", ServiceType: catalog.VPS})
		}
		if c.Pterodactyl != nil {
			routes = append(routes, provisioning.Route{Panel: "pterodactyl", ServiceType: catalog.GameServer})
		}
	}
	if raw == "" && routesRaw == "" {
		return out, nil
	}
	if out.Routes, err = provisioning.NewRoutes(routes); err != nil {
		return out, fmt.Errorf("PANEL_ROUTES: %w", err)
	}
	if raw == "" {
		return out, nil
	}
	if out.Registry, err = provisioning.NewRegistry(out.Routes, instances...); err != nil {
		return out, fmt.Errorf("PANELS and PANEL_ROUTES: %w", err)
	}
	out.Limits = limits
	return out, nil
}

// build makes every configured instance.
func (c PanelsConfig) build(client *http.Client) ([]provisioning.Panel, map[string]int, error) {
	var out []provisioning.Panel
	limits := map[string]int{}
	add := func(name string, head instanceHead, body json.RawMessage) error {
		if head.Concurrency < 0 || head.Concurrency > 64 {
			return fmt.Errorf("PANELS: %s concurrency must be between 1 and 64 (0: the default)", name)
		}
		p, err := newPanel(name, head.Kind, body, client)
		if err != nil {
			return fmt.Errorf("PANELS: %s: %w", name, err)
		}
		limits[name] = head.Concurrency
		out = append(out, p)
		return nil
	}
	legacy := func(name string, v any) error {
		body, _ := json.Marshal(v)
		var head instanceHead
		_ = json.Unmarshal(body, &head)
		head.Kind = name
		return add(name, head, body)
	}
	if c.VirtFusion != nil {
		if err := legacy("virtfusion", c.VirtFusion); err != nil {
			return nil, nil, err
		}
	}
	if c.Pterodactyl != nil {
		if err := legacy("pterodactyl", c.Pterodactyl); err != nil {
			return nil, nil, err
		}
	}
	names := make([]string, 0, len(c.Instances))
	for n := range c.Instances {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var head instanceHead
		if err := json.Unmarshal(c.Instances[n], &head); err != nil {
			return nil, nil, fmt.Errorf("PANELS: instance %s: %w", n, err)
		}
		if err := add(n, head, c.Instances[n]); err != nil {
			return nil, nil, err
		}
	}
	return out, limits, nil
}

// newPanel makes one instance of kind from its settings.
func newPanel(name, kind string, body json.RawMessage, client *http.Client) (provisioning.Panel, error) {
	switch kind {
	case "virtfusion":
		var v VirtFusionConfig
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, err
		}
		if v.URL == "" || v.Token == "" || len(v.Hypervisors) == 0 || len(v.Templates) == 0 {
			return nil, fmt.Errorf("virtfusion needs url, token, hypervisors and templates")
		}
		return virtfusion.New(virtfusion.Config{Name: name, BaseURL: v.URL, Token: v.Token, HTTP: client, Packages: v.Packages, DefaultPackage: v.DefaultPackage,
			Hypervisors: v.Hypervisors, Templates: v.Templates}), nil
	case "pterodactyl":
		var p PterodactylConfig
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, err
		}
		if p.URL == "" || p.AppKey == "" || p.ClientKey == "" || len(p.Locations) == 0 || len(p.Eggs) == 0 {
			return nil, fmt.Errorf("pterodactyl needs url, app_key, client_key, locations and eggs")
		}
		return pterodactyl.New(pterodactyl.Config{Name: name, BaseURL: p.URL, AppKey: p.AppKey, ClientKey: p.ClientKey, HTTP: client, Locations: p.Locations, Eggs: p.Eggs}), nil
	case "enhance":
		var e EnhanceConfig
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, err
		}
		if e.URL == "" || e.Token == "" || e.OrgID == "" || (len(e.Plans) == 0 && e.DefaultPlan == 0) {
			return nil, fmt.Errorf("enhance needs url, token, org_id and plans (or default_plan)")
		}
		return enhance.New(enhance.Config{Name: name, BaseURL: e.URL, Token: e.Token, OrgID: e.OrgID, HTTP: client, Plans: e.Plans, DefaultPlan: e.DefaultPlan}), nil
	case "synergycp":
		var c SynergyCPConfig
		if err := json.Unmarshal(body, &c); err != nil {
			return nil, err
		}
		if c.URL == "" || c.Key == "" || len(c.Specs) == 0 || len(c.PXE) == 0 {
			return nil, fmt.Errorf("synergycp needs url, key, specs and pxe")
		}
		return synergycp.New(synergycp.Config{Name: name, BaseURL: c.URL, Key: c.Key, HTTP: client, Specs: c.Specs, PXE: c.PXE, PortSpeed: c.PortSpeed}), nil
	}
	return nil, fmt.Errorf("kind must be virtfusion, pterodactyl, enhance or synergycp, not %q", kind)
}

// delivery is what checkout asks (nil when nothing is known: it then sells
// nothing, as no panel could deliver it).
func (p Panels) delivery() catalog.Delivery {
	if p.Routes == nil {
		return nil
	}
	return p.Routes
}

// PanelsOf wires a registry built in code (the local stack, tests).
func PanelsOf(r *provisioning.Registry) Panels { return Panels{Registry: r, Routes: r.Routes} }
