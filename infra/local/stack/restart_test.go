package stack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/session"
)

// buyVPS orders the first VPS plan as the demo customer through the API,
// pays on the simulated Stripe page and waits for the service to be active.
func buyVPS(t *testing.T, st *stack.Stack, base, hostname string) *provisioning.Service {
	t.Helper()
	return buyVPSWith(t, st, base, hostname, url.Values{"card": {stripesim.CardSuccess}})
}

// buyVPSWith is buyVPS paying with the checkout page's form filled as in
// card (number, expiry).
func buyVPSWith(t *testing.T, st *stack.Stack, base, hostname string, card url.Values) *provisioning.Service {
	t.Helper()
	ctx := context.Background()
	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	plans, _ := st.Platform.Catalog.List(ctx, catalog.Active, catalog.VPS)
	var o orders.Order
	code, raw, _ := c.Do("POST", "/v1/me/orders", map[string]any{"plan_id": plans[0].ID, "cycle": "monthly", "currency": "USD",
		"options": map[string]any{"hostname": hostname, "os": "debian-12", "location": "Dallas, US"}})
	if code != 201 {
		t.Fatalf("checkout: %d %s", code, raw)
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(o.CheckoutURL, card)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("pay: %v %v", err, res)
	}
	res.Body.Close()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if svc, err := st.Platform.Services.GetService(ctx, provisioning.ServiceID(o.ID)); err == nil && svc.Status == provisioning.StatusActive {
			return svc
		}
	}
	t.Fatalf("order %s never became an active service", o.ID)
	return nil
}

// The simulators keep their state in the data directory like the real
// services: after a restart an existing customer can still buy (the Stripe
// customer is known), panel ids keep counting up (no second server gets a
// first one's id), and staff act on the right server.
func TestSimulatorsRememberAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	st, base, stop := openStackAt(t, dir, false)
	first := buyVPS(t, st, base, "first.example.com")
	acct, err := st.Platform.OrderStore.Account(context.Background(), first.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	stop()

	st, base, stop = openStackAt(t, dir, false)
	defer stop()
	second := buyVPS(t, st, base, "second.example.com")
	if second.PanelID == first.PanelID {
		t.Fatalf("the panel gave the second server the first one's id %s", first.PanelID)
	}
	if st.Stripe.Object(acct.GatewayCustomers["stripe"]) == nil {
		t.Fatal("the Stripe simulator forgot the customer across the restart")
	}
	// The subscription made before the restart renews after it.
	sub, err := st.Platform.Orders.Subscription(context.Background(), "", orders.SubscriptionID(first.OrderID))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Stripe.Renew(sub.GatewayID, false); err != nil {
		t.Fatalf("renew a subscription from before the restart: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		payments, _ := st.Platform.Orders.Payments(context.Background(), first.CustomerID)
		if len(payments) == 3 { // two orders, one renewal
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("payments after the renewal = %+v", payments)
		}
	}
	admin, err := session.SignIn(base, st.DemoAdmin.Email, st.DemoAdmin.Password, st.DemoAdmin.TOTPSecret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if code, raw, _ := admin.Do("POST", "/v1/admin/services/"+first.ID+"/suspend", map[string]string{"reason": "Restart test."}); code != 200 {
		t.Fatalf("suspend the first service: %d %s", code, raw)
	}
	a, _ := strconv.Atoi(first.PanelID)
	b, _ := strconv.Atoi(second.PanelID)
	if !st.VirtFusion().Suspended(a) || st.VirtFusion().Suspended(b) {
		t.Fatal("suspending the first service did not suspend exactly its own server")
	}
}

// make dev's demo customer starts with a paid VPS, bought through the real
// checkout once per data directory: a running service, its subscription
// and a paid invoice to look at.
func TestDemoCustomerStartsWithAPaidService(t *testing.T) {
	dir := t.TempDir()
	st, _, stop := openStackAt(t, dir, true)
	ctx := context.Background()
	u, err := dynamo.NewAccounts(st.Platform.Table).GetUserByEmail(ctx, st.DemoCustomer.Email)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		svcs, _ := st.Platform.Services.ListServices(ctx, u.ID)
		invs, _, _ := st.Platform.Billing.List(ctx, u.ID, "")
		if len(svcs) == 1 && svcs[0].Status == provisioning.StatusActive && len(invs) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo customer has services %+v and invoices %+v", svcs, invs)
		}
	}
	stop()
	st, _, stop = openStackAt(t, dir, false)
	defer stop()
	if err := st.BuyDemoServiceForTest(ctx); err != nil { // what make dev runs at every start
		t.Fatal(err)
	}
	if svcs, _ := st.Platform.Services.ListServices(ctx, u.ID); len(svcs) != 1 {
		t.Fatalf("a restart bought again: %d services", len(svcs))
	}
}

// waitService waits until the service reaches status.
func waitService(t *testing.T, st *stack.Stack, id string, status provisioning.Status) *provisioning.Service {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		svc, err := st.Platform.Services.GetService(context.Background(), id)
		if err == nil && svc.Status == status {
			return svc
		}
		if time.Now().After(deadline) {
			t.Fatalf("service %s is %+v (%v), want %s", id, svc, err, status)
		}
	}
}

// A cancelled subscription takes its server with it: cancelled now by the
// customer, the service is terminated at the panel; ended at the gateway by
// someone else, it is suspended (and terminated after the grace period).
func TestCancelledSubscriptionsEndTheirServices(t *testing.T) {
	st, base, stop := openStackAt(t, t.TempDir(), false)
	defer stop()
	ctx := context.Background()
	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	now := buyVPS(t, st, base, "now.example.com")
	if code, raw, _ := c.Do("POST", "/v1/me/subscriptions/"+orders.SubscriptionID(now.OrderID)+"/cancel", map[string]string{"when": "now"}); code != 200 {
		t.Fatalf("cancel now: %d %s", code, raw)
	}
	waitService(t, st, now.ID, provisioning.StatusTerminated)
	id, _ := strconv.Atoi(now.PanelID)
	if st.VirtFusion().PackageOf(id) != 0 {
		t.Fatal("the server is still at the panel after cancel now")
	}

	elsewhere := buyVPS(t, st, base, "dashboard.example.com")
	sub, err := st.Platform.Orders.Subscription(ctx, "", orders.SubscriptionID(elsewhere.OrderID))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("DELETE", base+"/dev/stripe/v1/subscriptions/"+sub.GatewayID, nil) // as in Stripe's dashboard
	req.Header.Set("Authorization", "Bearer sk_test_local_simulator")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("cancel at the gateway: %v %v", err, res)
	}
	suspended := waitService(t, st, elsewhere.ID, provisioning.StatusSuspended)
	id, _ = strconv.Atoi(elsewhere.PanelID)
	if !st.VirtFusion().Suspended(id) || !strings.Contains(suspended.SuspendReason, "payment provider") {
		t.Fatalf("after a gateway-side end: %+v", suspended)
	}
}
