package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/api/openapi"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/session"
)

// Every customer route that names an object in its path must answer 404
// when another customer asks for it — as if it did not exist. The matrix is
// the OpenAPI document's operations; a route without an ownership fixture
// below fails the test, so new routes cannot be forgotten.
func TestOtherCustomersObjectsAre404(t *testing.T) {
	e := newEnv(t)
	alice := customer(t, e, "alice@example.com")
	bob := customer(t, e, "bob@example.com")

	// fixtures return the id of an object Alice owns, for each path.
	fixtures := map[string]func() string{
		"/v1/me/sessions/{id}": func() string {
			_, b, _ := alice.Do("GET", "/v1/me/sessions", nil)
			var l struct{ Sessions []struct{ ID string } }
			_ = json.Unmarshal(b, &l)
			return l.Sessions[0].ID
		},
		"/v1/me/passkeys/{id}": func() string {
			_, b, _ := alice.Do("GET", "/v1/me", nil)
			var me struct{ ID string }
			_ = json.Unmarshal(b, &me)
			p := &passkeys.Passkey{ID: "cred-of-alice", UserID: me.ID, Name: "laptop", Data: []byte("{}"), CreatedAt: e.clock.Now()}
			if err := dynamo.NewPasskeys(e.p.Table).PutPasskey(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			return p.ID
		},
		"/v1/me/orders/{id}": func() string {
			_, b, _ := alice.Do("GET", "/v1/me", nil)
			var me struct{ ID string }
			_ = json.Unmarshal(b, &me)
			o := &orders.Order{ID: "ord_of_alice", CustomerID: me.ID, PlanID: "pln_x", Status: orders.Pending, Currency: "USD", CreatedAt: e.clock.Now(), Version: 1}
			if err := dynamo.NewOrders(e.p.Table).CreateOrder(context.Background(), o, nil); err != nil {
				t.Fatal(err)
			}
			return o.ID
		},
		"/v1/me/payment-methods/{id}/default":      func() string { return aliceCard(t, e, alice) },
		"/v1/me/services/{id}":                     func() string { return aliceService(t, e, alice) },
		"/v1/me/services/{id}/usage":               func() string { return aliceService(t, e, alice) },
		"/v1/me/services/{id}/bandwidth":           func() string { return aliceService(t, e, alice) },
		"/v1/me/services/{id}/power":               func() string { return aliceService(t, e, alice) },
		"/v1/me/services/{id}/login":               func() string { return aliceService(t, e, alice) },
		"/v1/me/services/{id}/credentials":         func() string { return aliceService(t, e, alice) },
		"/v1/me/services/{id}/reinstall":           func() string { return aliceService(t, e, alice) },
		"/v1/me/payment-methods/{id}":              func() string { return aliceCard(t, e, alice) },
		"/v1/me/subscriptions/{id}/cancel":         func() string { return aliceSubscription(t, e, alice, false) },
		"/v1/me/subscriptions/{id}/change/preview": func() string { return aliceSubscription(t, e, alice, false) },
		"/v1/me/subscriptions/{id}/change":         func() string { return aliceSubscription(t, e, alice, false) },
		"/v1/me/subscriptions/{id}/resume":         func() string { return aliceSubscription(t, e, alice, true) },
		"/v1/me/subscriptions/{id}/pay":            func() string { return aliceSubscription(t, e, alice, false) },
		"/v1/me/invoices/{id}":                     func() string { return aliceInvoice(t, e, alice) },
		"/v1/me/invoices/{id}/pdf":                 func() string { return aliceInvoice(t, e, alice) },
		"/v1/me/invoices/{id}/pay":                 func() string { return aliceInvoice(t, e, alice) },
		"/v1/me/tickets/{id}":                      func() string { return aliceTicket(t, alice) },
		"/v1/me/tickets/{id}/replies":              func() string { return aliceTicket(t, alice) },
		"/v1/me/tickets/{id}/status":               func() string { return aliceTicket(t, alice) },
		"/v1/me/tickets/{id}/attachments/{file}":   func() string { return aliceTicket(t, alice) },
		"/v1/me/tokens/{id}": func() string {
			_, b, _ := alice.Do("POST", "/v1/me/tokens", map[string]any{"name": "x", "scopes": []string{"read"}})
			var c struct{ Token struct{ ID string } }
			_ = json.Unmarshal(b, &c)
			return c.Token.ID
		},
	}
	ops, err := openapi.Operations()
	if err != nil {
		t.Fatal(err)
	}
	auth := map[string]httpx.Auth{}
	for _, r := range httpapi.Routes(httpapi.Deps{}) {
		auth[r.Method+" "+r.Path] = r.Auth
	}
	checked := 0
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		if auth[op] != httpx.User || !strings.Contains(path, "{") {
			continue
		}
		fixture, ok := fixtures[path]
		if !ok {
			t.Errorf("%s: customer route with an id in its path but no ownership fixture in this test", op)
			continue
		}
		id := fixture()
		if id == "" {
			t.Fatalf("%s: fixture made no object", op)
		}
		target := strings.Replace(path, "{id}", id, 1)
		if code, body, _ := bob.Do(method, target, nil); code != 404 {
			t.Errorf("%s as another customer: %d %s, want 404", op, code, body)
		}
		if code, _, _ := session.New(e.srv.URL).Do(method, target, nil); code != 401 {
			t.Errorf("%s anonymously: %d, want 401", op, code)
		}
		checked++
	}
	if checked < len(fixtures) {
		t.Fatalf("checked %d routes, fixtures for %d: a fixture names a route that no longer exists", checked, len(fixtures))
	}
}

// aliceTicket opens a ticket as the customer signed in as c.
func aliceTicket(t *testing.T, c *session.Client) string {
	t.Helper()
	code, b, err := c.Do("POST", "/v1/me/tickets", map[string]any{"subject": "Help", "body": "Please.", "department_id": "dep_support"})
	if err != nil || code != 201 {
		t.Fatalf("open ticket: %d %s %v", code, b, err)
	}
	var tk struct{ ID string }
	_ = json.Unmarshal(b, &tk)
	return tk.ID
}

// aliceInvoice issues an invoice to the customer signed in as c.
func aliceInvoice(t *testing.T, e *env, c *session.Client) string {
	t.Helper()
	_, b, _ := c.Do("GET", "/v1/me", nil)
	var me struct{ ID string }
	_ = json.Unmarshal(b, &me)
	resp, created := e.do("POST", "/v1/admin/invoices", `{"customer_id":"`+me.ID+`","currency":"USD","lines":[{"description":"VPS","quantity":1,"unit_amount":1199}]}`, true)
	if resp.StatusCode != 201 {
		t.Fatalf("create invoice: %d %v", resp.StatusCode, created)
	}
	id := created["id"].(string)
	if resp, body := e.do("POST", "/v1/admin/invoices/"+id+"/finalize", "", true); resp.StatusCode != 200 {
		t.Fatalf("finalize: %d %v", resp.StatusCode, body)
	}
	return id
}

// aliceSubscription stores a subscription of the customer signed in as c.
func aliceSubscription(t *testing.T, e *env, c *session.Client, ending bool) string {
	t.Helper()
	_, b, _ := c.Do("GET", "/v1/me", nil)
	var me struct{ ID string }
	_ = json.Unmarshal(b, &me)
	cardSeq++
	id := fmt.Sprintf("sub_ord_alice_%v_%d", ending, cardSeq)
	sub := &orders.Subscription{ID: id, OrderID: "ord_alice", CustomerID: me.ID, Status: gateway.SubActive, CancelAtPeriodEnd: ending, GatewayID: "sub_gw", Version: 1}
	if err := dynamo.NewOrders(e.p.Table).Apply(context.Background(), orders.Change{Subscription: sub}); err != nil {
		t.Fatal(err)
	}
	return id
}

var cardSeq int

// aliceCard stores a saved card of the customer signed in as c.
func aliceCard(t *testing.T, e *env, c *session.Client) string {
	t.Helper()
	_, b, _ := c.Do("GET", "/v1/me", nil)
	var me struct{ ID string }
	_ = json.Unmarshal(b, &me)
	cardSeq++
	pm := &orders.PaymentMethod{ID: fmt.Sprintf("pm_alice_%d", cardSeq), Gateway: "stripe", CustomerID: me.ID, Brand: "visa", Last4: "4242", Attached: true, Version: 1}
	if err := dynamo.NewOrders(e.p.Table).Apply(context.Background(), orders.Change{PaymentMethod: pm}); err != nil {
		t.Fatal(err)
	}
	return pm.ID
}

// aliceService stores an active service of the customer signed in as c.
func aliceService(t *testing.T, e *env, c *session.Client) string {
	t.Helper()
	_, b, _ := c.Do("GET", "/v1/me", nil)
	var me struct{ ID string }
	_ = json.Unmarshal(b, &me)
	cardSeq++
	svc := &provisioning.Service{ID: fmt.Sprintf("svc_alice_%d", cardSeq), OrderID: "ord_alice", CustomerID: me.ID, Status: provisioning.StatusActive, PanelID: "1",
		ServiceType: catalog.VPS, CreatedAt: e.clock.Now()}
	if _, err := dynamo.NewServices(e.p.Table).CreateService(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	return svc.ID
}
