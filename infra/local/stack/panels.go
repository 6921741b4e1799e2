package stack

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/platform/infra/enhancesim"
	"github.com/ezscale/platform/infra/local/workflows"
	"github.com/ezscale/platform/infra/pterosim"
	"github.com/ezscale/platform/infra/vfsim"
	"github.com/ezscale/platform/shared/adapters/enhance"
	"github.com/ezscale/platform/shared/adapters/pterodactyl"
	"github.com/ezscale/platform/shared/adapters/virtfusion"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/statemachines"
)

// Local panel credentials (the simulators are served by the stack itself).
const (
	enhanceToken   = "local-enhance-token"
	enhanceOrg     = "00000000-0000-4000-8000-0000000e0001"
	vfToken        = "local-virtfusion-token"
	pteroAppKey    = "ptla_local0000000000000000000000000000000000000000"
	pteroClientKey = "ptlc_local0000000000000000000000000000000000000000"
)

// panels are the simulated panels — two VirtFusion clusters (London has
// its own), Pterodactyl — and adapters to them configured for the seeded
// catalog, routed as a deployment's PANEL_ROUTES would route them.
type panels struct {
	vf, vfUK *vfsim.Sim
	ptero    *pterosim.Sim
	enh      *enhancesim.Sim
	vfCfg    virtfusion.Config
	enhCfg   enhance.Config
	registry *provisioning.Registry
}

// routes are the local PANEL_ROUTES.
var routes = []provisioning.Route{
	{Panel: "virtfusion", ServiceType: catalog.VPS},
	{Panel: "virtfusion-uk", ServiceType: catalog.VPS, Locations: []string{"London, UK"}},
	{Panel: "pterodactyl", ServiceType: catalog.GameServer},
	{Panel: "enhance", ServiceType: catalog.Hosting},
}

func newPanels(base string, client *http.Client) (*panels, error) {
	locations := map[string]int{"Dallas, US": 1, "Frankfurt, DE": 2, "London, UK": 3}
	templates := map[string]int{}
	for i, os := range orders.OperatingSystems {
		templates[os] = i + 1
	}
	p := &panels{vf: vfsim.New(vfToken), vfUK: vfsim.New(vfToken), ptero: pterosim.New(pteroAppKey, pteroClientKey),
		enh:    enhancesim.New(enhanceToken, enhanceOrg, base+"/dev/enhance"),
		vfCfg:  virtfusion.Config{BaseURL: base + "/dev/virtfusion", Token: vfToken, HTTP: client, DefaultPackage: 1, Hypervisors: locations, Templates: templates},
		enhCfg: enhance.Config{BaseURL: base + "/dev/enhance", Token: enhanceToken, OrgID: enhanceOrg, HTTP: client, DefaultPlan: 1}}
	ptero := pterodactyl.New(pterodactyl.Config{BaseURL: base + "/dev/pterodactyl", AppKey: pteroAppKey, ClientKey: pteroClientKey, HTTP: client,
		Locations: locations, Eggs: map[string]pterodactyl.Egg{
			"Minecraft Java & Bedrock": {ID: 1, DockerImage: "ghcr.io/pterodactyl/yolks:java_21", Startup: "java -jar server.jar", Environment: map[string]string{"SERVER_JARFILE": "server.jar"}},
			"Valheim":                  {ID: 2, DockerImage: "ghcr.io/parkervcp/steamcmd:debian", Startup: "./valheim_server.x86_64"},
			"Rust":                     {ID: 3, DockerImage: "ghcr.io/pterodactyl/games:rust", Startup: "./RustDedicated"},
		}})
	rs, err := provisioning.NewRoutes(routes)
	if err != nil {
		return nil, err
	}
	if p.registry, err = provisioning.NewRegistry(rs, append(p.virtFusions(nil), ptero, enhance.New(p.enhCfg))...); err != nil {
		return nil, err
	}
	return p, nil
}

// virtFusions are the two clusters' adapters with packages (plan id →
// package id).
func (p *panels) virtFusions(packages map[string]int) []provisioning.Panel {
	uk := p.vfCfg
	uk.Name, uk.BaseURL, uk.Packages = "virtfusion-uk", strings.Replace(uk.BaseURL, "/dev/virtfusion", "/dev/virtfusion-uk", 1), packages
	uk.Hypervisors = map[string]int{"London, UK": 1}
	eu := p.vfCfg
	eu.Packages = packages
	return []provisioning.Panel{virtfusion.New(eu), virtfusion.New(uk)}
}

// mapPackages gives every VPS plan in the catalog its own simulated
// VirtFusion package (in catalog order), so plan changes and staff
// "modify" move servers between packages as on a real panel. It runs
// before anything is served; plans added later use the default package.
func (p *panels) mapPackages(ctx context.Context, plans *catalog.Service) error {
	list, err := plans.List(ctx, "", catalog.VPS)
	if err != nil {
		return err
	}
	packages := map[string]int{}
	for i, pl := range list {
		packages[pl.ID] = i + 1
		p.vf.Packages[i+1], p.vfUK.Packages[i+1] = true, true
	}
	for _, vf := range p.virtFusions(packages) {
		p.registry.Swap(vf)
	}
	return p.mapHostingPlans(ctx, plans)
}

// VirtFusion is the simulated VirtFusion (tests look at its servers).
func (s *Stack) VirtFusion() *vfsim.Sim { return s.panels.vf }

func (p *panels) mount(mux *http.ServeMux) {
	mux.Handle("/dev/virtfusion/", http.StripPrefix("/dev/virtfusion", p.vf.Handler()))
	mux.Handle("/dev/virtfusion-uk/", http.StripPrefix("/dev/virtfusion-uk", p.vfUK.Handler()))
	mux.Handle("/dev/enhance/", http.StripPrefix("/dev/enhance", p.enh.Handler()))
	mux.Handle("/dev/pterodactyl/", http.StripPrefix("/dev/pterodactyl", p.ptero.Handler()))
}

// waitScale shortens the workflow's Wait states and retry intervals
// locally (15 s between build checks would make a demo drag); the states
// and their order are the deployed ones.
const waitScale = 10

// provisioningFlows runs statemachines/provisioning.asl.json in process
// and makes paid orders start it.
func provisioningFlows(p *app.Platform, log *slog.Logger) (*workflows.Local, error) {
	flows, err := workflows.Load(statemachines.FS, &provisioning.Worker{Steps: provisioning.Steps{Engine: p.Provisioning}, Limits: p.PanelConcurrency}, log)
	if err != nil {
		return nil, err
	}
	real := flows.Runner.Sleep
	flows.Runner.Sleep = func(ctx context.Context, d time.Duration) error { return real(ctx, d/waitScale) }
	p.StartProvisioningWith(func(ctx context.Context, orderID, name string) error {
		_, _, err := flows.Start(orderID, name)
		return err
	})
	return flows, nil
}

// redrive starts provisioning again for paid orders whose service is not
// finished: executions live in memory here, so a restart would otherwise
// strand them. Every step adopts what exists, so running again is safe.
func redrive(ctx context.Context, p *app.Platform, flows *workflows.Local) {
	cursor := ""
	for {
		list, next, err := p.Orders.ListAll(ctx, orders.Paid, cursor)
		if err != nil {
			p.Log.WarnContext(ctx, "provisioning re-drive: list orders", "err", err.Error())
			return
		}
		for _, o := range list {
			svc, err := p.Services.GetService(ctx, provisioning.ServiceID(o.ID))
			if err == nil && svc.Status != provisioning.StatusPending && svc.Status != provisioning.StatusProvisioning {
				continue
			}
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				continue
			}
			if _, _, err := flows.StartProvisioning(o.ID); err != nil {
				p.Log.WarnContext(ctx, "provisioning re-drive", "order", o.ID, "err", err.Error())
			}
		}
		if next == "" {
			return
		}
		cursor = next
	}
}

// VirtFusionUK is the simulated London cluster.
func (s *Stack) VirtFusionUK() *vfsim.Sim { return s.panels.vfUK }

// mapHostingPlans gives every hosting plan its own simulated Enhance plan
// (in catalog order) with the plan's allowances, as an operator would
// create them in Enhance.
func (p *panels) mapHostingPlans(ctx context.Context, plans *catalog.Service) error {
	list, err := plans.List(ctx, "", catalog.Hosting)
	if err != nil {
		return err
	}
	cfg := p.enhCfg
	cfg.Plans = map[string]int{}
	var sim []enhancesim.Plan
	for i, pl := range list {
		cfg.Plans[pl.ID] = i + 1
		sim = append(sim, enhancesim.Plan{ID: i + 1, Name: pl.Name, PlanType: "hosting", Resources: []enhancesim.Resource{
			{Name: "diskspace", Total: allowance(pl.Features.DiskGB << 30)}, {Name: "transfer", Total: allowance(pl.Features.BandwidthGB << 30)},
			{Name: "websites", Total: counted(pl.Features.Extras["websites"])}, {Name: "mailboxes", Total: counted(pl.Features.Extras["email_accounts"])},
			{Name: "mysqlDbs", Total: counted(pl.Features.Extras["databases"])}}})
	}
	p.enh.SetPlans(sim...)
	p.registry.Swap(enhance.New(cfg))
	return nil
}

// allowance is a byte allowance; 0 is unlimited (nil at the panel).
func allowance(n int64) *int64 {
	if n <= 0 {
		return nil
	}
	return &n
}

// counted reads a plan extra such as "10" or "Unlimited".
func counted(s string) *int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return nil
	}
	return allowance(n)
}

// Enhance is the simulated Enhance cluster.
func (s *Stack) Enhance() *enhancesim.Sim { return s.panels.enh }
