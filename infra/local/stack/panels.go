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
	"github.com/ezscale/platform/infra/synergysim"
	"github.com/ezscale/platform/infra/vfsim"
	"github.com/ezscale/platform/shared/adapters/enhance"
	"github.com/ezscale/platform/shared/adapters/pterodactyl"
	"github.com/ezscale/platform/shared/adapters/synergycp"
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
	synergyKey     = "local-synergycp-key"
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
	scp      *synergysim.Sim
	vfCfg    virtfusion.Config
	enhCfg   enhance.Config
	scpCfg   synergycp.Config
	registry *provisioning.Registry
}

// routes are the local PANEL_ROUTES.
var routes = []provisioning.Route{
	{Panel: "virtfusion", ServiceType: catalog.VPS},
	{Panel: "virtfusion-uk", ServiceType: catalog.VPS, Locations: []string{"London, UK"}},
	{Panel: "pterodactyl", ServiceType: catalog.GameServer},
	{Panel: "enhance", ServiceType: catalog.Hosting},
	{Panel: "synergycp", ServiceType: catalog.Dedicated, Locations: []string{"Dallas, US"}},
}

// inventory is the simulated data centre: six machines exactly like the
// Xeon E-2236 plan (taken automatically), and for the EPYC 7302P plan
// only near matches, so staff assign one.
var inventory = []synergysim.Server{
	{ID: 101, SrvID: "DAL-101", CPU: "xeon-e-2236", Mem: "32gb", Disks: "2x960gb-nvme", Location: "Dallas, US"},
	{ID: 102, SrvID: "DAL-102", CPU: "xeon-e-2236", Mem: "32gb", Disks: "2x960gb-nvme", Location: "Dallas, US"},
	{ID: 103, SrvID: "DAL-103", CPU: "xeon-e-2236", Mem: "32gb", Disks: "2x960gb-nvme", Location: "Dallas, US"},
	{ID: 104, SrvID: "DAL-104", CPU: "xeon-e-2236", Mem: "32gb", Disks: "2x960gb-nvme", Location: "Dallas, US"},
	{ID: 105, SrvID: "DAL-105", CPU: "xeon-e-2236", Mem: "32gb", Disks: "2x960gb-nvme", Location: "Dallas, US"},
	{ID: 106, SrvID: "DAL-106", CPU: "xeon-e-2236", Mem: "32gb", Disks: "2x960gb-nvme", Location: "Dallas, US"},
	{ID: 201, SrvID: "DAL-201", CPU: "epyc-7313p", Mem: "128gb", Disks: "2x1.92tb-nvme", Location: "Dallas, US"},
	{ID: 202, SrvID: "DAL-202", CPU: "epyc-7302p", Mem: "64gb", Disks: "2x960gb-nvme", Location: "Dallas, US"},
}

// specs are the dedicated plans' hardware, by slug.
var specs = map[string]synergycp.Spec{
	"dedicated-e2236":      {CPU: "xeon-e-2236", Mem: "32gb", Disks: "2x960gb-nvme"},
	"dedicated-epyc-7302p": {CPU: "epyc-7302p", Mem: "128gb", Disks: "2x1.92tb-nvme"},
	"dedicated-epyc-9354p": {CPU: "epyc-9354p", Mem: "256gb", Disks: "2x3.84tb-nvme"},
}

func newPanels(base string, client *http.Client) (*panels, error) {
	locations := map[string]int{"Dallas, US": 1, "Frankfurt, DE": 2, "London, UK": 3}
	templates, pxe := map[string]int{}, map[string]string{}
	var profiles []string
	for i, os := range orders.OperatingSystems {
		templates[os], pxe[os] = i+1, os+"-pxe"
		profiles = append(profiles, os+"-pxe")
	}
	p := &panels{vf: vfsim.New(vfToken), vfUK: vfsim.New(vfToken), ptero: pterosim.New(pteroAppKey, pteroClientKey),
		enh:    enhancesim.New(enhanceToken, enhanceOrg, base+"/dev/enhance"),
		scp:    synergysim.New(synergyKey, base+"/dev/synergycp", profiles, inventory...),
		scpCfg: synergycp.Config{BaseURL: base + "/dev/synergycp", Key: synergyKey, HTTP: client, PXE: pxe, PortSpeed: "10gbps"},
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
	if p.registry, err = provisioning.NewRegistry(rs, append(p.virtFusions(nil), ptero, enhance.New(p.enhCfg), synergycp.New(p.scpCfg))...); err != nil {
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
	if err := p.mapDedicatedPlans(ctx, plans); err != nil {
		return err
	}
	return p.mapHostingPlans(ctx, plans)
}

// VirtFusion is the simulated VirtFusion (tests look at its servers).
func (s *Stack) VirtFusion() *vfsim.Sim { return s.panels.vf }

func (p *panels) mount(mux *http.ServeMux) {
	mux.Handle("/dev/virtfusion/", http.StripPrefix("/dev/virtfusion", p.vf.Handler()))
	mux.Handle("/dev/virtfusion-uk/", http.StripPrefix("/dev/virtfusion-uk", p.vfUK.Handler()))
	mux.Handle("/dev/synergycp/", http.StripPrefix("/dev/synergycp", p.scp.Handler()))
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
	flows, err := workflows.Load(statemachines.FS, &provisioning.Worker{Steps: provisioning.Steps{Engine: p.Provisioning}, Limits: p.PanelConcurrency, Log: log}, log)
	if err != nil {
		return nil, err
	}
	p.Provisioning.Tokens = flows.Tokens()
	flows.Runner.Now = p.Clock.Now // timestamps in the definitions are the platform's
	real := flows.Runner.Sleep
	flows.Runner.Sleep = func(ctx context.Context, d time.Duration) error { return real(ctx, d/waitScale) }
	p.StartProvisioningWith(func(ctx context.Context, orderID, name string) error {
		_, _, err := flows.Start(ctx, orderID, name)
		return err
	})
	flows.Dunning = p.DunningTasks
	p.StartDunningWith(flows.StartDunning)
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
			if _, _, err := flows.StartProvisioning(ctx, o.ID); err != nil {
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

// Pterodactyl is the simulated game panel (tests).
func (s *Stack) Pterodactyl() *pterosim.Sim { return s.panels.ptero }

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

// mapDedicatedPlans gives the dedicated plans their hardware specs (by
// plan id, as the configuration names them).
func (p *panels) mapDedicatedPlans(ctx context.Context, plans *catalog.Service) error {
	list, err := plans.List(ctx, "", catalog.Dedicated)
	if err != nil {
		return err
	}
	cfg := p.scpCfg
	cfg.Specs = map[string]synergycp.Spec{}
	for _, pl := range list {
		if s, ok := specs[pl.Slug]; ok {
			cfg.Specs[pl.ID] = s
		}
	}
	p.registry.Swap(synergycp.New(cfg))
	return nil
}

// SynergyCP is the simulated SynergyCP installation.
func (s *Stack) SynergyCP() *synergysim.Sim { return s.panels.scp }

// syncStock makes dedicated plans' stock follow the simulated inventory,
// now and every interval (AWS: the outbox function's 5-minute sweep).
func (s *Stack) syncStock(ctx context.Context, every time.Duration) {
	for {
		if _, err := s.Platform.Provisioning.SyncStock(ctx, s.Platform.Catalog, s.Platform.Orders); err != nil && ctx.Err() == nil {
			s.Platform.Log.WarnContext(ctx, "stock sync", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
