package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/platform/infra/paypalsim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/paypalgw"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/clock"
)

// benchPayPal prints PayPal webhook handling in process: each delivery is
// verified by the verify-webhook-signature postback (to the simulator on
// loopback), a sale's subscription is read, then one transaction records
// the event, the order, the ledger and the outbox. p50/p99 for first
// deliveries and for duplicates (which still verify before the dedupe).
func benchPayPal() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ezscale-bench-paypal")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var sim *paypalsim.Sim
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sim.Handler().ServeHTTP(w, r) }))
	defer srv.Close()
	sim = paypalsim.New("bench-client", "bench-secret", "WH-BENCH", srv.URL, nil)
	var (
		mu     sync.Mutex
		bodies [][]byte
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	defer hook.Close()
	sim.SetWebhookURL(hook.URL)

	p, _, _, err := platform(ctx, dir, clock.System{}, map[string]string{"ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME": "1",
		"PAYPAL_CLIENT_ID": "bench-client", "PAYPAL_SECRET": "bench-secret", "PAYPAL_WEBHOOK_ID": "WH-BENCH", "PAYPAL_API_URL": srv.URL})
	if err != nil {
		return err
	}
	u, err := p.Accounts.CreateUser(ctx, accounts.NewUser{Email: "bench@example.com", Name: "Bench", Password: "correct horse battery staple", Role: accounts.Customer, Verified: true})
	if err != nil {
		return err
	}
	gw, err := paypalgw.New(paypalgw.Config{ClientID: "bench-client", Secret: "bench-secret", WebhookID: "WH-BENCH", BaseURL: srv.URL})
	if err != nil {
		return err
	}
	store := dynamo.NewOrders(p.Table)
	const n = 200
	now := time.Now().UTC()
	approve := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := range n {
		o := &orders.Order{ID: fmt.Sprintf("ord_pp_%04d", i), CustomerID: u.ID, PlanID: "pln_bench", PlanName: "VPS Standard", ServiceType: catalog.VPS,
			Cycle: catalog.Monthly, Currency: "USD", Status: orders.Pending, Price: 1199, Total: 1199, Renewal: 1199, Gateway: "paypal", CreatedAt: now,
			ExpiresAt: now.Add(time.Hour), Version: 1}
		if err := store.CreateOrder(ctx, o, nil); err != nil {
			return err
		}
		co, err := gw.CreateCheckout(ctx, gateway.CheckoutInput{OrderID: o.ID, PlanID: o.PlanID, Product: "VPS Standard (monthly)", Currency: "USD",
			Amount: 1199, Interval: "month", IntervalCount: 1, SuccessURL: "https://ezscale.example/ok", CancelURL: "https://ezscale.example/no"})
		if err != nil {
			return err
		}
		link, _ := url.Parse(co.URL)
		res, err := approve.PostForm(srv.URL+"/webapps/billing/subscriptions", url.Values{"ba_token": {link.Query().Get("ba_token")}, "action": {"approve"}})
		if err != nil {
			return err
		}
		res.Body.Close()
	}
	for sim.DeliverDue(ctx) > 0 {
	}
	h := p.Handler("")
	deliver := func(body []byte) (time.Duration, error) {
		req := httptest.NewRequest(http.MethodPost, "/v1/webhooks/paypal", strings.NewReader(string(body)))
		req.Header = sim.Headers(body)
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		el := time.Since(start)
		if rec.Code != 200 {
			return 0, fmt.Errorf("webhook answered %d: %s", rec.Code, rec.Body)
		}
		return el, nil
	}
	var first, dup []time.Duration
	for _, b := range bodies {
		el, err := deliver(b)
		if err != nil {
			return err
		}
		first = append(first, el)
	}
	for _, b := range bodies[:min(len(bodies), 300)] {
		el, err := deliver(b)
		if err != nil {
			return err
		}
		dup = append(dup, el)
	}
	paid := 0
	for i := range n {
		if o, err := store.GetOrder(ctx, fmt.Sprintf("ord_pp_%04d", i)); err == nil && o.Status == orders.Paid {
			paid++
		}
	}
	fmt.Printf("PayPal webhooks in process (postback verification to the simulator on loopback, a sale's subscription read, one transaction; %d events, %d of %d orders paid)\n", len(bodies), paid, n)
	fmt.Printf("  first delivery   p50 %v   p99 %v\n", pct(first, 50), pct(first, 99))
	fmt.Printf("  duplicate        p50 %v   p99 %v\n\n", pct(dup, 50), pct(dup, 99))
	return nil
}
