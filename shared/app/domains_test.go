package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/testkit/session"
)

// A hosting domain is one service: an internationalised name is kept as
// punycode, a second order for a domain someone holds is refused, and an
// order that let go (its checkout expired) frees the domain.
func TestHostingDomainsAreClaimedOnce(t *testing.T) {
	s := newShop(t)
	p := s.plan("web", func(in *catalog.PlanInput) {
		in.ServiceType, in.Features.Extras = catalog.Hosting, map[string]string{"websites": "1"}
		in.Features.CPUCores, in.Features.RAMMB = 0, 0
	})
	alice := customer(t, s.env, "alice@example.com")
	bob := customer(t, s.env, "bob@example.com")
	order := func(c *session.Client, domain string) (int, orders.Order, string) {
		t.Helper()
		code, raw, err := c.Do("POST", "/v1/me/orders", map[string]any{"plan_id": p.ID, "cycle": "monthly", "currency": "USD",
			"options": map[string]any{"domain": domain, "location": "Dallas, US"}})
		if err != nil {
			t.Fatal(err)
		}
		var o orders.Order
		_ = json.Unmarshal(raw, &o)
		return code, o, string(raw)
	}
	for _, bad := range []string{"not a domain", "-x.example.com", "localhost", strings.Repeat("a", 64) + ".com"} {
		if code, _, raw := order(alice, bad); code != 400 || !strings.Contains(raw, `"options.domain"`) {
			t.Errorf("%q: %d %s", bad, code, raw)
		}
	}
	code, first, raw := order(alice, "Bücher.Example")
	if code != 201 || first.Options.Domain != "xn--bcher-kva.example" {
		t.Fatalf("IDN order: %d %s", code, raw)
	}
	// Held while alice's checkout is open, by anyone (alice included).
	for name, c := range map[string]*session.Client{"bob": bob, "alice": alice} {
		if code, _, raw := order(c, "xn--bcher-kva.example"); code != 400 || !strings.Contains(raw, "already hosted here") {
			t.Fatalf("%s ordering a held domain: %d %s", name, code, raw)
		}
	}
	// Her checkout expires: the domain is free for bob.
	req, _ := http.NewRequest("POST", strings.Replace(first.CheckoutURL, "/checkout/", "/v1/checkout/sessions/", 1)+"/expire", nil)
	req.Header.Set("Authorization", "Bearer sk_test_sim")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("expire: %v %v", res, err)
	}
	s.order(first.ID, orders.Expired)
	code, second, raw := order(bob, "bücher.example")
	if code != 201 {
		t.Fatalf("after expiry: %d %s", code, raw)
	}
	if code := s.pay(second.CheckoutURL, stripesim.CardSuccess); code != http.StatusSeeOther {
		t.Fatalf("pay: %d", code)
	}
	s.order(second.ID, orders.Paid)
	if code, _, raw := order(alice, "xn--bcher-kva.example"); code != 400 || !strings.Contains(raw, "already hosted here") {
		t.Fatalf("a paid domain ordered again: %d %s", code, raw)
	}
}
