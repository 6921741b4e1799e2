package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
	"github.com/ezscale/platform/shared/testkit/session"
)

// buy orders plan for c and pays; it returns the paid order.
func (s *shop) buy(c *session.Client, planID string) *orders.Order {
	s.t.Helper()
	code, o, raw := s.checkout(c, map[string]any{"plan_id": planID, "cycle": "monthly", "currency": "USD", "options": vpsOptions()})
	if code != 201 {
		s.t.Fatalf("checkout: %d %s", code, raw)
	}
	if code := s.pay(o.CheckoutURL, stripesim.CardSuccess); code != http.StatusSeeOther {
		s.t.Fatalf("pay: %d", code)
	}
	paid := s.order(o.ID, orders.Paid)
	s.eventually("the subscription", func() bool {
		_, err := s.p.Orders.Subscription(context.Background(), "", orders.SubscriptionID(o.ID))
		return err == nil
	})
	return paid
}

func subscription(t *testing.T, c *session.Client, id string) orders.Subscription {
	t.Helper()
	_, b, _ := c.Do("GET", "/v1/me/subscriptions", nil)
	var l struct{ Subscriptions []orders.Subscription }
	_ = json.Unmarshal(b, &l)
	for _, s := range l.Subscriptions {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no subscription %s in %s", id, b)
	return orders.Subscription{}
}

func TestCancelAtPeriodEndUndoAndNow(t *testing.T) {
	s := newShop(t)
	p := s.plan("vps", nil)
	alice := customer(t, s.env, "alice@example.com")
	bob := customer(t, s.env, "bob@example.com")
	o := s.buy(alice, p.ID)
	id := orders.SubscriptionID(o.ID)
	path := "/v1/me/subscriptions/" + id

	if code, _, _ := bob.Do("POST", path+"/cancel", map[string]any{}); code != 404 {
		t.Fatalf("bob cancels alice's subscription: %d", code)
	}
	if code, raw, _ := alice.Do("POST", path+"/cancel", map[string]any{"reason": "meh"}); code != 400 || !strings.Contains(string(raw), `"reason"`) {
		t.Fatalf("bad reason: %d %s", code, raw)
	}
	code, raw, _ := alice.Do("POST", path+"/cancel", map[string]any{"reason": "too_expensive", "comment": "Found a cheaper host"})
	if code != 200 || !subscription(t, alice, id).CancelAtPeriodEnd {
		t.Fatalf("cancel at period end: %d %s", code, raw)
	}
	gw := s.stripe.Object(o.SubscriptionID)
	if gw["cancel_at_period_end"] != true {
		t.Fatalf("the gateway subscription was not set to end: %v", gw)
	}
	if code, _, _ := alice.Do("POST", path+"/cancel", map[string]any{}); code != 409 {
		t.Fatalf("cancelling twice: %d", code)
	}
	resp, list := s.do("GET", "/v1/admin/cancellations", "", true)
	if resp.StatusCode != 200 || !strings.Contains(toJSON(list), "Found a cheaper host") {
		t.Fatalf("surveys: %d %v", resp.StatusCode, list)
	}
	s.eventually("the cancellation alert", func() bool {
		msgs, _, _ := s.p.Notify.List(context.Background(), "", "")
		for _, m := range msgs {
			if m.Kind == "alert_cancellation" {
				return true
			}
		}
		return false
	})
	// Undo before the period ends; the webhook that follows agrees.
	if code, raw, _ := alice.Do("POST", path+"/resume", nil); code != 200 {
		t.Fatalf("resume: %d %s", code, raw)
	}
	s.eventually("the gateway to keep it", func() bool { return s.stripe.Object(o.SubscriptionID)["cancel_at_period_end"] == false })
	s.eventually("the mirror to settle", func() bool { return !subscription(t, alice, id).CancelAtPeriodEnd })
	if code, _, _ := alice.Do("POST", path+"/resume", nil); code != 409 {
		t.Fatalf("resuming a running subscription: %d", code)
	}
	// Now, at once.
	if code, raw, _ := alice.Do("POST", path+"/cancel", map[string]any{"when": "now", "reason": "unused"}); code != 200 {
		t.Fatalf("cancel now: %d %s", code, raw)
	}
	s.eventually("the gateway to cancel", func() bool { return s.stripe.Object(o.SubscriptionID)["status"] == "canceled" })
	if got := subscription(t, alice, id); got.Status != "cancelled" || got.CancelledAt == nil {
		t.Fatalf("after cancel now: %+v", got)
	}
	if code, _, _ := alice.Do("POST", path+"/cancel", map[string]any{"when": "now"}); code != 409 {
		t.Fatalf("cancelling a cancelled subscription: %d", code)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// paidVPS is Alice's paid VPS order and its charge on the ledger.
func (s *shop) paidVPS(t *testing.T) (*orders.Order, orders.Payment) {
	t.Helper()
	p := s.plan("vps", func(in *catalog.PlanInput) {})
	o := s.buy(customer(t, s.env, "alice@example.com"), p.ID)
	var charge orders.Payment
	s.eventually("the payment", func() bool {
		pays, _ := s.p.Orders.Payments(context.Background(), o.CustomerID)
		if len(pays) == 1 {
			charge = pays[0]
		}
		return len(pays) == 1
	})
	return o, charge
}

func TestRefunds(t *testing.T) {
	s := newShop(t)
	o, charge := s.paidVPS(t)
	path := "/v1/admin/payments/" + charge.ID + "/refund"
	for _, c := range []struct {
		body, field string
	}{
		{`{"amount": 1001}`, "amount"},
		{`{"amount": -5}`, "amount"},
		{`{"amount": 100, "reason": "because"}`, "reason"},
	} {
		if resp, body := s.do("POST", path, c.body, true); resp.StatusCode != 400 || !strings.Contains(toJSON(body), `"`+c.field+`"`) {
			t.Fatalf("%s: %d %v", c.body, resp.StatusCode, body)
		}
	}
	if resp, body := s.do("POST", path, `{"amount": 300, "reason": "requested_by_customer"}`, true); resp.StatusCode != 201 || body["status"] != "refund" || body["amount"] != 300.0 {
		t.Fatalf("partial refund: %d %v", resp.StatusCode, body)
	}
	if resp, body := s.do("POST", path, `{}`, true); resp.StatusCode != 201 || body["amount"] != 700.0 {
		t.Fatalf("refund of the rest: %d %v", resp.StatusCode, body)
	}
	if resp, _ := s.do("POST", path, `{}`, true); resp.StatusCode != 409 {
		t.Fatalf("refunding a refunded payment: %d", resp.StatusCode)
	}
	if ch := s.stripe.Object(charge.GatewayChargeID); ch["amount_refunded"] != int64(1000) {
		t.Fatalf("gateway refunded %v", ch["amount_refunded"])
	}
	// The charge.refunded webhooks arrive; nothing is counted twice.
	s.eventually("both refund webhooks", func() bool {
		n := 0
		for _, ev := range s.stripe.Events() {
			if ev["type"] == "charge.refunded" {
				n++
			}
		}
		return n == 2
	})
	s.eventually("the ledger to settle", func() bool {
		pays, _ := s.p.Orders.Payments(context.Background(), o.CustomerID)
		var refunds int64
		var got *orders.Payment
		for i := range pays {
			if pays[i].Status == orders.PaymentRefund {
				refunds += pays[i].Amount
			}
			if pays[i].ID == charge.ID {
				got = &pays[i]
			}
		}
		return len(pays) == 3 && refunds == 1000 && got.Refunded == 1000
	})
}

// A refund made in Stripe's dashboard (not through us) gets its own ledger
// entry, once, and raises the payment's refunded total.
func TestDashboardRefundIsOnTheLedger(t *testing.T) {
	s := newShop(t)
	o, charge := s.paidVPS(t)
	form := url.Values{"charge": {charge.GatewayChargeID}, "amount": {"250"}}
	req, _ := http.NewRequest("POST", s.stripeURL+"/v1/refunds", strings.NewReader(form.Encode()))
	req.Header.Set("Authorization", "Bearer sk_test_sim")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("dashboard refund: %v %v", res, err)
	}
	res.Body.Close()
	s.eventually("the dashboard refund on the ledger", func() bool {
		pays, _ := s.p.Orders.Payments(context.Background(), o.CustomerID)
		var entry, paid *orders.Payment
		for i := range pays {
			switch {
			case pays[i].Status == orders.PaymentRefund:
				entry = &pays[i]
			case pays[i].ID == charge.ID:
				paid = &pays[i]
			}
		}
		return len(pays) == 2 && entry != nil && entry.Amount == 250 && entry.By == "stripe dashboard" && entry.RefundOf == charge.ID && paid.Refunded == 250
	})
}

func cards(t *testing.T, c *session.Client) []orders.PaymentMethod {
	t.Helper()
	_, b, _ := c.Do("GET", "/v1/me/payment-methods", nil)
	var l struct {
		PaymentMethods []orders.PaymentMethod `json:"payment_methods"`
	}
	_ = json.Unmarshal(b, &l)
	return l.PaymentMethods
}

func TestPaymentMethods(t *testing.T) {
	s := newShop(t)
	p := s.plan("vps", nil)
	alice := customer(t, s.env, "alice@example.com")
	o := s.buy(alice, p.ID)
	s.eventually("the checkout's card", func() bool { return len(cards(t, alice)) == 1 })
	first := cards(t, alice)[0]
	if !first.Default || first.Last4 != "4242" || first.Brand != "visa" {
		t.Fatalf("card = %+v", first)
	}
	if code, raw, _ := alice.Do("DELETE", "/v1/me/payment-methods/"+first.ID, nil); code != 409 {
		t.Fatalf("removing the only card behind a subscription: %d %s", code, raw)
	}
	code, raw, _ := alice.Do("POST", "/v1/me/payment-methods/setup", nil)
	var setup struct{ URL string }
	_ = json.Unmarshal(raw, &setup)
	if code != 201 || setup.URL == "" {
		t.Fatalf("setup: %d %s", code, raw)
	}
	if code := s.pay(setup.URL, "5555555555554444"); code != http.StatusSeeOther {
		t.Fatalf("save card: %d", code)
	}
	s.eventually("the second card", func() bool { return len(cards(t, alice)) == 2 })
	var second orders.PaymentMethod
	for _, c := range cards(t, alice) {
		if c.Last4 == "4444" {
			second = c
		}
	}
	if code, raw, _ := alice.Do("POST", "/v1/me/payment-methods/"+second.ID+"/default", nil); code != 204 {
		t.Fatalf("default: %d %s", code, raw)
	}
	if sub := s.stripe.Object(o.SubscriptionID); sub["default_payment_method"] != second.ID {
		t.Fatalf("the subscription still charges %v", sub["default_payment_method"])
	}
	if code, raw, _ := alice.Do("DELETE", "/v1/me/payment-methods/"+first.ID, nil); code != 204 {
		t.Fatalf("remove: %d %s", code, raw)
	}
	left := cards(t, alice)
	if len(left) != 1 || left[0].ID != second.ID || !left[0].Default {
		t.Fatalf("cards after removal = %+v", left)
	}
	// Wait until the platform acknowledged the detach webhook (it answers
	// only after applying it), then look: no fixed sleep.
	s.eventually("the detach webhook applied", func() bool {
		for _, ev := range s.stripe.Events() {
			if ev["type"] == "payment_method.detached" && s.stripe.Delivered(ev["id"].(string)) {
				return true
			}
		}
		return false
	})
	if got := cards(t, alice); len(got) != 1 {
		t.Fatalf("a late webhook brought a removed card back: %+v", got)
	}
}

// An upgrade half-way through the period charges the prorated difference
// at once and invoices it with both lines; the downgrade back refunds the
// credit. Amounts by hand: 15 of 30 days left, $10 → $30 is $5 back and
// $15 on = $10 charged; $30 → $10 is $15 back, $5 on = $10 refunded.
func TestPlanChangeProration(t *testing.T) {
	s := newShop(t)
	small := s.plan("small", nil)
	big := s.plan("big", func(in *catalog.PlanInput) { in.Prices["USD"][catalog.Monthly] = 3000 })
	game := s.plan("game", func(in *catalog.PlanInput) {
		in.ServiceType, in.Features.Extras = catalog.GameServer, map[string]string{"games": "Rust"}
	})
	alice := customer(t, s.env, "alice@example.com")
	o := s.buy(alice, small.ID)
	id := orders.SubscriptionID(o.ID)
	path := "/v1/me/subscriptions/" + id + "/change"
	s.clock.Advance(15 * 24 * time.Hour)
	alice, err := session.SignIn(s.srv.URL, "alice@example.com", "a long enough password", "", s.clock.Now) // the old session idled out
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ plan, field string }{{small.ID, "already your plan"}, {game.ID, "another vps plan"}, {"pln_nope", "no such plan"}} {
		if code, raw, _ := alice.Do("POST", path+"/preview", map[string]any{"plan_id": c.plan}); code != 400 || !strings.Contains(string(raw), c.field) {
			t.Fatalf("preview %s: %d %s", c.plan, code, raw)
		}
	}
	code, raw, _ := alice.Do("POST", path+"/preview", map[string]any{"plan_id": big.ID})
	var preview orders.PlanChange
	_ = json.Unmarshal(raw, &preview)
	p := preview.Proration
	if code != 200 || p.Credit != 500 || p.Charge != 1500 || p.Total != 1000 || preview.NewRenewal != 3000 || preview.Status != "preview" {
		t.Fatalf("preview: %d %s", code, raw)
	}
	stale := s.clock.Now().Add(-20 * time.Minute).Unix()
	if code, raw, _ := alice.Do("POST", path, map[string]any{"plan_id": big.ID, "proration_date": stale}); code != 400 || !strings.Contains(string(raw), "proration_date") {
		t.Fatalf("stale preview: %d %s", code, raw)
	}
	at := p.At.Unix()
	code, raw, _ = alice.Do("POST", path, map[string]any{"plan_id": big.ID, "proration_date": at})
	var done orders.PlanChange
	_ = json.Unmarshal(raw, &done)
	if code != 200 || done.Status != "done" || done.Proration.Total != 1000 || done.GatewayInvoiceID == "" {
		t.Fatalf("upgrade: %d %s", code, raw)
	}
	if sub := subscription(t, alice, id); sub.PlanID != big.ID || sub.Amount != 3000 || sub.Price != 3000 {
		t.Fatalf("subscription after upgrade = %+v", sub)
	}
	gwSub := s.stripe.Object(o.SubscriptionID)
	if gwSub["_amount"] != int64(3000) {
		t.Fatalf("gateway price = %v", gwSub["_amount"])
	}
	// Confirming the same change again does not charge twice.
	if code, raw, _ := alice.Do("POST", path, map[string]any{"plan_id": big.ID, "proration_date": at}); code != 409 && code != 400 {
		t.Fatalf("confirming again: %d %s", code, raw)
	}
	var inv struct {
		Invoices []struct {
			Total int64
			Lines []struct {
				Description string
				Amount      int64
			}
		}
	}
	s.eventually("the proration invoice", func() bool {
		_, b, _ := alice.Do("GET", "/v1/me/invoices", nil)
		_ = json.Unmarshal(b, &inv)
		return len(inv.Invoices) == 2
	})
	first := inv.Invoices[0] // the proration invoice: the one with two lines
	if len(inv.Invoices[1].Lines) == 2 {
		first = inv.Invoices[1]
	}
	if first.Total != 1000 || len(first.Lines) != 2 || first.Lines[0].Amount != -500 || first.Lines[1].Amount != 1500 || !strings.Contains(first.Lines[0].Description, "15 of 30 days") {
		t.Fatalf("proration invoice = %+v", first)
	}
	items, _ := s.p.OrderStore.ListOutbox(context.Background(), o.ID)
	resize := false
	for _, it := range items {
		resize = resize || it.Kind == orders.KindResize
	}
	if !resize {
		t.Fatal("no resize requested")
	}

	// And back down: the credit is refunded at once.
	code, raw, _ = alice.Do("POST", path+"/preview", map[string]any{"plan_id": small.ID})
	_ = json.Unmarshal(raw, &preview)
	if code != 200 || preview.Proration.Total != -1000 {
		t.Fatalf("downgrade preview: %d %s", code, raw)
	}
	code, raw, _ = alice.Do("POST", path, map[string]any{"plan_id": small.ID, "proration_date": preview.Proration.At.Unix()})
	if code != 200 {
		t.Fatalf("downgrade: %d %s", code, raw)
	}
	s.eventually("the refund in the ledger", func() bool {
		pays, _ := s.p.Orders.Payments(context.Background(), o.CustomerID)
		for _, p := range pays {
			if p.Status == orders.PaymentRefund && p.Amount == 1000 {
				return true
			}
		}
		return false
	})
	if sub := subscription(t, alice, id); sub.PlanID != small.ID || sub.Amount != 1000 {
		t.Fatalf("subscription after downgrade = %+v", sub)
	}
}

// Renewals invoice the current plan; a declined renewal e-mails the
// customer, records the failure and mirrors past_due; recovery restores.
func TestRenewals(t *testing.T) {
	s := newShop(t)
	p := s.plan("vps", nil)
	alice := customer(t, s.env, "alice@example.com")
	o := s.buy(alice, p.ID)
	id := orders.SubscriptionID(o.ID)
	before := subscription(t, alice, id)
	s.clock.Advance(time.Minute) // events of the renewal come after the purchase's
	if err := s.stripe.Renew(o.SubscriptionID, false); err != nil {
		t.Fatal(err)
	}
	s.eventually("the renewal invoice", func() bool {
		_, b, _ := alice.Do("GET", "/v1/me/invoices", nil)
		return strings.Count(string(b), `"status":"paid"`) == 2
	})
	s.eventually("the next period", func() bool { return subscription(t, alice, id).CurrentPeriodStart.Equal(before.CurrentPeriodEnd) })

	s.clock.Advance(time.Minute)
	if err := s.stripe.Renew(o.SubscriptionID, true); err != nil {
		t.Fatal(err)
	}
	s.eventually("past due", func() bool { return subscription(t, alice, id).Status == "past_due" })
	s.eventually("the failure e-mail and the failed payment", func() bool {
		pays, _ := s.p.Orders.Payments(context.Background(), o.CustomerID)
		failed := 0
		for _, p := range pays {
			if p.Status == orders.PaymentFailed {
				failed++
			}
		}
		msgs, _, _ := s.p.Notify.List(context.Background(), "", "")
		mailed := false
		for _, m := range msgs {
			mailed = mailed || m.Kind == "payment_failed"
		}
		return failed == 1 && mailed
	})
	s.clock.Advance(time.Minute)
	if err := s.stripe.Renew(o.SubscriptionID, false); err != nil {
		t.Fatal(err)
	}
	s.eventually("active again", func() bool { return subscription(t, alice, id).Status == "active" })
}

// A coupon with trial days starts a trial: nothing is charged now, the
// subscription is trialing, and a zero invoice records the start.
func TestTrialFromCoupon(t *testing.T) {
	s := newShop(t)
	p := s.plan("vps", nil)
	if _, err := s.p.Coupons.Create(context.Background(), coupons.Coupon{Code: "TRY14", Kind: coupons.Percent, PercentBP: 1, TrialDays: 14, Active: true}); err != nil {
		t.Fatal(err)
	}
	alice := customer(t, s.env, "alice@example.com")
	code, o, raw := s.checkout(alice, map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "coupon": "TRY14", "options": vpsOptions()})
	if code != 201 || o.TrialDays != 14 {
		t.Fatalf("checkout: %d %s", code, raw)
	}
	if code := s.pay(o.CheckoutURL, stripesim.CardSuccess); code != http.StatusSeeOther {
		t.Fatalf("pay: %d", code)
	}
	s.order(o.ID, orders.Paid)
	s.eventually("the trial", func() bool {
		_, err := s.p.Orders.Subscription(context.Background(), "", orders.SubscriptionID(o.ID))
		return err == nil
	})
	sub := subscription(t, alice, orders.SubscriptionID(o.ID))
	if sub.Status != "trialing" || sub.TrialEnd == nil || sub.TrialEnd.Sub(sub.CurrentPeriodStart) != 14*24*time.Hour {
		t.Fatalf("subscription = %+v", sub)
	}
	s.eventually("the zero invoice", func() bool {
		_, b, _ := alice.Do("GET", "/v1/me/invoices", nil)
		return strings.Contains(string(b), `"total":0`) && strings.Contains(string(b), "14-day free trial")
	})
}

// A returning customer pays with a saved card without the hosted page; a
// card that declines leaves nothing reserved.
func TestCheckoutWithSavedCard(t *testing.T) {
	s := newShop(t)
	p := s.plan("limited", func(in *catalog.PlanInput) { in.Stock = catalogtest.Int64(5) })
	alice := customer(t, s.env, "alice@example.com")
	s.buy(alice, p.ID)
	s.eventually("the saved card", func() bool { return len(cards(t, alice)) == 1 })
	card := cards(t, alice)[0]
	body := map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD", "options": vpsOptions(), "payment_method_id": card.ID}
	code, o, raw := s.checkout(alice, body)
	if code != 201 || o.CheckoutURL != "" {
		t.Fatalf("saved-card checkout: %d %s", code, raw)
	}
	s.order(o.ID, orders.Paid)
	if s.stock(p.ID) != 3 {
		t.Fatalf("stock = %d, want 3", s.stock(p.ID))
	}
	bob := customer(t, s.env, "bob@example.com")
	if code, _, raw := s.checkout(bob, body); code != 400 || !strings.Contains(raw, "payment_method_id") {
		t.Fatalf("someone else's card: %d %s", code, raw)
	}
	// A card that attaches but declines every charge (4000 0000 0000 0341).
	_, b, _ := alice.Do("POST", "/v1/me/payment-methods/setup", nil)
	var setup struct{ URL string }
	_ = json.Unmarshal(b, &setup)
	s.pay(setup.URL, stripesim.CardChargeFails)
	s.eventually("the second card", func() bool { return len(cards(t, alice)) == 2 })
	for _, c := range cards(t, alice) {
		if c.Last4 == "0341" {
			body["payment_method_id"] = c.ID
		}
	}
	code, _, raw = s.checkout(alice, body)
	if code != 400 || !strings.Contains(raw, "declined") {
		t.Fatalf("declined saved card: %d %s", code, raw)
	}
	if s.stock(p.ID) != 3 {
		t.Fatalf("stock after a decline = %d, want 3", s.stock(p.ID))
	}
}

// A service that never came up cannot be moved to a bigger plan: that would
// charge for what is not delivered.
func TestFailedServiceCannotChangePlan(t *testing.T) {
	s := newShop(t)
	small := s.plan("small", nil)
	big := s.plan("big", func(in *catalog.PlanInput) { in.Prices["USD"][catalog.Monthly] = 3000 })
	alice := customer(t, s.env, "alice@example.com")
	o := s.buy(alice, small.ID)
	if _, err := s.p.Services.CreateService(context.Background(), &provisioning.Service{ID: provisioning.ServiceID(o.ID), OrderID: o.ID, CustomerID: o.CustomerID,
		PlanID: small.ID, ServiceType: catalog.VPS, Status: provisioning.StatusFailed, Note: "the panel refused", IPs: []string{}, CreatedAt: s.clock.Now(), UpdatedAt: s.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	path := "/v1/me/subscriptions/" + orders.SubscriptionID(o.ID) + "/change/preview"
	if code, raw, _ := alice.Do("POST", path, map[string]any{"plan_id": big.ID}); code != 409 || !strings.Contains(string(raw), "could not be set up") {
		t.Fatalf("preview for a failed service: %d %s", code, raw)
	}
}

// A downgrade's credit is what the preview promised, to the cent: what the
// subscription's payments can take goes back to the card, the rest becomes
// account credit that the next renewal uses. (It used to be capped at the
// last payment's remainder and the rest was neither credited nor shown.)
// creditShop is a customer on a $10 plan holding $5 of credit from a
// downgrade (the refundable rest of their payment went back to the card).
type creditShop struct {
	*shop
	alice   *session.Client
	subID   string
	userID  string
	balance func() map[string]int64
}

func downgradedWithCredit(t *testing.T) creditShop {
	t.Helper()
	s := newShop(t)
	small := s.plan("small", nil)
	big := s.plan("big", func(in *catalog.PlanInput) { in.Prices["USD"][catalog.Monthly] = 3000 })
	alice := customer(t, s.env, "alice@example.com")
	o := s.buy(alice, big.ID)
	var paid orders.Payment
	s.eventually("the first payment", func() bool {
		pays, _ := s.p.Orders.Payments(context.Background(), o.CustomerID)
		for _, p := range pays {
			if p.Status == orders.PaymentSucceeded {
				paid = p
				return true
			}
		}
		return false
	})
	// Staff give $25 of the $30 back (a goodwill refund): $5 is left to refund.
	if code, raw, _ := s.admin.Do("POST", "/v1/admin/payments/"+paid.ID+"/refund", map[string]any{"amount": 2500}); code != 201 {
		t.Fatalf("staff refund: %d %s", code, raw)
	}
	id := orders.SubscriptionID(o.ID)
	path := "/v1/me/subscriptions/" + id + "/change"
	s.clock.Advance(15 * 24 * time.Hour)
	alice, err := session.SignIn(s.srv.URL, "alice@example.com", "a long enough password", "", s.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	code, raw, _ := alice.Do("POST", path+"/preview", map[string]any{"plan_id": small.ID})
	var pv orders.PlanChange
	_ = json.Unmarshal(raw, &pv)
	if code != 200 || pv.Proration.Total != -1000 || pv.RefundAmount != 500 || pv.CreditAmount != 500 {
		t.Fatalf("downgrade preview: %d %s\nwant $10 back: $5 to the card (all the payment has left) and $5 as credit", code, raw)
	}
	code, raw, _ = alice.Do("POST", path, map[string]any{"plan_id": small.ID, "proration_date": pv.Proration.At.Unix()})
	var done orders.PlanChange
	_ = json.Unmarshal(raw, &done)
	if code != 200 || done.RefundAmount != 500 || done.CreditAmount != 500 {
		t.Fatalf("the downgrade did not do what its preview said: %d %s", code, raw)
	}
	balance := func() map[string]int64 {
		_, raw, _ := alice.Do("GET", "/v1/me/payments", nil)
		var b struct{ Balance map[string]int64 }
		_ = json.Unmarshal(raw, &b)
		return b.Balance
	}
	if b := balance(); b["USD"] != 500 {
		t.Fatalf("balance after the downgrade = %v, want USD 500", b)
	}
	cus := s.stripe.Object(s.stripe.Object(o.SubscriptionID)["customer"].(string))
	if cus["balance"] != int64(-500) {
		t.Fatalf("the gateway's customer balance = %v, want -500", cus["balance"])
	}
	return creditShop{shop: s, alice: alice, subID: o.SubscriptionID, userID: o.CustomerID, balance: balance}
}

func TestDowngradeCreditBeyondThePaymentsBecomesBalance(t *testing.T) {
	cs := downgradedWithCredit(t)
	s, alice, balance := cs.shop, cs.alice, cs.balance
	o := struct{ SubscriptionID string }{cs.subID}
	// The renewal uses the credit first: $10 due, $5 from credit, $5 by card.
	if err := s.stripe.Renew(o.SubscriptionID, false); err != nil {
		t.Fatal(err)
	}
	s.eventually("the credit used by the renewal", func() bool { return len(balance()) == 0 })
	var inv struct {
		Invoices []struct {
			Total         int64
			CreditApplied int64 `json:"credit_applied"`
		}
	}
	s.eventually("the renewal invoice showing the credit", func() bool {
		_, b, _ := alice.Do("GET", "/v1/me/invoices", nil)
		_ = json.Unmarshal(b, &inv)
		for _, i := range inv.Invoices {
			if i.CreditApplied == 500 && i.Total == 1000 {
				return true
			}
		}
		return false
	})
}

// A declined renewal still uses the credit (the gateway applies the
// balance when it finalizes the invoice): the ledger says so at once, a
// later successful payment of that invoice takes no more, and voiding it
// gives the credit back on both sides.
func TestCreditUsedByADeclinedRenewal(t *testing.T) {
	cs := downgradedWithCredit(t)
	s, balance := cs.shop, cs.balance
	gatewayBalance := func() any { return s.stripe.Object(s.stripe.Object(cs.subID)["customer"].(string))["balance"] }
	if err := s.stripe.Renew(cs.subID, true); err != nil {
		t.Fatal(err)
	}
	s.eventually("the credit used by the declined renewal", func() bool { return len(balance()) == 0 })
	if b := gatewayBalance(); b != int64(0) {
		t.Fatalf("the gateway's balance after the declined renewal = %v, want 0", b)
	}
	var invoiceID string
	for _, ev := range s.stripe.Events() {
		if ev["type"] == "invoice.payment_failed" {
			invoiceID = ev["data"].(map[string]any)["object"].(map[string]any)["id"].(string)
		}
	}
	if invoiceID == "" {
		t.Fatal("no invoice.payment_failed event")
	}
	stripeCall := func(path string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.stripeURL+path, nil)
		req.Header.Set("Authorization", "Bearer sk_test_sim")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("POST %s: %v %v", path, res, err)
		}
		res.Body.Close()
	}
	stripeCall("/v1/invoices/" + invoiceID + "/void")
	s.eventually("the credit given back by the voided invoice", func() bool { return balance()["USD"] == 500 })
	if b := gatewayBalance(); b != int64(-500) {
		t.Fatalf("the gateway's balance after the void = %v, want -500", b)
	}
	// Another declined renewal, then the open invoice paid: the credit is
	// used once, and the card pays only the rest.
	if err := s.stripe.Renew(cs.subID, true); err != nil {
		t.Fatal(err)
	}
	s.eventually("the credit used again", func() bool { return len(balance()) == 0 })
	for _, ev := range s.stripe.Events() {
		if ev["type"] == "invoice.payment_failed" {
			invoiceID = ev["data"].(map[string]any)["object"].(map[string]any)["id"].(string)
		}
	}
	stripeCall("/v1/invoices/" + invoiceID + "/pay")
	s.eventually("the retried renewal paid", func() bool {
		pays, _ := s.p.Orders.Payments(context.Background(), cs.userID)
		for _, p := range pays {
			if p.GatewayInvoiceID == invoiceID && p.Status == orders.PaymentSucceeded {
				return p.Amount == 500
			}
		}
		return false
	})
	if b := balance(); len(b) != 0 || gatewayBalance() != int64(0) {
		t.Fatalf("after the retry: our balance %v, the gateway's %v; want none on both", b, gatewayBalance())
	}
}

// dieBeforeRecordingChange fails (as a process dying would: nothing
// written) the first transaction that records a plan change as done.
type dieBeforeRecordingChange struct {
	dynamo.API
	died atomic.Bool
}

func (d *dieBeforeRecordingChange) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	for _, op := range in.TransactItems {
		if op.Put == nil {
			continue
		}
		pk, _ := op.Put.Item["PK"].(*types.AttributeValueMemberS)
		done := false
		for _, v := range op.Put.Item {
			if s, ok := v.(*types.AttributeValueMemberS); ok && s.Value == "done" {
				done = true
			}
		}
		if pk != nil && strings.HasPrefix(pk.Value, "CHANGE#") && done && d.died.CompareAndSwap(false, true) {
			return nil, errors.New("process killed before the change was recorded")
		}
	}
	return d.API.TransactWriteItems(ctx, in, opts...)
}

// An upgrade whose confirmation died after the gateway charged (and moved
// the price) but before we recorded it is finished by its recovery item:
// the subscription moves to the new plan and the service is resized, with
// no second charge.
func TestPlanChangeInterruptedAfterTheGatewayIsFinished(t *testing.T) {
	var crash *dieBeforeRecordingChange
	s := newShopOver(t, func(api dynamo.API) dynamo.API { crash = &dieBeforeRecordingChange{API: api}; return crash })
	small := s.plan("small", nil)
	big := s.plan("big", func(in *catalog.PlanInput) { in.Prices["USD"][catalog.Monthly] = 3000 })
	alice := customer(t, s.env, "alice@example.com")
	o := s.buy(alice, small.ID)
	id := orders.SubscriptionID(o.ID)
	path := "/v1/me/subscriptions/" + id + "/change"
	code, raw, _ := alice.Do("POST", path+"/preview", map[string]any{"plan_id": big.ID})
	var pv orders.PlanChange
	_ = json.Unmarshal(raw, &pv)
	if code != 200 {
		t.Fatalf("preview: %d %s", code, raw)
	}
	if code, raw, _ := alice.Do("POST", path, map[string]any{"plan_id": big.ID, "proration_date": pv.Proration.At.Unix()}); code < 500 || !crash.died.Load() {
		t.Fatalf("the interrupted confirmation answered %d %s", code, raw)
	}
	if sub := subscription(t, alice, id); sub.PlanID != small.ID {
		t.Fatalf("the plan moved although nothing was recorded: %+v", sub)
	}
	charges := func() int {
		n := 0
		for _, ev := range s.stripe.Events() {
			if ev["type"] == "invoice.paid" {
				n++
			}
		}
		return n
	}
	before := charges()
	s.clock.Advance(3 * time.Minute) // the recovery item is due
	s.p.Outbox.Kick()
	s.eventually("the recovery item finishing the change", func() bool {
		sub, err := s.p.Orders.Subscription(context.Background(), "", id)
		return err == nil && sub.PlanID == big.ID
	})
	if got := charges(); got != before {
		t.Fatalf("finishing the change charged again: %d invoices paid, were %d", got, before)
	}
	items, _ := s.p.OrderStore.ListOutbox(context.Background(), o.ID)
	if !slices.ContainsFunc(items, func(it outbox.Item) bool { return it.Kind == orders.KindResize }) {
		t.Fatal("the service was not asked to resize")
	}
}
