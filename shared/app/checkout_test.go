package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
	"github.com/ezscale/platform/shared/testkit/session"
)

// shop is the platform wired to the Stripe simulator, delivering its
// webhooks and publishing the outbox as make dev does.
type shop struct {
	*env
	stripe    *stripesim.Sim
	stripeURL string
	cancel    context.CancelFunc
}

func newShop(t *testing.T) *shop {
	return newShopOver(t, func(api dynamo.API) dynamo.API { return api })
}

// newShopOver is newShop on the store as seen through wrap.
func newShopOver(t *testing.T, wrap func(dynamo.API) dynamo.API) *shop {
	t.Helper()
	var now func() time.Time // the platform's fake clock, once it exists
	simSrv := httptest.NewServer(nil)
	t.Cleanup(simSrv.Close)
	sim := stripesim.New(stripesim.Config{SecretKey: "sk_test_sim", WebhookSecret: "whsec_sim", BaseURL: simSrv.URL, Now: func() time.Time { return now() }})
	simSrv.Config.Handler = sim.Handler()
	e := newEnvOver(t, map[string]string{"STRIPE_SECRET_KEY": "sk_test_sim", "STRIPE_WEBHOOK_SECRET": "whsec_sim", "STRIPE_API_URL": simSrv.URL,
		"ACCOUNT_URL": "https://account.example.com"}, wrap, provisioning.ByType(sellsEverything()))
	now = e.clock.Now
	sim.SetWebhookURL(e.srv.URL + "/v1/webhooks/stripe")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { sim.Run(ctx); done <- struct{}{} }()
	go func() { e.p.Outbox.Run(ctx, 50*time.Millisecond); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	return &shop{env: e, stripe: sim, stripeURL: simSrv.URL, cancel: cancel}
}

// billingOnlyPanel stands in for a panel where a test sells a plan but
// never provisions it (these tests are about money).
type billingOnlyPanel struct {
	provisioning.Panel
	name string
}

func (p billingOnlyPanel) Name() string { return p.name }

func sellsEverything() map[catalog.ServiceType]provisioning.Panel {
	out := map[catalog.ServiceType]provisioning.Panel{}
	for _, t := range []catalog.ServiceType{catalog.VPS, catalog.Dedicated, catalog.Hosting, catalog.GameServer} {
		out[t] = billingOnlyPanel{name: string(t)}
	}
	return out
}

// plan creates an active plan; change edits its input first.
func (s *shop) plan(slug string, change func(*catalog.PlanInput)) *catalog.Plan {
	s.t.Helper()
	in := catalogtest.Input(slug)
	if change != nil {
		change(&in)
	}
	p, err := s.p.Catalog.Create(context.Background(), in)
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

func (s *shop) checkout(c *session.Client, body map[string]any) (int, orders.Order, string) {
	s.t.Helper()
	code, raw, err := c.Do("POST", "/v1/me/orders", body)
	if err != nil {
		s.t.Fatal(err)
	}
	var o orders.Order
	_ = json.Unmarshal(raw, &o)
	return code, o, string(raw)
}

// pay submits the hosted checkout page with card.
func (s *shop) pay(checkoutURL, card string) int {
	s.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(checkoutURL, url.Values{"card": {card}})
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// order waits until the order reaches status.
func (s *shop) order(id string, status orders.Status) *orders.Order {
	s.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		o, err := s.p.Orders.Get(context.Background(), id)
		if err != nil {
			s.t.Fatal(err)
		}
		if o.Status == status {
			return o
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("order %s is %s, want %s", id, o.Status, status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *shop) eventually(what string, ok func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func vpsOptions() map[string]any {
	return map[string]any{"hostname": "web1.example.com", "os": "debian-12"}
}

func (s *shop) stock(planID string) int64 {
	p, err := s.p.Catalog.Get(context.Background(), planID)
	if err != nil {
		s.t.Fatal(err)
	}
	return *p.Stock
}

func (s *shop) couponUses(code string) int64 {
	c, err := s.p.Coupons.Get(context.Background(), code)
	if err != nil {
		s.t.Fatal(err)
	}
	return c.Uses
}

// The whole purchase: order → hosted checkout → signed webhooks → order
// paid, subscription mirrored, payment in the ledger, our invoice numbered
// with the discount and tax, receipt e-mailed, provisioning requested.
func TestCheckoutJourney(t *testing.T) {
	s := newShop(t)
	p := s.plan("limited", func(in *catalog.PlanInput) { in.Stock = catalogtest.Int64(3) })
	if _, err := s.p.Coupons.Create(context.Background(), coupons.Coupon{Code: "TENOFF", Kind: coupons.Percent, PercentBP: 1000, MaxUses: 5, PerCustomer: 1, Active: true}); err != nil {
		t.Fatal(err)
	}
	alice := customer(t, s.env, "alice@example.com")
	code, o, raw := s.checkout(alice, map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "coupon": "tenoff", "options": vpsOptions()})
	if code != 201 || o.Status != orders.Pending || o.CheckoutURL == "" {
		t.Fatalf("checkout: %d %s", code, raw)
	}
	if o.Price != 1000 || o.Discount != 100 || o.Total != 900 || o.Renewal != 1000 || o.Options.Location != "Dallas, US" {
		t.Fatalf("amounts/options = %+v", o)
	}
	if s.stock(p.ID) != 2 || s.couponUses("TENOFF") != 1 {
		t.Fatalf("stock %d, coupon uses %d: want 2 and 1 reserved", s.stock(p.ID), s.couponUses("TENOFF"))
	}
	if code := s.pay(o.CheckoutURL, stripesim.CardDeclined); code != http.StatusPaymentRequired {
		t.Fatalf("declined card: %d", code)
	}
	if code := s.pay(o.CheckoutURL, stripesim.CardSuccess); code != http.StatusSeeOther {
		t.Fatalf("pay: %d", code)
	}
	if code := s.pay(o.CheckoutURL, stripesim.CardSuccess); code != http.StatusConflict {
		t.Fatalf("paying twice: %d, want 409", code)
	}
	paid := s.order(o.ID, orders.Paid)
	if paid.PaidAt == nil || !strings.HasPrefix(paid.SubscriptionID, "sub_") {
		t.Fatalf("paid order = %+v", paid)
	}
	var invoices struct {
		Invoices []struct {
			ID, Number, Status string
			Total              int64
			Lines              []struct{ Amount int64 }
		}
	}
	s.eventually("the invoice", func() bool {
		_, b, _ := alice.Do("GET", "/v1/me/invoices", nil)
		_ = json.Unmarshal(b, &invoices)
		return len(invoices.Invoices) == 1
	})
	inv := invoices.Invoices[0]
	if inv.Status != "paid" || inv.Total != 900 || !strings.HasPrefix(inv.Number, "EZS-2026-") || len(inv.Lines) != 2 || inv.Lines[1].Amount != -100 {
		t.Fatalf("invoice = %+v", inv)
	}
	if code, b, _ := alice.Do("GET", "/v1/me/invoices/"+inv.ID+"/pdf", nil); code != 200 || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("pdf: %d", code)
	}
	_, b, _ := alice.Do("GET", "/v1/me/payments", nil)
	var pays struct{ Payments []orders.Payment }
	_ = json.Unmarshal(b, &pays)
	if len(pays.Payments) != 1 || pays.Payments[0].Amount != 900 || pays.Payments[0].Status != orders.PaymentSucceeded || pays.Payments[0].GatewayChargeID == "" {
		t.Fatalf("payments = %s", b)
	}
	_, b, _ = alice.Do("GET", "/v1/me/subscriptions", nil)
	var subs struct{ Subscriptions []orders.Subscription }
	_ = json.Unmarshal(b, &subs)
	if len(subs.Subscriptions) != 1 || subs.Subscriptions[0].Status != "active" || !subs.Subscriptions[0].CurrentPeriodEnd.After(subs.Subscriptions[0].CurrentPeriodStart) {
		t.Fatalf("subscriptions = %s", b)
	}
	// The receipt carries the PDF; admins heard about the order.
	s.eventually("the receipt", func() bool {
		list, _, _ := s.p.Notify.List(context.Background(), "", "")
		kinds := map[string]bool{}
		for _, m := range list {
			kinds[string(m.Kind)] = len(m.Attachments) > 0 || kinds[string(m.Kind)]
		}
		return kinds["payment_received"] && len(list) >= 2
	})
	// Provisioning is requested and waits, visibly, for its consumer.
	resp, got := s.do("GET", "/v1/admin/orders/"+o.ID, "", true)
	if resp.StatusCode != 200 {
		t.Fatalf("admin order: %d %v", resp.StatusCode, got)
	}
	kinds := map[string]any{}
	for _, ev := range got["events"].([]any) {
		m := ev.(map[string]any)
		kinds[m["kind"].(string)] = m["published_at"]
	}
	if kinds["provision.requested"] != nil || kinds["order.paid"] == nil {
		t.Fatalf("events = %v: want order.paid published and provision.requested pending", kinds)
	}
	// The first purchase fixed the billing currency.
	code, _, raw = s.checkout(alice, map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "EUR", "options": vpsOptions()})
	if code != 400 || !strings.Contains(raw, "billed in USD") {
		t.Fatalf("second currency: %d %s", code, raw)
	}
}

// Bad input gets a clear 4xx and writes nothing: no order, no stock
// taken, no coupon use.
func TestCheckoutRefusesBadInput(t *testing.T) {
	s := newShop(t)
	p := s.plan("limited", func(in *catalog.PlanInput) { in.Stock = catalogtest.Int64(2) })
	soldOut := s.plan("soldout", func(in *catalog.PlanInput) { in.Stock = catalogtest.Int64(0) })
	game := s.plan("game", func(in *catalog.PlanInput) {
		in.ServiceType, in.Features.Extras = catalog.GameServer, map[string]string{"games": "Minecraft, Rust"}
	})
	ctx := context.Background()
	past := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []coupons.Coupon{
		{Code: "GONE", Kind: coupons.Percent, PercentBP: 1000, Active: true, ExpiresAt: &past},
		{Code: "OTHER", Kind: coupons.Percent, PercentBP: 1000, Active: true, PlanIDs: []string{game.ID}},
		{Code: "EUROS", Kind: coupons.Fixed, AmountsOff: map[string]int64{"EUR": 100}, Active: true},
		{Code: "ONE", Kind: coupons.Percent, PercentBP: 1000, Active: true, MaxUses: 1},
	} {
		if _, err := s.p.Coupons.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// ONE is used up by someone else first.
	bob := customer(t, s.env, "bob@example.com")
	if code, _, raw := s.checkout(bob, map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "coupon": "ONE", "options": vpsOptions()}); code != 201 {
		t.Fatalf("bob: %d %s", code, raw)
	}
	s.clock.Advance(10 * 24 * time.Hour) // GONE expires
	alice := customer(t, s.env, "alice@example.com")
	base := func(change func(m map[string]any)) map[string]any {
		m := map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "options": vpsOptions()}
		change(m)
		return m
	}
	cases := []struct {
		name  string
		body  map[string]any
		code  int
		field string
	}{
		{"UnknownPlan", base(func(m map[string]any) { m["plan_id"] = "pln_nope" }), 400, "plan_id"},
		{"UnknownCycle", base(func(m map[string]any) { m["cycle"] = "weekly" }), 400, "cycle"},
		{"NoPriceInCurrency", base(func(m map[string]any) { m["currency"] = "GBP" }), 400, "currency"},
		{"NoPriceForCycle", base(func(m map[string]any) { m["currency"], m["cycle"] = "EUR", "annual" }), 400, "currency"},
		{"BadHostname", base(func(m map[string]any) { m["options"] = map[string]any{"hostname": "not a host", "os": "debian-12"} }), 400, "options.hostname"},
		{"BadOS", base(func(m map[string]any) { m["options"] = map[string]any{"hostname": "a.example.com", "os": "windows-95"} }), 400, "options.os"},
		{"BadLocation", base(func(m map[string]any) {
			m["options"] = map[string]any{"hostname": "a.example.com", "os": "debian-12", "location": "Mars"}
		}), 400, "options.location"},
		{"BadGame", map[string]any{"plan_id": game.ID, "cycle": "monthly", "currency": "USD", "options": map[string]any{"game": "Chess"}}, 400, "options.game"},
		{"GatewayNotConfigured", base(func(m map[string]any) { m["gateway"] = "paypal" }), 400, "gateway"},
		{"UnknownCoupon", base(func(m map[string]any) { m["coupon"] = "NOPE" }), 400, "code"},
		{"ExpiredCoupon", base(func(m map[string]any) { m["coupon"] = "GONE" }), 400, "code"},
		{"CouponForAnotherPlan", base(func(m map[string]any) { m["coupon"] = "OTHER" }), 400, "code"},
		{"CouponWithoutCurrency", base(func(m map[string]any) { m["coupon"] = "EUROS" }), 400, "code"},
		{"ExhaustedCoupon", base(func(m map[string]any) { m["coupon"] = "ONE" }), 400, "code"},
		{"OutOfStock", base(func(m map[string]any) { m["plan_id"] = soldOut.ID }), 409, ""},
		{"UnknownField", base(func(m map[string]any) { m["price"] = 1 }), 400, "price"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, raw := s.checkout(alice, c.body)
			if code != c.code || (c.field != "" && !strings.Contains(raw, `"`+c.field+`"`)) {
				t.Fatalf("%d %s, want %d with field %q", code, raw, c.code, c.field)
			}
		})
	}
	_, b, _ := alice.Do("GET", "/v1/me/orders", nil)
	if !strings.Contains(string(b), `"orders":[]`) {
		t.Fatalf("alice has orders after refused checkouts: %s", b)
	}
	if s.stock(p.ID) != 1 || s.stock(soldOut.ID) != 0 || s.couponUses("ONE") != 1 {
		t.Fatalf("stock %d/%d, ONE uses %d", s.stock(p.ID), s.stock(soldOut.ID), s.couponUses("ONE"))
	}
	// Alice takes the last unit; Bob's is reserved while he pays.
	if code, _, raw := s.checkout(alice, base(func(map[string]any) {})); code != 201 {
		t.Fatalf("last unit: %d %s", code, raw)
	}
	if code, _, raw := s.checkout(alice, base(func(map[string]any) {})); code != 409 {
		t.Fatalf("last unit taken: %d %s", code, raw)
	}
}

// A gateway outage charges nothing and leaves nothing reserved.
func TestCheckoutGatewayDown(t *testing.T) {
	s := newShop(t)
	p := s.plan("limited", func(in *catalog.PlanInput) { in.Stock = catalogtest.Int64(2) })
	if _, err := s.p.Coupons.Create(context.Background(), coupons.Coupon{Code: "ONCE", Kind: coupons.Percent, PercentBP: 500, Active: true, PerCustomer: 1}); err != nil {
		t.Fatal(err)
	}
	alice := customer(t, s.env, "alice@example.com")
	body := map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "coupon": "ONCE", "options": vpsOptions()}
	s.stripe.FailNext(503) // the customer call (Stripe-Should-Retry: false, so no retries)
	if code, _, raw := s.checkout(alice, body); code != 503 {
		t.Fatalf("customer call down: %d %s", code, raw)
	}
	if s.stock(p.ID) != 2 || s.couponUses("ONCE") != 0 {
		t.Fatal("something was reserved although nothing was ordered")
	}
	// Customer created, then the session call fails: the order is
	// cancelled and releases its unit and the coupon use.
	if code, _, raw := s.checkout(alice, map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "options": vpsOptions()}); code != 201 {
		t.Fatalf("warm-up: %d %s", code, raw)
	}
	s.stripe.FailNext(503)
	code, _, raw := s.checkout(alice, body)
	if code != 503 {
		t.Fatalf("session call down: %d %s", code, raw)
	}
	if s.stock(p.ID) != 1 || s.couponUses("ONCE") != 0 {
		t.Fatalf("stock %d (want 1: only the warm-up's), coupon uses %d", s.stock(p.ID), s.couponUses("ONCE"))
	}
	list, _, _ := s.p.Orders.ListAll(context.Background(), orders.Cancelled, "")
	if len(list) != 1 || list[0].Note == "" {
		t.Fatalf("cancelled orders = %+v", list)
	}
	// The coupon is usable again.
	if code, _, raw := s.checkout(alice, body); code != 201 {
		t.Fatalf("after recovery: %d %s", code, raw)
	}
}

// An unpaid checkout that expires releases its stock and coupon use.
func TestCheckoutExpiry(t *testing.T) {
	s := newShop(t)
	p := s.plan("limited", func(in *catalog.PlanInput) { in.Stock = catalogtest.Int64(1) })
	if _, err := s.p.Coupons.Create(context.Background(), coupons.Coupon{Code: "ONCE", Kind: coupons.Percent, PercentBP: 500, Active: true, PerCustomer: 1, MaxUses: 1}); err != nil {
		t.Fatal(err)
	}
	alice := customer(t, s.env, "alice@example.com")
	code, o, raw := s.checkout(alice, map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "coupon": "ONCE", "options": vpsOptions()})
	if code != 201 {
		t.Fatalf("checkout: %d %s", code, raw)
	}
	req, _ := http.NewRequest("POST", strings.Replace(o.CheckoutURL, "/checkout/", "/v1/checkout/sessions/", 1)+"/expire", nil)
	req.Header.Set("Authorization", "Bearer sk_test_sim")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("expire: %v %v", res, err)
	}
	s.order(o.ID, orders.Expired)
	if s.stock(p.ID) != 1 || s.couponUses("ONCE") != 0 {
		t.Fatalf("after expiry: stock %d, uses %d", s.stock(p.ID), s.couponUses("ONCE"))
	}
	if code := s.pay(o.CheckoutURL, stripesim.CardSuccess); code != http.StatusConflict {
		t.Fatalf("paying an expired session: %d", code)
	}
	if code, _, raw := s.checkout(alice, map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "coupon": "ONCE", "options": vpsOptions()}); code != 201 {
		t.Fatalf("buy again: %d %s", code, raw)
	}
}

// Plans that need approval hold the paid order until staff approve it.
func TestCheckoutApproval(t *testing.T) {
	s := newShop(t)
	p := s.plan("metal", func(in *catalog.PlanInput) {
		in.ServiceType, in.RequiresApproval, in.Features.Extras = catalog.Dedicated, true, nil
	})
	alice := customer(t, s.env, "alice@example.com")
	code, o, raw := s.checkout(alice, map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "options": vpsOptions()})
	if code != 201 {
		t.Fatalf("checkout: %d %s", code, raw)
	}
	s.pay(o.CheckoutURL, stripesim.CardSuccess)
	s.order(o.ID, orders.AwaitingApproval)
	events := func() map[string]bool {
		items, err := s.p.OrderStore.ListOutbox(context.Background(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, it := range items {
			m[it.Kind] = true
		}
		return m
	}
	if events()["provision.requested"] {
		t.Fatal("provisioning requested before approval")
	}
	if resp, body := s.do("POST", "/v1/admin/orders/"+o.ID+"/approve", "", true); resp.StatusCode != 200 || body["status"] != "paid" {
		t.Fatalf("approve: %d %v", resp.StatusCode, body)
	}
	if !events()["provision.requested"] {
		t.Fatal("approval did not request provisioning")
	}
	if resp, _ := s.do("POST", "/v1/admin/orders/"+o.ID+"/approve", "", true); resp.StatusCode != 409 {
		t.Fatalf("approving twice: %d", resp.StatusCode)
	}
	resp, list := s.do("GET", "/v1/admin/orders?status=paid", "", true)
	if resp.StatusCode != 200 || len(list["orders"].([]any)) != 1 {
		t.Fatalf("admin list: %d %v", resp.StatusCode, list)
	}
}

// Forged, altered and stale deliveries are refused with 400 and leave no
// trace; a replay of a good one is acknowledged and changes nothing.
func TestStripeWebhookSignatures(t *testing.T) {
	s := newShop(t)
	body := []byte(`{"id":"evt_forged","object":"event","api_version":"2024-06-20","created":1795000000,"type":"checkout.session.completed","data":{"object":{"id":"cs_1","object":"checkout.session","client_reference_id":"ord_x","payment_status":"paid"}}}`)
	post := func(sig string, payload []byte) int {
		req, _ := http.NewRequest("POST", s.srv.URL+"/v1/webhooks/stripe", strings.NewReader(string(payload)))
		req.Header.Set("Content-Type", "application/json; charset=utf-8") // as Stripe sends
		req.Header.Set("Stripe-Signature", sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	cases := map[string]int{
		stripesim.Sign(body, "whsec_other", time.Now()):                   400,
		stripesim.Sign(body, "whsec_sim", time.Now().Add(-6*time.Minute)): 400,
		"":                400,
		"t=1,v1=deadbeef": 400,
	}
	for sig, want := range cases {
		if got := post(sig, body); got != want {
			t.Errorf("signature %q: %d, want %d", sig, got, want)
		}
	}
	altered := []byte(strings.Replace(string(body), "ord_x", "ord_y", 1))
	if got := post(stripesim.Sign(body, "whsec_sim", time.Now()), altered); got != 400 {
		t.Errorf("altered body: %d", got)
	}
	if n := countType(t, s.env, "webhook_event"); n != 0 {
		t.Fatalf("%d events recorded from refused deliveries", n)
	}
	good := stripesim.Sign(body, "whsec_sim", time.Now())
	for i := range 3 {
		if got := post(good, body); got != 200 {
			t.Fatalf("delivery %d: %d", i, got)
		}
	}
	if n := countType(t, s.env, "webhook_event"); n != 1 {
		t.Fatalf("%d event records after three deliveries of one event, want 1", n)
	}
}

// countType counts items of one type in the table (tests only: a scan).
func countType(t *testing.T, e *env, typ string) int {
	t.Helper()
	out, err := e.api.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("ezscale")})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range out.Items {
		if v, ok := it["type"].(*types.AttributeValueMemberS); ok && v.Value == typ {
			n++
		}
	}
	return n
}

// A gateway customer the gateway no longer knows (deleted in its dashboard,
// or the keys now belong to another account) is replaced, once, instead of
// failing every checkout and card setup with a 500.
func TestGatewayCustomerDeletedAtTheGateway(t *testing.T) {
	s := newShop(t)
	p := s.plan("vps-a", nil)
	alice := customer(t, s.env, "alice@example.com")
	body := map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "options": vpsOptions()}
	code, first, raw := s.checkout(alice, body)
	if code != 201 {
		t.Fatalf("first checkout: %d %s", code, raw)
	}
	acct, err := s.p.OrderStore.Account(context.Background(), first.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	old := acct.GatewayCustomers["stripe"]
	req, _ := http.NewRequest("DELETE", s.stripeURL+"/v1/customers/"+old, nil)
	req.Header.Set("Authorization", "Bearer sk_test_sim")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("delete at the simulator: %v %v", err, res)
	}
	code, second, raw := s.checkout(alice, body)
	if code != 201 || second.CheckoutURL == "" {
		t.Fatalf("checkout after the customer was deleted at the gateway: %d %s", code, raw)
	}
	acct, _ = s.p.OrderStore.Account(context.Background(), first.CustomerID)
	replaced := acct.GatewayCustomers["stripe"]
	if replaced == old || replaced == "" || s.stripe.Object(replaced) == nil {
		t.Fatalf("gateway customer %q (was %q), want a new one the gateway knows", replaced, old)
	}
	if owner, err := s.p.OrderStore.CustomerByGateway(context.Background(), "stripe", replaced); err != nil || owner != first.CustomerID {
		t.Fatalf("events of the new customer map to %q, %v", owner, err)
	}
	if s.pay(second.CheckoutURL, "4242424242424242") != http.StatusSeeOther {
		t.Fatal("paying the new checkout failed")
	}
	s.order(second.ID, orders.Paid)
	// Card setup goes to the replacement too, without another replacement.
	if code, raw, _ := alice.Do("POST", "/v1/me/payment-methods/setup", nil); code != 201 {
		t.Fatalf("card setup: %d %s", code, raw)
	}
	if acct, _ = s.p.OrderStore.Account(context.Background(), first.CustomerID); acct.GatewayCustomers["stripe"] != replaced {
		t.Fatal("card setup replaced the customer again")
	}
}

// Nothing is sold that nothing here can deliver: a plan whose service type
// has no panel is listed as unavailable and checkout refuses it; a plan
// served in some of its locations offers only those.
func TestUndeliverablePlansAreNotSold(t *testing.T) {
	routes, err := provisioning.NewRoutes([]provisioning.Route{{Panel: "vps", ServiceType: catalog.VPS, Locations: []string{"Dallas, US"}}})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := provisioning.NewRegistry(routes, billingOnlyPanel{name: "vps"})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOver(t, nil, func(api dynamo.API) dynamo.API { return api }, reg)
	vps := catalogtest.Input("vps-ok")
	vps.Features.Locations = []string{"Dallas, US", "London, UK"}
	hosting := catalogtest.Input("web-no")
	hosting.ServiceType, hosting.Features.Extras = catalog.Hosting, nil
	for _, in := range []catalog.PlanInput{vps, hosting} {
		if _, err := e.p.Catalog.Create(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	_, listing := e.do("GET", "/v1/plans", "", false)
	for _, raw := range listing["plans"].([]any) {
		p := raw.(map[string]any)
		want := p["service_type"] == "vps"
		if p["available"] != want || (!want && p["unavailable_reason"] == "") {
			t.Errorf("%s: available=%v reason=%v", p["slug"], p["available"], p["unavailable_reason"])
		}
		if locs := p["features"].(map[string]any)["locations"]; want && fmt.Sprint(locs) != "[Dallas, US]" {
			t.Errorf("%s offered in %v, served only in Dallas", p["slug"], locs)
		}
	}
	plans, _ := e.p.Catalog.List(context.Background(), catalog.Active, catalog.Hosting)
	alice := customer(t, e, "alice@example.com")
	code, raw, _ := alice.Do("POST", "/v1/me/orders", map[string]any{"plan_id": plans[0].ID, "cycle": "monthly", "currency": "USD", "options": map[string]any{"domain": "example.com"}})
	if code != 409 || !strings.Contains(string(raw), "cannot be ordered") {
		t.Fatalf("hosting checkout without a hosting panel: %d %s", code, raw)
	}
	vpsPlans, _ := e.p.Catalog.List(context.Background(), catalog.Active, catalog.VPS)
	code, raw, _ = alice.Do("POST", "/v1/me/orders", map[string]any{"plan_id": vpsPlans[0].ID, "cycle": "monthly", "currency": "USD",
		"options": map[string]any{"hostname": "web1.example.com", "os": "debian-12", "location": "London, UK"}})
	if code != 400 || !strings.Contains(string(raw), "is not available in London, UK yet") {
		t.Fatalf("a VPS in an unserved location: %d %s", code, raw)
	}
}
