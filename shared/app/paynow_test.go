package app_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/domain/orders"
)

// A customer whose renewal was declined pays now instead of waiting for
// the gateway's next retry: a card that still declines says so and leaves
// the subscription past due; paying with another saved card brings it
// back, in the period the invoice was for; there is then nothing to pay.
func TestPayNow(t *testing.T) {
	s := newShop(t)
	p := s.plan("vps", nil)
	alice := customer(t, s.env, "alice@example.com")
	o := s.buy(alice, p.ID)
	id := orders.SubscriptionID(o.ID)
	before := subscription(t, alice, id)
	pay := func() (int, string) {
		code, raw, _ := alice.Do("POST", "/v1/me/subscriptions/"+id+"/pay", nil)
		return code, string(raw)
	}
	if code, raw := pay(); code != 409 || !strings.Contains(raw, "nothing is due") {
		t.Fatalf("paying an active subscription: %d %s", code, raw)
	}

	// The declining card becomes the default, and the renewal fails.
	_, b, _ := alice.Do("POST", "/v1/me/payment-methods/setup", nil)
	var setup struct{ URL string }
	_ = json.Unmarshal(b, &setup)
	s.pay(setup.URL, stripesim.CardChargeFails)
	s.eventually("the second card", func() bool { return len(cards(t, alice)) == 2 })
	var good, bad string
	for _, c := range cards(t, alice) {
		if c.Last4 == "0341" {
			bad = c.ID
		} else {
			good = c.ID
		}
	}
	setDefault := func(pm string) {
		t.Helper()
		if code, _, raw := alice.Do("POST", "/v1/me/payment-methods/"+pm+"/default", nil); code/100 != 2 {
			t.Fatalf("default card: %d %s", code, raw)
		}
	}
	setDefault(bad)
	s.clock.Advance(time.Minute)
	if err := s.stripe.Renew(o.SubscriptionID, false); err != nil {
		t.Fatal(err)
	}
	s.eventually("past due", func() bool { return subscription(t, alice, id).Status == "past_due" })

	s.clock.Advance(time.Minute)
	if code, raw := pay(); code != 400 || !strings.Contains(raw, "declined") {
		t.Fatalf("paying with the declining card: %d %s", code, raw)
	}
	if st := subscription(t, alice, id).Status; st != "past_due" {
		t.Fatalf("after a declined pay-now the subscription is %s", st)
	}
	// Another saved card pays it, the declining one staying the default;
	// a card that is not hers is refused before anything is charged.
	if code, raw, _ := alice.Do("POST", "/v1/me/subscriptions/"+id+"/pay", map[string]string{"payment_method": "pm_not_hers"}); code != 400 || !strings.Contains(string(raw), `"payment_method"`) {
		t.Fatalf("paying with a card that is not hers: %d %s", code, raw)
	}
	s.clock.Advance(time.Minute)
	if code, raw, _ := alice.Do("POST", "/v1/me/subscriptions/"+id+"/pay", map[string]string{"payment_method": good}); code != 202 || !strings.Contains(string(raw), `"invoice_id":"in_`) {
		t.Fatalf("paying with the good card: %d %s", code, raw)
	}
	s.eventually("active again, in the renewed period", func() bool {
		sub := subscription(t, alice, id)
		return sub.Status == "active" && sub.CurrentPeriodStart.Equal(before.CurrentPeriodEnd)
	})
	s.eventually("the renewal invoice paid", func() bool {
		_, b, _ := alice.Do("GET", "/v1/me/invoices", nil)
		return strings.Count(string(b), `"status":"paid"`) == 2
	})
	if code, raw := pay(); code != 409 {
		t.Fatalf("paying again: %d %s", code, raw)
	}
	if code, _, _ := customer(t, s.env, "bob@example.com").Do("POST", "/v1/me/subscriptions/"+id+"/pay", nil); code != 404 {
		t.Errorf("someone else paying Alice's subscription: %d, want 404", code)
	}
}
