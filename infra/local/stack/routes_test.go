package stack_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// A London VPS is built on the London cluster, a Dallas one on the main
// cluster: the routes choose the instance, and the service remembers it.
func TestRoutesChooseTheClusterPerLocation(t *testing.T) {
	st, _ := openStack(t)
	ctx := context.Background()
	p := st.Platform
	plans, err := p.Catalog.List(ctx, catalog.Active, catalog.VPS)
	if err != nil || len(plans) == 0 {
		t.Fatalf("plans: %v", err)
	}
	for i, c := range []struct{ location, panel string }{{"London, UK", "virtfusion-uk"}, {"Dallas, US", "virtfusion"}} {
		svc := paidAndProvisioned(t, st, plans[0], orders.Options{Hostname: "r" + string(rune('a'+i)) + ".example.com", OS: "debian-12", Location: c.location})
		if svc.Panel != c.panel {
			t.Errorf("%s: built on %q, want %q", c.location, svc.Panel, c.panel)
		}
		sim := st.VirtFusion()
		if c.panel == "virtfusion-uk" {
			sim = st.VirtFusionUK()
		}
		refs := sim.Refs()
		if !slices.Contains(slices.Collect(maps.Values(refs)), svc.Ref) {
			t.Errorf("%s: %s is not on %s (%v)", c.location, svc.Ref, c.panel, refs)
		}
	}
}

// paidAndProvisioned records a paid order for the demo customer as the
// paid-order webhook would and waits for its service to be active.
func paidAndProvisioned(t *testing.T, st *stack.Stack, plan catalog.Plan, opts orders.Options) *provisioning.Service {
	t.Helper()
	svc := waitFor(t, st, paidOrder(t, st, plan, opts), func(s *provisioning.Service) bool {
		return s.Status == provisioning.StatusActive || s.Status == provisioning.StatusFailed
	})
	if svc.Status == provisioning.StatusFailed {
		t.Fatalf("%s failed: %s", svc.ID, svc.Note)
	}
	return svc
}

// Web hosting is sold and delivered on the simulated Enhance: a website
// for the ordered domain, a single sign-on link, usage with quotas, and
// no power controls.
func TestHostingIsDeliveredOnEnhance(t *testing.T) {
	st, _ := openStack(t)
	ctx := context.Background()
	p := st.Platform
	plans, err := p.Catalog.List(ctx, catalog.Active, catalog.Hosting)
	if err != nil || len(plans) == 0 {
		t.Fatalf("plans: %v", err)
	}
	svc := paidAndProvisioned(t, st, plans[0], orders.Options{Domain: "shop.example.com", Location: "Dallas, US"})
	if svc.Panel != "enhance" || len(svc.IPs) != 1 || !svc.HasCredentials {
		t.Fatalf("service = %+v", svc)
	}
	if got := p.Provisioning.Capabilities(svc); slices.Contains(got, provisioning.CapPower) || !slices.Contains(got, provisioning.CapLogin) {
		t.Fatalf("capabilities = %v", got)
	}
	link, err := p.Provisioning.LoginURL(ctx, svc.CustomerID, svc.ID)
	if err != nil || !strings.Contains(link, "/dev/enhance/sso/") {
		t.Fatalf("login link = %q, %v", link, err)
	}
	u, err := p.Provisioning.Usage(ctx, svc.CustomerID, svc.ID)
	if err != nil || len(u.Quotas) == 0 || u.Quotas[0].Name != "diskspace" {
		t.Fatalf("usage = %+v, %v", u, err)
	}
	if err := p.Provisioning.Power(ctx, svc.CustomerID, svc.ID, provisioning.Stop, svc.CustomerID); err == nil {
		t.Fatal("a website was powered off")
	}
	if _, err := p.Provisioning.Suspend(ctx, svc.ID, "staff", "testing"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Provisioning.Terminate(ctx, svc.ID, "staff", "testing"); err != nil {
		t.Fatal(err)
	}
	if st.Enhance().Websites() != 0 {
		t.Fatalf("%d websites left after terminate", st.Enhance().Websites())
	}
}

// Dedicated servers: a plan with a free machine exactly like its own is
// provisioned at once; one without waits for staff, who are offered the
// free machines, cannot assign one taken meanwhile, and whose pick the
// workflow goes on with — through to power controls.
func TestDedicatedServersAutomaticAndStaffAssigned(t *testing.T) {
	st, _ := openStack(t)
	ctx := context.Background()
	p := st.Platform
	plans, err := p.Catalog.List(ctx, catalog.Active, catalog.Dedicated)
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]catalog.Plan{}
	for _, pl := range plans {
		bySlug[pl.Slug] = pl
	}
	auto := paidAndProvisioned(t, st, bySlug["dedicated-e2236"], orders.Options{Hostname: "metal1.example.com", OS: "debian-12", Location: "Dallas, US"})
	if auto.Panel != "synergycp" || auto.Hardware != "101" || auto.Number == 0 || len(auto.IPs) != 1 {
		t.Fatalf("automatic: %+v", auto)
	}
	if got := p.Provisioning.Capabilities(auto); !slices.Contains(got, provisioning.CapPower) || !slices.Contains(got, provisioning.CapHardware) {
		t.Fatalf("capabilities = %v", got)
	}
	if err := p.Provisioning.Power(ctx, auto.CustomerID, auto.ID, provisioning.Restart, auto.CustomerID); err != nil {
		t.Fatal(err)
	}
	// The E-2236's stock follows the inventory: a machine taken by the
	// server above, one taken at the panel by someone else, one held by
	// an open checkout.
	stockOf := func() int64 {
		t.Helper()
		if _, err := p.Provisioning.SyncStock(ctx, p.Catalog, p.Orders); err != nil {
			t.Fatal(err)
		}
		pl, err := p.Catalog.Get(ctx, bySlug["dedicated-e2236"].ID)
		if err != nil || pl.Stock == nil {
			t.Fatalf("plan: %+v, %v", pl, err)
		}
		return *pl.Stock
	}
	if got := stockOf(); got != 5 {
		t.Fatalf("stock after one server = %d, want 5", got)
	}
	st.SynergyCP().Take(104)
	now := time.Now().UTC()
	open := &orders.Order{ID: "ord_open_checkout", CustomerID: auto.CustomerID, PlanID: auto.PlanID, PlanName: auto.PlanName, ServiceType: catalog.Dedicated,
		Cycle: catalog.Monthly, Currency: "USD", Status: orders.Pending, StockReserved: true, Gateway: "stripe", CreatedAt: now, ExpiresAt: now.Add(time.Hour), Version: 1}
	if err := p.OrderStore.CreateOrder(ctx, open, nil); err != nil {
		t.Fatal(err)
	}
	if got := stockOf(); got != 3 {
		t.Fatalf("stock with a machine gone and a checkout open = %d, want 3", got)
	}

	// The EPYC 7302P has no exact machine free: staff choose.
	svcID := paidOrder(t, st, bySlug["dedicated-epyc-7302p"], orders.Options{Hostname: "metal2.example.com", OS: "debian-12", Location: "Dallas, US"})
	svc := waitFor(t, st, svcID, func(s *provisioning.Service) bool { return s.Stage == provisioning.StageHardware })
	if svc.Status != provisioning.StatusPending || lastMailTo(t, st, "We are preparing") == "" {
		t.Fatalf("waiting: %+v", svc)
	}
	machines, err := p.Provisioning.Candidates(ctx, svcID)
	if err != nil || len(machines) != 6 || machines[0].Exact { // DAL-101 and DAL-104 are taken
		t.Fatalf("candidates = %+v, %v", machines, err)
	}
	st.SynergyCP().Take(201) // someone else took it after the list was read
	if _, err := p.Provisioning.AssignHardware(ctx, svcID, "201", "stf_1"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("assigning a taken machine: %v", err)
	}
	if _, err := p.Provisioning.AssignHardware(ctx, svcID, "202", "stf_1"); err != nil {
		t.Fatal(err)
	}
	svc = waitFor(t, st, svcID, func(s *provisioning.Service) bool { return s.Status == provisioning.StatusActive })
	if svc.Hardware != "202" || svc.Stage != "" {
		t.Fatalf("assigned: %+v", svc)
	}
	if _, err := p.Provisioning.AssignHardware(ctx, svcID, "203", "stf_1"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("answering twice: %v", err)
	}

	// None to be had: the service fails with the reason, the customer is told.
	noneID := paidOrder(t, st, bySlug["dedicated-epyc-7302p"], orders.Options{Hostname: "metal3.example.com", OS: "debian-12", Location: "Dallas, US"})
	waitFor(t, st, noneID, func(s *provisioning.Service) bool { return s.Stage == provisioning.StageHardware })
	if _, err := p.Provisioning.NoHardware(ctx, noneID, "x", "stf_1"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a reason too short: %v", err)
	}
	if _, err := p.Provisioning.NoHardware(ctx, noneID, "the next EPYC delivery is in March", "stf_1"); err != nil {
		t.Fatal(err)
	}
	failed := waitFor(t, st, noneID, func(s *provisioning.Service) bool { return s.Status == provisioning.StatusFailed })
	if !strings.Contains(failed.Note, "next EPYC delivery") {
		t.Fatalf("failed: %+v", failed)
	}
	// Staff found a machine after all: retried on hardware they choose.
	if _, err := p.Provisioning.RetryOnOtherHardware(ctx, auto.ID, "stf_1"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("retrying an active service: %v", err)
	}
	if _, err := p.Provisioning.RetryOnOtherHardware(ctx, noneID, "stf_1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, st, noneID, func(s *provisioning.Service) bool { return s.Stage == provisioning.StageHardware && s.StageToken != "" })
	if _, err := p.Provisioning.AssignHardware(ctx, noneID, "103", "stf_1"); err != nil {
		t.Fatal(err)
	}
	if s := waitFor(t, st, noneID, func(s *provisioning.Service) bool { return s.Status == provisioning.StatusActive }); s.Hardware != "103" {
		t.Fatalf("retried: %+v", s)
	}
}

// paidOrder records a paid order as the webhook would and returns the
// service id it leads to (without waiting).
func paidOrder(t *testing.T, st *stack.Stack, plan catalog.Plan, opts orders.Options) string {
	t.Helper()
	ctx, p := context.Background(), st.Platform
	u, err := dynamo.NewAccounts(p.Table).GetUserByEmail(ctx, st.DemoCustomer.Email)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	o := &orders.Order{ID: "ord_" + opts.Hostname + opts.Domain, CustomerID: u.ID, PlanID: plan.ID, PlanName: plan.Name, ServiceType: plan.ServiceType, Cycle: catalog.Monthly,
		Currency: "USD", Options: opts, Status: orders.Paid, Gateway: "stripe", CreatedAt: now, ExpiresAt: now, PaidAt: &now, Version: 1}
	if err := p.OrderStore.CreateOrder(ctx, o, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.OrderStore.Apply(ctx, orders.Change{Outbox: []outbox.Item{outbox.New("provision-"+o.ID, orders.KindProvision, o.ID, map[string]string{"order_id": o.ID}, now)}}); err != nil {
		t.Fatal(err)
	}
	p.Outbox.Kick()
	return provisioning.ServiceID(o.ID)
}

func waitFor(t *testing.T, st *stack.Stack, id string, ok func(*provisioning.Service) bool) *provisioning.Service {
	t.Helper()
	var last *provisioning.Service
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if s, err := st.Platform.Services.GetService(context.Background(), id); err == nil {
			last = s
			if ok(s) {
				return s
			}
		}
	}
	t.Fatalf("%s never got there: %+v", id, last)
	return nil
}

// lastMailTo returns the subject of the newest mail whose subject contains
// what ("" when none).
func lastMailTo(t *testing.T, st *stack.Stack, what string) string {
	t.Helper()
	list, _ := st.Mailbox.List(50)
	for _, m := range list {
		if strings.Contains(m.Subject, what) {
			return m.Subject
		}
	}
	return ""
}
