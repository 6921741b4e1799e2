package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ezscale/platform/infra/enhancesim"
	"github.com/ezscale/platform/infra/local/workflows"
	"github.com/ezscale/platform/infra/pterosim"
	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/infra/synergysim"
	"github.com/ezscale/platform/infra/vfsim"
	"github.com/ezscale/platform/shared/adapters/enhance"
	"github.com/ezscale/platform/shared/adapters/pterodactyl"
	"github.com/ezscale/platform/shared/adapters/synergycp"
	"github.com/ezscale/platform/shared/adapters/virtfusion"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
	"github.com/ezscale/platform/statemachines"
)

// line is one product line's benchmark: its panel (behind a simulator
// with no latency whose builds are ready at the first check), a plan and
// each order's options.
type line struct {
	name    string
	typ     catalog.ServiceType
	sim     http.Handler
	panel   func(url, planID string) provisioning.Panel
	plan    func(*catalog.PlanInput)
	options func(i int) orders.Options
	calls   string
}

// benchProvisioning prints, per product line, the time from a paid-order
// webhook to an active service in process (webhook → outbox → the
// deployed workflow on the local runner → the panel's simulator, Wait
// states instant), and panel calls per provisioning.
func benchProvisioning() error {
	vf := vfsim.New("vf")
	vf.BuildPolls = 0
	ptero := pterosim.New("ptla_b", "ptlc_b")
	ptero.InstallPolls, ptero.AppLimit, ptero.ClientLimit = 0, 1<<30, 1<<30
	var machines []synergysim.Server
	for i := range 60 {
		machines = append(machines, synergysim.Server{ID: 1000 + i, SrvID: fmt.Sprintf("B-%d", i), CPU: "e-2236", Mem: "32gb", Disks: "2x960gb-nvme", Location: "Dallas, US"})
	}
	scp := synergysim.New("scp", "http://bench.invalid", []string{"debian-12-pxe"}, machines...)
	enh := enhancesim.New("enh", "org-master", "https://enhance.example.com", enhancesim.Plan{ID: 1, Name: "Web", PlanType: "hosting"})
	lines := []line{
		{"VPS", catalog.VPS, vf.Handler(), func(u, planID string) provisioning.Panel {
			return virtfusion.New(virtfusion.Config{BaseURL: u, Token: "vf", DefaultPackage: 1, Hypervisors: map[string]int{"Dallas, US": 1}, Templates: map[string]int{"debian-12": 1}})
		}, nil, func(i int) orders.Options {
			return orders.Options{Hostname: fmt.Sprintf("vm%d.example.com", i), OS: "debian-12", Location: "Dallas, US"}
		}, "user lookup, server list, create, build, status, root password reset; the first order also creates the user"},
		{"game server", catalog.GameServer, ptero.Handler(), func(u, planID string) provisioning.Panel {
			return pterodactyl.New(pterodactyl.Config{BaseURL: u, AppKey: "ptla_b", ClientKey: "ptlc_b", Locations: map[string]int{"Dallas, US": 1}, Eggs: map[string]pterodactyl.Egg{"Rust": {ID: 1}}})
		}, func(in *catalog.PlanInput) {
			in.ServiceType, in.Features.Extras = catalog.GameServer, map[string]string{"games": "Rust"}
		}, func(int) orders.Options {
			return orders.Options{Game: "Rust", Location: "Dallas, US"}
		}, "user and server lookups by external id, create, status, credentials"},
		{"web hosting", catalog.Hosting, enh.Handler(), func(u, planID string) provisioning.Panel {
			return enhance.New(enhance.Config{BaseURL: u, Token: "enh", OrgID: "org-master", DefaultPlan: 1})
		}, func(in *catalog.PlanInput) {
			in.ServiceType, in.Features.Extras = catalog.Hosting, map[string]string{"websites": "1"}
		}, func(i int) orders.Options {
			return orders.Options{Domain: fmt.Sprintf("site%d.example.com", i), Location: "Dallas, US"}
		}, "organisation, login, member, subscription and website lookups (each adopts before it creates), status, credentials"},
		{"dedicated", catalog.Dedicated, scp.Handler(), func(u, planID string) provisioning.Panel {
			return synergycp.New(synergycp.Config{BaseURL: u, Key: "scp", PXE: map[string]string{"debian-12": "debian-12-pxe"},
				Specs: map[string]synergycp.Spec{planID: {CPU: "e-2236", Mem: "32gb", Disks: "2x960gb-nvme"}}})
		}, func(in *catalog.PlanInput) {
			in.ServiceType, in.Features.Extras = catalog.Dedicated, map[string]string{"cpu_model": "E-2236"}
		}, func(i int) orders.Options {
			return orders.Options{Hostname: fmt.Sprintf("metal%d.example.com", i), OS: "debian-12", Location: "Dallas, US"}
		}, "inventory, machine, server by billing id, client, provision, status and IPs (a free exact machine is taken at once)"},
	}
	fmt.Printf("Provisioning in process (paid webhook → outbox → provisioning.asl.json → the panel's simulator, no latency)\n")
	for _, l := range lines {
		if err := benchLine(l); err != nil {
			return fmt.Errorf("%s: %w", l.name, err)
		}
	}
	fmt.Println()
	return nil
}

func benchLine(l line) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ezscale-bench-provisioning")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1); l.sim.ServeHTTP(w, r) }))
	defer srv.Close()
	const secret = "whsec_bench"
	p, _, _, err := platformWith(ctx, dir, clock.System{}, map[string]string{"ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME": "1",
		"STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": secret}, map[catalog.ServiceType]provisioning.Panel{l.typ: l.panel(srv.URL, "")})
	if err != nil {
		return err
	}
	flows, err := workflows.Load(statemachines.FS, &provisioning.Worker{Steps: provisioning.Steps{Engine: p.Provisioning}}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	flows.Runner.Sleep = func(context.Context, time.Duration) error { return nil }
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { flows.Run(runCtx); close(done) }()
	defer func() { flows.Close(); cancel(); <-done }()
	p.StartProvisioningWith(func(_ context.Context, orderID, name string) error {
		_, _, err := flows.Start(ctx, orderID, name)
		return err
	})

	u, err := p.Accounts.CreateUser(ctx, accounts.NewUser{Email: "bench@example.com", Name: "Bench", Password: "correct horse battery staple", Role: accounts.Customer, Verified: true})
	if err != nil {
		return err
	}
	in := catalogtest.Input("bench-" + strings.ReplaceAll(string(l.typ), "_", "-"))
	if l.plan != nil {
		l.plan(&in)
	}
	plan, err := p.Catalog.Create(ctx, in)
	if err != nil {
		return err
	}
	p.Provisioning.Panels.Swap(l.panel(srv.URL, plan.ID)) // now that the plan has its id
	h := p.Handler("")
	const n = 50
	var lat []time.Duration
	for i := range n {
		now := time.Now().UTC()
		o := &orders.Order{ID: fmt.Sprintf("ord_prov_%03d", i), CustomerID: u.ID, PlanID: plan.ID, PlanName: plan.Name, ServiceType: l.typ, Cycle: catalog.Monthly,
			Currency: "USD", Options: l.options(i), Status: orders.Pending,
			Price: 1000, Total: 1000, Renewal: 1000, Gateway: "stripe", CreatedAt: now, ExpiresAt: now.Add(time.Hour), Version: 1}
		if err := p.OrderStore.CreateOrder(ctx, o, nil); err != nil {
			return err
		}
		body := fmt.Sprintf(`{"id":"evt_prov_%d","object":"event","api_version":"%s","created":%d,"type":"checkout.session.completed","data":{"object":{"id":"cs_p%d","object":"checkout.session","client_reference_id":"%s","customer":"cus_b","subscription":"sub_p%d","payment_status":"paid"}}}`,
			i, stripesim.APIVersion, now.Unix(), i, o.ID, i)
		start := time.Now()
		req := httptest.NewRequest(http.MethodPost, "/v1/webhooks/stripe", strings.NewReader(body))
		req.Header.Set("Stripe-Signature", stripesim.Sign([]byte(body), secret, time.Now()))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			return fmt.Errorf("webhook: %d %s", rec.Code, rec.Body)
		}
		for {
			if _, err := p.Outbox.Publish(ctx); err != nil {
				return err
			}
			svc, err := p.Services.GetService(ctx, provisioning.ServiceID(o.ID))
			if err == nil && svc.Status == provisioning.StatusActive {
				break
			}
			if err == nil && svc.Status == provisioning.StatusFailed {
				return fmt.Errorf("provisioning failed: %s", svc.Note)
			}
			if time.Since(start) > 10*time.Second {
				return fmt.Errorf("order %s not active after 10 s", o.ID)
			}
			time.Sleep(200 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	fmt.Printf("  %-12s paid webhook to active service p50 %v  p99 %v  (%d orders)\n", l.name, pct(lat, 50), pct(lat, 99), n)
	fmt.Printf("  %-12s panel calls per provisioning  %.1f (%s)\n", "", float64(calls.Load())/n, l.calls)
	return nil
}
