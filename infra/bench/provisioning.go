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

	"github.com/ezscale/platform/infra/local/workflows"
	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/infra/vfsim"
	"github.com/ezscale/platform/shared/adapters/virtfusion"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
	"github.com/ezscale/platform/statemachines"
)

// benchProvisioning prints the time from a paid-order webhook to an active
// service in process (webhook → outbox → the deployed workflow on the
// local runner → VirtFusion simulator with no latency and a build that is
// ready at the first check, Wait states instant), and panel calls per
// provisioning.
func benchProvisioning() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ezscale-bench-provisioning")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sim := vfsim.New("vf")
	sim.BuildPolls = 0
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1); sim.Handler().ServeHTTP(w, r) }))
	defer srv.Close()
	const secret = "whsec_bench"
	p, ad, _, err := platformWith(ctx, dir, clock.System{}, map[string]string{"ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME": "1",
		"STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": secret}, map[catalog.ServiceType]provisioning.Panel{
		catalog.VPS: virtfusion.New(virtfusion.Config{BaseURL: srv.URL, Token: "vf", DefaultPackage: 1, Hypervisors: map[string]int{"Dallas, US": 1}, Templates: map[string]int{"debian-12": 1}}),
	})
	if err != nil {
		return err
	}
	_ = ad
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
		_, _, err := flows.Start(orderID, name)
		return err
	})

	u, err := p.Accounts.CreateUser(ctx, accounts.NewUser{Email: "bench@example.com", Name: "Bench", Password: "correct horse battery staple", Role: accounts.Customer, Verified: true})
	if err != nil {
		return err
	}
	in := catalogtest.Input("bench-vps")
	plan, err := p.Catalog.Create(ctx, in)
	if err != nil {
		return err
	}
	h := p.Handler("")
	const n = 50
	var lat []time.Duration
	for i := range n {
		now := time.Now().UTC()
		o := &orders.Order{ID: fmt.Sprintf("ord_prov_%03d", i), CustomerID: u.ID, PlanID: plan.ID, PlanName: plan.Name, ServiceType: catalog.VPS, Cycle: catalog.Monthly,
			Currency: "USD", Options: orders.Options{Hostname: fmt.Sprintf("vm%d.example.com", i), OS: "debian-12", Location: "Dallas, US"}, Status: orders.Pending,
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
	fmt.Printf("Provisioning in process (paid webhook → outbox → provisioning.asl.json → VirtFusion simulator, no latency; %d VPS)\n", n)
	fmt.Printf("  paid webhook to active service   p50 %v   p99 %v\n", pct(lat, 50), pct(lat, 99))
	fmt.Printf("  panel calls per provisioning     %.1f (user lookup, server list, create, build, status, root password reset; the first order also creates the user)\n\n", float64(calls.Load())/n)
	return nil
}
