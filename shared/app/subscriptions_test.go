package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/catalog"
	"github.com/ezscale/platform/shared/orders"
	"github.com/ezscale/platform/shared/testenv/session"
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

func TestRefunds(t *testing.T) {
	s := newShop(t)
	p := s.plan("vps", func(in *catalog.PlanInput) {})
	alice := customer(t, s.env, "alice@example.com")
	o := s.buy(alice, p.ID)
	var charge orders.Payment
	s.eventually("the payment", func() bool {
		pays, _ := s.p.Orders.Payments(context.Background(), o.CustomerID)
		if len(pays) == 1 {
			charge = pays[0]
		}
		return len(pays) == 1
	})
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
	s.eventually("the detach webhook", func() bool {
		for _, ev := range s.stripe.Events() {
			if ev["type"] == "payment_method.detached" {
				return true
			}
		}
		return false
	})
	time.Sleep(50 * time.Millisecond) // let the webhook land
	if got := cards(t, alice); len(got) != 1 {
		t.Fatalf("a late webhook brought a removed card back: %+v", got)
	}
}
