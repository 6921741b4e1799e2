package orders_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

// A gateway without invoices (PayPal) reports bare payments and failures;
// billing places each in the period its time falls in, counted from the
// subscription's start: a later period's payment waits for the first; the
// first payment pays the order; a failure is owed for its period (one
// invoice however often it is retried), the payment that follows pays
// that period, the next one is the next period, a repeat of a payment is
// nothing, and a payment of the wrong amount is parked for staff, not applied.
func TestInvoicelessPaymentsFindTheirPeriods(t *testing.T) {
	clk := clock.NewFake(t0.Add(time.Hour))
	api, name := dynamotest.Backends()[0].New(t)
	store := dynamo.NewOrders(dynamo.New(api, name, clk))
	var calls []string
	svc := orders.NewService(orders.Config{Store: store, Clock: clk, Log: slog.New(slog.DiscardHandler),
		Gateways: gateway.NewRegistry(namedGateway{name: "paypal", calls: &calls})})
	ctx := context.Background()
	o := placeOrder(t, store) // 900 now, 1000 a month after
	o.Gateway = "paypal"
	o.Version++
	if err := store.Apply(ctx, orders.Change{Order: o}); err != nil {
		t.Fatal(err)
	}
	n := 0
	apply := func(kind gateway.Kind, p gateway.SubscriptionPayment) error {
		t.Helper()
		n++
		p.SubscriptionID, p.OrderID, p.Currency, p.Started = "I-1", o.ID, "USD", t0
		return svc.ApplyEvent(ctx, &gateway.Event{Gateway: "paypal", ID: "WH-" + string(rune('A'+n)), Type: string(kind), Kind: kind, Created: p.At, Payment: &p})
	}
	through := func() string {
		t.Helper()
		pt, err := svc.PaidThrough(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		return pt.Format("2006-01-02")
	}
	if err := apply(gateway.SubscriptionPaid, gateway.SubscriptionPayment{ID: "S-3", Amount: 1000, At: t0.AddDate(0, 2, 0)}); !errors.Is(err, orders.ErrNotYet) {
		t.Fatalf("a renewal ahead of the first payment: %v, want not yet", err)
	}
	if err := apply(gateway.SubscriptionPaid, gateway.SubscriptionPayment{ID: "S-1", Amount: 900, At: t0}); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.GetOrder(ctx, o.ID); got.Status != orders.Paid || through() != "2026-12-26" {
		t.Fatalf("after the first payment: %s, paid through %s", got.Status, through())
	}
	// The renewal fails twice (PayPal's retry): one period owed.
	for i := int64(1); i <= 2; i++ {
		if err := apply(gateway.SubscriptionPaymentFailed, gateway.SubscriptionPayment{Amount: 1000, At: t0.AddDate(0, 1, int(i)), Attempt: i}); err != nil {
			t.Fatal(err)
		}
	}
	ledger, _ := store.ListPayments(ctx, "usr_1")
	owed := map[string]int{}
	for _, p := range ledger {
		if p.Status == orders.PaymentFailed {
			owed[p.GatewayInvoiceID]++
		}
	}
	if len(owed) != 1 || owed["I-1@2026-12-26T10:00:00Z"] != 2 {
		t.Fatalf("failures owed %v", owed)
	}
	if err := apply(gateway.SubscriptionPaid, gateway.SubscriptionPayment{ID: "S-9", Amount: 999, At: t0.AddDate(0, 1, 3)}); err != nil {
		t.Fatalf("a payment of the wrong amount: %v", err)
	}
	if p, err := store.GetPayment(ctx, "paypal:S-9"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("the payment of the wrong amount was applied: %+v %v", p, err)
	}
	parked := 0
	items, _ := store.ListOutbox(ctx, o.ID)
	for _, it := range items {
		if it.Kind == orders.KindUnmatchedPayment {
			parked++
		}
	}
	if parked != 1 {
		t.Fatalf("%d alerts for the payment of the wrong amount", parked)
	}
	if err := apply(gateway.SubscriptionPaid, gateway.SubscriptionPayment{ID: "S-2", Amount: 1000, At: t0.AddDate(0, 1, 3)}); err != nil {
		t.Fatal(err)
	}
	if through() != "2027-01-26" {
		t.Fatalf("after the owed period was paid: %s", through())
	}
	if err := apply(gateway.SubscriptionPaid, gateway.SubscriptionPayment{ID: "S-2", Amount: 1000, At: t0.AddDate(0, 1, 3)}); err != nil || through() != "2027-01-26" {
		t.Fatalf("the same payment again: %v, %s", err, through())
	}
	if err := apply(gateway.SubscriptionPaid, gateway.SubscriptionPayment{ID: "S-3", Amount: 1000, At: t0.AddDate(0, 2, 0)}); err != nil || through() != "2027-02-26" {
		t.Fatalf("the next renewal on time: %v, %s", err, through())
	}
	ledger, _ = store.ListPayments(ctx, "usr_1")
	paid := map[string]string{}
	for _, p := range ledger {
		if p.Status == orders.PaymentSucceeded {
			paid[p.GatewayChargeID] = p.GatewayInvoiceID
		}
	}
	if len(paid) != 3 || paid["S-2"] != "I-1@2026-12-26T10:00:00Z" || paid["S-3"] != "I-1@2027-01-26T10:00:00Z" || paid["S-1"] != "I-1@2026-11-26T10:00:00Z" {
		t.Fatalf("payments %v", paid)
	}
}

// A sale for an order this installation does not have is recorded once
// with one alert for staff, and pays nothing.
func TestSaleForAnUnknownOrderIsParked(t *testing.T) {
	clk := clock.NewFake(t0)
	api, name := dynamotest.Backends()[0].New(t)
	store := dynamo.NewOrders(dynamo.New(api, name, clk))
	var calls []string
	svc := orders.NewService(orders.Config{Store: store, Clock: clk, Log: slog.New(slog.DiscardHandler),
		Gateways: gateway.NewRegistry(namedGateway{name: "paypal", calls: &calls})})
	ctx := context.Background()
	ev := &gateway.Event{Gateway: "paypal", ID: "WH-X", Type: "PAYMENT.SALE.COMPLETED", Kind: gateway.SubscriptionPaid, Created: t0,
		Payment: &gateway.SubscriptionPayment{ID: "S-X", SubscriptionID: "I-X", OrderID: "ord_elsewhere", Currency: "USD", Amount: 500, At: t0, Started: t0}}
	for range 2 {
		if err := svc.ApplyEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	items, _ := store.ListOutbox(ctx, "ord_elsewhere")
	if len(items) != 1 || items[0].Kind != orders.KindUnmatchedPayment {
		t.Fatalf("alerts %+v", items)
	}
	if _, err := store.GetPayment(ctx, "paypal:S-X"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("the sale reached the ledger: %v", err)
	}
}
