package orders_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

// namedGateway records the calls it gets and verifies only deliveries
// carrying its own header.
type namedGateway struct {
	gateway.Unconfigured
	name  string
	calls *[]string
}

func (g namedGateway) Name() string { return g.name }
func (g namedGateway) ParseWebhook(_ context.Context, d gateway.Delivery) (*gateway.Event, error) {
	if d.Header["x-"+g.name] != "ok" {
		return nil, gateway.ErrSignature
	}
	*g.calls = append(*g.calls, g.name+":webhook")
	return &gateway.Event{ID: "WH-1", Type: "BILLING.SUBSCRIPTION.UPDATED", Kind: gateway.Other, Created: t0}, nil
}
func (g namedGateway) CancelSubscription(context.Context, gateway.CancelInput) error {
	*g.calls = append(*g.calls, g.name+":cancel")
	return nil
}

// With two gateways registered, a subscription's calls go to the gateway
// that owns it, each webhook route is verified by its own gateway (and
// recorded under it), and a route of no configured gateway verifies
// nothing.
func TestEveryCallGoesToTheOwningGateway(t *testing.T) {
	clk := clock.NewFake(t0.Add(time.Hour))
	api, name := dynamotest.Backends()[0].New(t)
	store := dynamo.NewOrders(dynamo.New(api, name, clk))
	var calls []string
	svc := orders.NewService(orders.Config{Store: store, Clock: clk, Log: slog.New(slog.DiscardHandler),
		Gateways: gateway.NewRegistry(namedGateway{name: "stripe", calls: &calls}, namedGateway{name: "paypal", calls: &calls})})
	ctx := context.Background()
	o := placeOrder(t, store)
	sub := &orders.Subscription{ID: orders.SubscriptionID(o.ID), OrderID: o.ID, CustomerID: o.CustomerID, PlanID: o.PlanID, PlanName: o.PlanName, Cycle: o.Cycle,
		Currency: o.Currency, Price: o.Price, Amount: o.Renewal, Gateway: "paypal", GatewayID: "I-1", Status: gateway.SubActive,
		CurrentPeriodStart: t0, CurrentPeriodEnd: t0.AddDate(0, 1, 0), StateAt: t0, CreatedAt: t0, UpdatedAt: t0, Version: 1}
	if err := store.Apply(ctx, orders.Change{Subscription: sub}); err != nil {
		t.Fatal(err)
	}
	// What the owning gateway does not declare is refused, whatever the
	// other gateway could do.
	sub.Status = gateway.SubPastDue
	sub.Version++
	if err := store.Apply(ctx, orders.Change{Subscription: sub}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PayNow(ctx, o.CustomerID, sub.ID, ""); !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.MessageOf(err), "PayPal") {
		t.Fatalf("pay now through a gateway without it: %v", err)
	}
	if list, err := svc.Subscriptions(ctx, o.CustomerID); err != nil || len(list) != 1 || list[0].Capabilities == nil || list[0].Capabilities.PayNow {
		t.Fatalf("listed capabilities: %+v %v", list, err)
	}
	if _, err := svc.CancelSubscription(ctx, o.CustomerID, sub.ID, orders.CancelRequest{When: "now"}, "customer"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		route, header string
		ok            bool
	}{
		{"paypal", "x-paypal", true},
		{"paypal", "x-stripe", false}, // verified by the route's gateway, not any gateway
		{"nowhere", "x-nowhere", false},
	} {
		ev, err := svc.HandleWebhook(ctx, c.route, gateway.Delivery{Body: []byte(`{}`), Header: map[string]string{c.header: "ok"}})
		if c.ok && (err != nil || ev.Gateway != c.route) {
			t.Fatalf("%s webhook: %+v %v", c.route, ev, err)
		}
		if !c.ok && !errors.Is(err, gateway.ErrSignature) {
			t.Fatalf("%s webhook with %s: %v", c.route, c.header, err)
		}
	}
	if seen, err := store.EventSeen(ctx, "paypal", "WH-1"); err != nil || !seen {
		t.Fatalf("the paypal event is not recorded under paypal: %v %v", seen, err)
	}
	if want := []string{"paypal:cancel", "paypal:webhook"}; len(calls) != 2 || calls[0] != want[0] || calls[1] != want[1] {
		t.Fatalf("calls %v, want %v", calls, want)
	}
}
