package stack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/session"
)

// customer signs the demo customer in, at the platform's time now.
func customer(t *testing.T, st *stack.Stack, base string, now func() time.Time) *session.Client {
	t.Helper()
	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// orderWithPayPal orders plan with "gateway": "paypal" as the demo
// customer c; the order sends the buyer to PayPal's approval page.
func orderWithPayPal(t *testing.T, c *session.Client, plan catalog.Plan, hostname string) orders.Order {
	t.Helper()
	var o orders.Order
	code, raw, _ := c.Do("POST", "/v1/me/orders", map[string]any{"plan_id": plan.ID, "cycle": "monthly", "currency": "USD", "gateway": "paypal",
		"options": map[string]any{"hostname": hostname, "os": "debian-12", "location": "Dallas, US"}})
	if code != 201 || json.Unmarshal(raw, &o) != nil {
		t.Fatalf("checkout: %d %s", code, raw)
	}
	if o.Gateway != "paypal" || !strings.Contains(o.CheckoutURL, "/dev/paypal/webapps/billing/subscriptions?ba_token=") {
		t.Fatalf("order %+v does not send the buyer to PayPal", o)
	}
	return o
}

// answer submits a PayPal page's form (approval or consent) as the buyer
// does — action approve, approve_declining or cancel — and returns where
// PayPal sends them.
func answer(t *testing.T, link, action string) string {
	t.Helper()
	u, _ := url.Parse(link)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(link, url.Values{"ba_token": {u.Query().Get("ba_token")}, "action": {action}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s at %s: %v %v", action, link, err, res)
	}
	res.Body.Close()
	return res.Header.Get("Location")
}

// allDelivered waits until PayPal's events have all been taken with a 2xx.
func allDelivered(t *testing.T, st *stack.Stack) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); undelivered(st) > 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("PayPal's events were never all taken")
		}
	}
}

// buyWithPayPal orders the first VPS plan with PayPal, answers the
// approval page as the buyer does (approve, or approve with renewals that
// will be declined), and waits for the service.
func buyWithPayPal(t *testing.T, st *stack.Stack, c *session.Client, hostname, action string) (*orders.Order, *provisioning.Service) {
	t.Helper()
	plans, _ := st.Platform.Catalog.List(context.Background(), catalog.Active, catalog.VPS)
	o := orderWithPayPal(t, c, plans[0], hostname)
	page, err := http.Get(o.CheckoutURL)
	if err != nil || page.StatusCode != 200 {
		t.Fatalf("approval page: %v %v", err, page)
	}
	page.Body.Close()
	if back := answer(t, o.CheckoutURL, action); !strings.Contains(back, "/account/orders/"+o.ID) || !strings.Contains(back, "subscription_id=") {
		t.Fatalf("PayPal returned the buyer to %q", back)
	}
	return &o, waitService(t, st, provisioning.ServiceID(o.ID), provisioning.StatusActive)
}

func ledger(t *testing.T, st *stack.Stack, customerID string, ok func([]orders.Payment) bool) []orders.Payment {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		list, err := st.Platform.Orders.Payments(context.Background(), customerID)
		if err == nil && ok(list) {
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("ledger never settled: %+v (%v)", list, err)
		}
	}
}

// A customer buys with PayPal, the clock renews it at PayPal, staff refund
// part of the renewal through PayPal, and the customer cancels at the
// period's end (taking it back once): each step reaches the ledger once,
// from PayPal's signed webhooks, and PayPal bills nothing after the end.
func TestPayPalPurchaseRenewalRefundAndCancel(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	c := customer(t, st, base, time.Now)
	var offer struct {
		Gateways []orders.GatewayOffer `json:"gateways"`
	}
	if code, raw, _ := c.Do("GET", "/v1/me/payment-methods", nil); code != 200 || json.Unmarshal(raw, &offer) != nil || len(offer.Gateways) != 2 || offer.Gateways[1].Name != "paypal" {
		t.Fatalf("ways to pay: %d %s", code, raw)
	}
	o, svc := buyWithPayPal(t, st, c, "paypal.example.com", "approve")
	paid := ledger(t, st, svc.CustomerID, func(l []orders.Payment) bool { return len(l) == 1 })
	if paid[0].Gateway != "paypal" || paid[0].Amount != o.Total || paid[0].Status != orders.PaymentSucceeded {
		t.Fatalf("first payment %+v for order total %d", paid[0], o.Total)
	}
	sub, err := st.Platform.Orders.Subscription(ctx, "", orders.SubscriptionID(o.ID))
	if err != nil || sub.Gateway != "paypal" || sub.GatewayID == "" {
		t.Fatalf("subscription %+v (%v)", sub, err)
	}

	if code, _, _ := devClock(t, base, `{"advance": "32d"}`); code != 200 {
		t.Fatal("the dev clock did not move")
	}
	paid = ledger(t, st, svc.CustomerID, func(l []orders.Payment) bool { return len(l) == 2 })
	renewal := paid[0]
	if renewal.ID == paid[1].ID || renewal.Amount != o.Renewal || renewal.Status != orders.PaymentSucceeded {
		t.Fatalf("after a month the ledger is %+v", paid)
	}
	if through, err := st.Platform.Orders.PaidThrough(ctx, o.ID); err != nil || !through.After(st.Clock.Now().AddDate(0, 0, 20)) {
		t.Fatalf("paid through %v (%v) after the renewal", through, err)
	}

	admin, err := session.SignIn(base, st.DemoAdmin.Email, st.DemoAdmin.Password, st.DemoAdmin.TOTPSecret, st.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	part := renewal.Amount / 4
	if code, raw, _ := admin.Do("POST", "/v1/admin/payments/"+url.PathEscape(renewal.ID)+"/refund", map[string]any{"amount": part, "reason": "requested_by_customer"}); code != 201 {
		t.Fatalf("refund: %d %s", code, raw)
	}
	saleID := strings.TrimPrefix(renewal.ID, "paypal:")
	if n := st.PayPal.Refunds(saleID); n != 1 {
		t.Fatalf("PayPal holds %d refunds of sale %s", n, saleID)
	}
	// PayPal's PAYMENT.SALE.REFUNDED for the same refund adds nothing.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if undelivered(st) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("PayPal's events were never all taken")
		}
	}
	if got, _ := st.Platform.OrderStore.GetPayment(ctx, renewal.ID); got.Refunded != part {
		t.Fatalf("refunded %d, want %d once", got.Refunded, part)
	}

	c = customer(t, st, base, st.Clock.Now) // the month ended the old session
	// PayPal cancels at once only: an end at the period's end is ours to
	// keep (and take back) until just before PayPal would bill again.
	subPath := "/v1/me/subscriptions/" + orders.SubscriptionID(o.ID)
	for _, step := range []struct{ path, body string }{{"/cancel", `{"when": "period_end"}`}, {"/resume", ""}, {"/cancel", `{"when": "period_end", "reason": "too_expensive"}`}} {
		var body any
		if step.body != "" {
			body = json.RawMessage(step.body)
		}
		if code, raw, _ := c.Do("POST", subPath+step.path, body); code != 200 {
			t.Fatalf("%s: %d %s", step.path, code, raw)
		}
	}
	if sub, _ = st.Platform.Orders.Subscription(ctx, "", orders.SubscriptionID(o.ID)); !sub.CancelAtPeriodEnd {
		t.Fatalf("after cancel at period end: %+v", sub)
	}
	if x, _ := st.PayPal.Subscription(sub.GatewayID); x.Status != "ACTIVE" {
		t.Fatalf("PayPal's subscription is %s before the period ends", x.Status)
	}
	if got := waitService(t, st, svc.ID, provisioning.StatusActive); got.Status != provisioning.StatusActive {
		t.Fatal("the service stopped before the period ended")
	}
	sales := len(st.PayPal.Sales(sub.GatewayID))
	if code, _, _ := devClock(t, base, `{"advance": "31d"}`); code != 200 {
		t.Fatal("the dev clock did not move")
	}
	waitService(t, st, svc.ID, provisioning.StatusTerminated)
	if x, _ := st.PayPal.Subscription(sub.GatewayID); x.Status != "CANCELLED" || len(st.PayPal.Sales(sub.GatewayID)) != sales {
		t.Fatalf("PayPal's subscription is %s with %d sales (was %d) after its last period", x.Status, len(st.PayPal.Sales(sub.GatewayID)), sales)
	}
}

// undelivered counts the PayPal simulator's events not yet taken with a 2xx.
func undelivered(st *stack.Stack) int {
	n := 0
	for _, e := range st.PayPal.Events() {
		if !e.Delivered {
			n++
		}
	}
	return n
}

// PayPal's approval page never lapses by itself: an order left unapproved
// past its checkout's time is expired by billing (releasing what it held),
// and a buyer who approves afterwards still gets the service — the money
// is real, so the order is.
func TestUnapprovedPayPalCheckoutExpires(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	c := customer(t, st, base, time.Now)
	plans, _ := st.Platform.Catalog.List(ctx, catalog.Active, catalog.VPS)
	o := orderWithPayPal(t, c, plans[0], "late.example.com")
	if code, _, _ := devClock(t, base, `{"advance": "2h"}`); code != 200 {
		t.Fatal("the dev clock did not move")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got, err := st.Platform.Orders.Get(ctx, o.ID)
		if err == nil && got.Status == orders.Expired {
			if got.StockReserved && got.ClosedAt == nil {
				t.Fatalf("expired without releasing: %+v", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the unapproved order is %+v (%v)", got, err)
		}
	}
	answer(t, o.CheckoutURL, "approve")
	waitService(t, st, provisioning.ServiceID(o.ID), provisioning.StatusActive)
}

// At /v1/webhooks/paypal, unsigned and altered deliveries are refused with
// 400 and a verification PayPal cannot answer with 503, each changing
// nothing; the genuine delivery pays the order once, however often it
// comes.
func TestForgedPayPalWebhooksChangeNothing(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	st.PayPal.SetWebhookURL("") // the test delivers by hand
	c := customer(t, st, base, time.Now)
	plans, _ := st.Platform.Catalog.List(ctx, catalog.Active, catalog.VPS)
	o := orderWithPayPal(t, c, plans[0], "forged.example.com")
	answer(t, o.CheckoutURL, "approve")
	var sale []byte
	for _, e := range st.PayPal.Events() {
		if e.Type == "PAYMENT.SALE.COMPLETED" {
			sale = []byte(e.Body)
		}
	}
	post := func(body []byte, h http.Header) int {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/v1/webhooks/paypal", strings.NewReader(string(body)))
		for k, v := range h {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	unchanged := func(what string) {
		t.Helper()
		if got, _ := st.Platform.Orders.Get(ctx, o.ID); got.Status != orders.Pending {
			t.Fatalf("%s moved the order to %s", what, got.Status)
		}
		if list, _ := st.Platform.Orders.Payments(ctx, o.CustomerID); len(list) != 0 {
			t.Fatalf("%s wrote %+v", what, list)
		}
	}
	if code := post(sale, nil); code != 400 {
		t.Fatalf("unsigned: %d", code)
	}
	unchanged("an unsigned delivery")
	signed := st.PayPal.Headers(sale)
	altered := []byte(strings.Replace(string(sale), `"custom":"`+o.ID+`"`, `"custom":"ord_someone_else"`, 1))
	if string(altered) == string(sale) {
		t.Fatal("the sale names no order to alter")
	}
	if code := post(altered, signed); code != 400 {
		t.Fatalf("altered: %d", code)
	}
	unchanged("an altered delivery")
	st.PayPal.FailNext(503) // the postback is sent once: its 503 is the answer
	if code := post(sale, st.PayPal.Headers(sale)); code != 503 {
		t.Fatalf("verification down: %d", code)
	}
	unchanged("a delivery PayPal could not verify")
	for range 2 {
		if code := post(sale, st.PayPal.Headers(sale)); code != 200 {
			t.Fatalf("genuine: %d", code)
		}
	}
	if got, _ := st.Platform.Orders.Get(ctx, o.ID); got.Status != orders.Paid {
		t.Fatalf("the genuine sale left the order %s", got.Status)
	}
	if list, _ := st.Platform.Orders.Payments(ctx, o.CustomerID); len(list) != 1 {
		t.Fatalf("ledger after the sale twice: %+v", list)
	}
}

// A buyer who cancels in their PayPal account (not here) ends the
// subscription at the gateway: the service is suspended, not terminated,
// while staff have time to undo a mistake.
func TestBuyerCancelsInPayPal(t *testing.T) {
	st, base := openStack(t)
	c := customer(t, st, base, time.Now)
	o, svc := buyWithPayPal(t, st, c, "elsewhere.example.com", "approve")
	sub, err := st.Platform.Orders.Subscription(context.Background(), "", orders.SubscriptionID(o.ID))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.PostForm(base+"/dev/paypal/dev/subscriptions/"+sub.GatewayID+"/cancel", nil)
	if err != nil || res.StatusCode != 200 { // followed back to the simulator's page
		t.Fatalf("cancel in PayPal: %v %v", err, res)
	}
	res.Body.Close()
	suspended := waitService(t, st, svc.ID, provisioning.StatusSuspended)
	if !strings.Contains(suspended.SuspendReason, "payment provider") {
		t.Fatalf("suspended for %q", suspended.SuspendReason)
	}
}

// A PayPal plan change is priced by us and its difference charged at once
// as a sale on the subscription (recorded once, with the change, not taken
// for a renewal); it waits for the buyer's consent on PayPal's page (a
// change replaced meanwhile is abandoned and its charge refunded), then
// resizes the server, and PayPal bills the new price from the next cycle.
func TestPayPalPlanChangeWaitsForConsent(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	c := customer(t, st, base, time.Now)
	o, svc := buyWithPayPal(t, st, c, "grow.example.com", "approve")
	plans, _ := st.Platform.Catalog.List(ctx, catalog.Active, catalog.VPS)
	subID := orders.SubscriptionID(o.ID)
	var preview orders.PlanChange
	code, raw, _ := c.Do("POST", "/v1/me/subscriptions/"+subID+"/change/preview", map[string]string{"plan_id": plans[1].ID})
	if code != 200 || json.Unmarshal(raw, &preview) != nil || preview.Proration.Total <= 0 {
		t.Fatalf("preview: %d %s", code, raw)
	}
	var ch orders.PlanChange
	code, raw, _ = c.Do("POST", "/v1/me/subscriptions/"+subID+"/change", map[string]any{"plan_id": plans[1].ID, "proration_date": preview.Proration.At.Unix()})
	if code != 200 || json.Unmarshal(raw, &ch) != nil || ch.Status != "awaiting_consent" || !strings.Contains(ch.ApproveURL, "/dev/paypal/webapps/billing/subscriptions/update?ba_token=") {
		t.Fatalf("change: %d %s", code, raw)
	}
	// Asked again, it is the same change; the customer may choose another
	// plan instead (PayPal's new consent request voids the old link).
	var again orders.PlanChange
	code, raw, _ = c.Do("POST", "/v1/me/subscriptions/"+subID+"/change", map[string]any{"plan_id": plans[1].ID, "proration_date": preview.Proration.At.Unix()})
	if code != 200 || json.Unmarshal(raw, &again) != nil || again.ID != ch.ID || again.ApproveURL != ch.ApproveURL {
		t.Fatalf("the same change again: %d %s", code, raw)
	}
	var other, instead orders.PlanChange
	code, raw, _ = c.Do("POST", "/v1/me/subscriptions/"+subID+"/change/preview", map[string]string{"plan_id": plans[2].ID})
	if code != 200 || json.Unmarshal(raw, &other) != nil {
		t.Fatalf("preview another plan: %d %s", code, raw)
	}
	code, raw, _ = c.Do("POST", "/v1/me/subscriptions/"+subID+"/change", map[string]any{"plan_id": plans[2].ID, "proration_date": other.Proration.At.Unix()})
	if code != 200 || json.Unmarshal(raw, &instead) != nil || instead.Status != "awaiting_consent" || instead.ID == ch.ID {
		t.Fatalf("another plan instead: %d %s", code, raw)
	}
	if old, _ := st.Platform.Orders.Change(ctx, ch.ID); old.Status != "failed" {
		t.Fatalf("the replaced change is %s", old.Status)
	}
	if res, err := http.Get(ch.ApproveURL); err != nil || res.StatusCode != 404 {
		t.Fatalf("the replaced consent link still works: %v %v", err, res)
	}
	// Back to the first choice: consent to that one.
	code, raw, _ = c.Do("POST", "/v1/me/subscriptions/"+subID+"/change/preview", map[string]string{"plan_id": plans[1].ID})
	if code != 200 || json.Unmarshal(raw, &preview) != nil {
		t.Fatalf("preview: %d %s", code, raw)
	}
	code, raw, _ = c.Do("POST", "/v1/me/subscriptions/"+subID+"/change", map[string]any{"plan_id": plans[1].ID, "proration_date": preview.Proration.At.Unix()})
	if code != 200 || json.Unmarshal(raw, &ch) != nil || ch.Status != "awaiting_consent" {
		t.Fatalf("change: %d %s", code, raw)
	}
	sub, _ := st.Platform.Orders.Subscription(ctx, "", subID)
	// The difference is charged at once, as with a card; the two changes
	// replaced meanwhile had theirs refunded in full.
	sales := st.PayPal.Sales(sub.GatewayID)
	if last := sales[len(sales)-1]; last.Amount != preview.Proration.Total || last.Refunded != 0 || len(sales) != 4 || sales[1].Refunded != sales[1].Amount || sales[2].Refunded != sales[2].Amount {
		t.Fatalf("PayPal sales %+v; the difference is %d", sales, preview.Proration.Total)
	}
	if got, _ := st.Platform.Services.GetService(ctx, svc.ID); got.PlanID != plans[0].ID {
		t.Fatal("resized before the buyer consented")
	}

	if back := answer(t, ch.ApproveURL, "approve"); !strings.Contains(back, "/account/billing?change="+ch.ID) {
		t.Fatalf("after consent PayPal sent the buyer to %q", back)
	}
	waitFor(t, st, svc.ID, func(s *provisioning.Service) bool { return s.PlanID == plans[1].ID })
	done, err := st.Platform.Orders.Change(ctx, ch.ID)
	if err != nil || done.Status != "done" || done.GatewayInvoiceID == "" {
		t.Fatalf("change after consent: %+v %v", done, err)
	}
	if got := st.PayPal.Sales(sub.GatewayID); len(got) != len(sales) || got[len(got)-1].ID != done.GatewayInvoiceID {
		t.Fatalf("PayPal sales after consent %+v; the change's is %s", got, done.GatewayInvoiceID)
	}
	allDelivered(t, st)
	charge, err := st.Platform.OrderStore.GetPayment(ctx, "paypal:"+done.GatewayInvoiceID)
	if err != nil || charge.Amount != preview.Proration.Total || charge.Status != orders.PaymentSucceeded {
		t.Fatalf("the difference on the ledger: %+v %v", charge, err)
	}
	items, _ := st.Platform.OrderStore.ListOutbox(ctx, o.ID)
	for _, it := range items {
		if it.Kind == orders.KindUnmatchedPayment {
			t.Fatalf("the change's charge was taken for a stray payment: %s", it.ID)
		}
	}
	if sub, _ = st.Platform.Orders.Subscription(ctx, "", subID); sub.PlanID != plans[1].ID || sub.Amount != done.NewRenewal || sub.ChangeInFlight != "" {
		t.Fatalf("subscription after the change: %+v", sub)
	}
	// PayPal bills the new price from the next cycle, and it pays the period.
	if code, _, _ := devClock(t, base, `{"advance": "32d"}`); code != 200 {
		t.Fatal("the dev clock did not move")
	}
	ledger(t, st, svc.CustomerID, func(l []orders.Payment) bool {
		for _, p := range l {
			if p.Status == orders.PaymentSucceeded && p.Amount == done.NewRenewal {
				return true
			}
		}
		return false
	})
}

// A PayPal downgrade, once the buyer consents, refunds the unused
// difference on the sale that paid the period — one refund on the ledger,
// however PayPal's own refund event arrives.
func TestPayPalDowngradeRefundsTheDifference(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	c := customer(t, st, base, time.Now)
	plans, _ := st.Platform.Catalog.List(ctx, catalog.Active, catalog.VPS)
	o := orderWithPayPal(t, c, plans[1], "shrink.example.com")
	answer(t, o.CheckoutURL, "approve")
	svc := waitService(t, st, provisioning.ServiceID(o.ID), provisioning.StatusActive)
	first := ledger(t, st, svc.CustomerID, func(l []orders.Payment) bool { return len(l) == 1 })[0]
	subID := orders.SubscriptionID(o.ID)
	var preview, ch orders.PlanChange
	code, raw, _ := c.Do("POST", "/v1/me/subscriptions/"+subID+"/change/preview", map[string]string{"plan_id": plans[0].ID})
	if code != 200 || json.Unmarshal(raw, &preview) != nil || preview.Proration.Total >= 0 || preview.RefundAmount != -preview.Proration.Total || preview.CreditAmount != 0 {
		t.Fatalf("preview: %d %s", code, raw)
	}
	code, raw, _ = c.Do("POST", "/v1/me/subscriptions/"+subID+"/change", map[string]any{"plan_id": plans[0].ID, "proration_date": preview.Proration.At.Unix()})
	if code != 200 || json.Unmarshal(raw, &ch) != nil || ch.Status != "awaiting_consent" {
		t.Fatalf("change: %d %s", code, raw)
	}
	answer(t, ch.ApproveURL, "approve")
	waitFor(t, st, svc.ID, func(s *provisioning.Service) bool { return s.PlanID == plans[0].ID })
	allDelivered(t, st)
	paid, _ := st.Platform.OrderStore.GetPayment(ctx, first.ID)
	list, _ := st.Platform.Orders.Payments(ctx, svc.CustomerID)
	refunds := 0
	for _, p := range list {
		if p.Status == orders.PaymentRefund && p.RefundOf == first.ID {
			refunds++
		}
	}
	if paid.Refunded != preview.RefundAmount || refunds != 1 || st.PayPal.Refunds(first.GatewayChargeID) != 1 {
		t.Fatalf("refunded %d in %d entries (%d at PayPal), want %d once", paid.Refunded, refunds, st.PayPal.Refunds(first.GatewayChargeID), preview.RefundAmount)
	}
}

// A change the buyer never agrees to at PayPal lapses after a day: its
// charge is refunded in full, it fails, and the subscription is free for
// another change.
func TestUnconsentedPayPalChangeLapses(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	c := customer(t, st, base, time.Now)
	o, svc := buyWithPayPal(t, st, c, "undecided.example.com", "approve")
	plans, _ := st.Platform.Catalog.List(ctx, catalog.Active, catalog.VPS)
	subID := orders.SubscriptionID(o.ID)
	var preview, ch orders.PlanChange
	if code, raw, _ := c.Do("POST", "/v1/me/subscriptions/"+subID+"/change/preview", map[string]string{"plan_id": plans[1].ID}); code != 200 || json.Unmarshal(raw, &preview) != nil {
		t.Fatalf("preview: %d %s", code, raw)
	}
	if code, raw, _ := c.Do("POST", "/v1/me/subscriptions/"+subID+"/change", map[string]any{"plan_id": plans[1].ID, "proration_date": preview.Proration.At.Unix()}); code != 200 || json.Unmarshal(raw, &ch) != nil {
		t.Fatalf("change: %d %s", code, raw)
	}
	if code, _, _ := devClock(t, base, `{"advance": "25h"}`); code != 200 {
		t.Fatal("the dev clock did not move")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got, _ := st.Platform.Orders.Change(ctx, ch.ID)
		sub, _ := st.Platform.Orders.Subscription(ctx, "", subID)
		if got.Status == "failed" && sub.ChangeInFlight == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a day unconsented: change %s, subscription's change %q", got.Status, sub.ChangeInFlight)
		}
	}
	if got, _ := st.Platform.Services.GetService(ctx, svc.ID); got.PlanID != plans[0].ID {
		t.Fatal("a lapsed change resized the service")
	}
	if charge, err := st.Platform.OrderStore.GetPayment(ctx, "paypal:"+ch.GatewayInvoiceID); err != nil || charge.Refunded != charge.Amount || charge.Amount != preview.Proration.Total {
		t.Fatalf("the lapsed change's charge: %+v %v", charge, err)
	}
}

// A PayPal renewal that declines is owed and dunned like a card's, and the
// e-mails tell a PayPal customer what helps them — their PayPal account's
// funding source — not to update a card they never gave us.
func TestDeclinedPayPalRenewalIsDunnedInPayPalTerms(t *testing.T) {
	st, base := openStack(t)
	c := customer(t, st, base, time.Now)
	_, svc := buyWithPayPal(t, st, c, "declines.example.com", "approve_declining")
	if code, _, _ := devClock(t, base, `{"advance": "32d"}`); code != 200 {
		t.Fatal("the dev clock did not move")
	}
	ledger(t, st, svc.CustomerID, func(l []orders.Payment) bool {
		for _, p := range l {
			if p.Status == orders.PaymentFailed {
				return true
			}
		}
		return false
	})
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		list, _ := st.Mailbox.List(50)
		failed, overdue := "", ""
		text := func(id string) string {
			m, err := st.Mailbox.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			return m.Text
		}
		for _, m := range list {
			switch {
			case strings.HasPrefix(m.Subject, "Payment of") && strings.Contains(m.Subject, "failed"):
				failed = text(m.ID)
			case strings.HasPrefix(m.Subject, "Reminder:"):
				overdue = text(m.ID)
			}
		}
		if failed != "" && overdue != "" {
			for _, text := range []string{failed, overdue} {
				if !strings.Contains(text, "PayPal account has a working funding source") || strings.Contains(text, "update your card") {
					t.Fatalf("a PayPal customer's e-mail says:\n%s", text)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no payment-failed and reminder e-mails (failed %q, reminder %q)", failed, overdue)
		}
	}
}
