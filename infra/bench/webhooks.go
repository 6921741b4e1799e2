package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/clock"
)

// benchWebhooks prints Stripe webhook handling in process (signature,
// dedupe + state + outbox transaction, HTTP): p50/p99 for first
// deliveries and for duplicates, then the outbox's effects per second
// (our invoice numbered, PDF stored, receipt queued).
func benchWebhooks() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ezscale-bench-webhooks")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const secret = "whsec_bench"
	p, _, _, err := platform(ctx, dir, clock.System{}, map[string]string{"ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME": "1",
		"STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": secret})
	if err != nil {
		return err
	}
	u, err := p.Accounts.CreateUser(ctx, accounts.NewUser{Email: "bench@example.com", Name: "Bench", Password: "correct horse battery staple", Role: accounts.Customer, Verified: true})
	if err != nil {
		return err
	}
	store := dynamo.NewOrders(p.Table)
	const n = 300
	now := time.Now().UTC()
	for i := range n {
		o := &orders.Order{ID: fmt.Sprintf("ord_bench_%04d", i), CustomerID: u.ID, PlanID: "pln_bench", PlanName: "VPS Standard", ServiceType: catalog.VPS,
			Cycle: catalog.Monthly, Currency: "USD", Status: orders.Pending, Price: 1199, Total: 1199, Renewal: 1199, Gateway: "stripe", CreatedAt: now, ExpiresAt: now.Add(time.Hour), Version: 1}
		if err := store.CreateOrder(ctx, o, nil); err != nil {
			return err
		}
	}
	h := p.Handler("")
	deliver := func(body string) (time.Duration, error) {
		req := httptest.NewRequest(http.MethodPost, "/v1/webhooks/stripe", strings.NewReader(body))
		req.Header.Set("Stripe-Signature", stripesim.Sign([]byte(body), secret, time.Now()))
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		el := time.Since(start)
		if rec.Code != 200 {
			return 0, fmt.Errorf("webhook answered %d: %s", rec.Code, rec.Body)
		}
		return el, nil
	}
	event := func(id, typ, object string) string {
		return fmt.Sprintf(`{"id":"%s","object":"event","api_version":"%s","created":%d,"type":"%s","data":{"object":%s}}`, id, stripesim.APIVersion, now.Unix(), typ, object)
	}
	var bodies []string
	for i := range n {
		ord := fmt.Sprintf("ord_bench_%04d", i)
		bodies = append(bodies,
			event(fmt.Sprintf("evt_paid_%d", i), "invoice.paid", fmt.Sprintf(`{"id":"in_%d","object":"invoice","customer":"cus_b","subscription":"sub_%d","subscription_details":{"metadata":{"ezscale_order_id":"%s"}},"currency":"usd","total":1199,"amount_paid":1199,"charge":"ch_%d","billing_reason":"subscription_create","lines":{"object":"list","data":[{"id":"il_%d","object":"line_item","period":{"start":%d,"end":%d}}]}}`, i, i, ord, i, i, now.Unix(), now.AddDate(0, 1, 0).Unix())),
			event(fmt.Sprintf("evt_cs_%d", i), "checkout.session.completed", fmt.Sprintf(`{"id":"cs_%d","object":"checkout.session","client_reference_id":"%s","customer":"cus_b","subscription":"sub_%d","payment_status":"paid"}`, i, ord, i)))
	}
	var first, dup []time.Duration
	for _, b := range bodies {
		el, err := deliver(b)
		if err != nil {
			return err
		}
		first = append(first, el)
	}
	for _, b := range bodies[:200] {
		el, err := deliver(b)
		if err != nil {
			return err
		}
		dup = append(dup, el)
	}
	fmt.Printf("Stripe webhooks in process (verify signature, one transaction: dedupe + order + ledger + outbox; %d events)\n", len(bodies))
	fmt.Printf("  first delivery   p50 %v   p99 %v\n", pct(first, 50), pct(first, 99))
	fmt.Printf("  duplicate        p50 %v   p99 %v\n", pct(dup, 50), pct(dup, 99))
	start := time.Now()
	total := 0
	for {
		k, err := p.Outbox.Publish(ctx)
		if err != nil {
			return err
		}
		if k == 0 {
			break
		}
		total += k
	}
	el := time.Since(start)
	fmt.Printf("  outbox effects: %d items (invoices issued with PDF + receipt, order alerts) in %v = %.0f per second\n\n", total, el.Round(time.Millisecond), float64(total)/el.Seconds())
	return nil
}
