package paypalgw_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

// PayPal's own deliveries, verified and decoded by the adapter and applied
// by the billing core: the approved subscription's first sale pays the
// order; a declined renewal is owed for the next period (however often
// PayPal reports it); the merchant's capture of the balance pays that
// period; every delivery repeated changes nothing.
func TestPayPalDeliveriesDriveTheLedger(t *testing.T) {
	w := newWorld(t, "")
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	api, name := dynamotest.Backends()[0].New(t)
	store := dynamo.NewOrders(dynamo.New(api, name, clk))
	svc := orders.NewService(orders.Config{Store: store, Clock: clk, Log: slog.New(slog.DiscardHandler), Gateways: gateway.NewRegistry(w.gw)})
	o := &orders.Order{ID: "ord_pp", CustomerID: "usr_1", PlanID: "pln_vps", PlanName: "VPS Starter", ServiceType: catalog.VPS, Cycle: catalog.Monthly,
		Currency: "USD", Status: orders.Pending, Price: 1490, Total: 1490, Renewal: 1490, Gateway: "paypal", CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour), Version: 1}
	if err := store.CreateOrder(ctx, o, nil); err != nil {
		t.Fatal(err)
	}
	co, err := w.gw.CreateCheckout(ctx, checkout(o.ID))
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	deliver := func() {
		t.Helper()
		hooks := w.delivered(t, applied)
		for _, d := range hooks[applied:] {
			for range 2 { // every delivery twice, as PayPal may send it
				if _, err := svc.HandleWebhook(ctx, "paypal", d); err != nil {
					t.Fatalf("delivery %s: %v", d.Body[:60], err)
				}
			}
		}
		applied = len(hooks)
	}
	w.approve(t, co.URL)
	w.delivered(t, 3)
	deliver()
	if got, _ := store.GetOrder(ctx, o.ID); got.Status != orders.Paid {
		t.Fatalf("after approval: %s", got.Status)
	}
	first, _ := svc.PaidThrough(ctx, o.ID)
	// A month on, the renewal is declined: PAYMENT.FAILED.
	w.sim.SetDeclines(co.ID, true)
	w.advance(31 * 24 * time.Hour)
	if n := w.sim.RenewDue(); n != 1 {
		t.Fatalf("renewed %d", n)
	}
	w.delivered(t, applied+1)
	deliver()
	ledger, _ := store.ListPayments(ctx, "usr_1")
	var owed string
	for _, p := range ledger {
		if p.Status == orders.PaymentFailed {
			owed = p.GatewayInvoiceID
		}
	}
	if want := co.ID + "@" + first.UTC().Format("2006-01-02T15:04:05Z"); owed != want {
		t.Fatalf("owed %q, want %q", owed, want)
	}
	// The merchant captures the balance: the sale pays the period owed.
	w.sim.SetDeclines(co.ID, false)
	if err := w.capture(co.ID, "14.90"); err != nil {
		t.Fatal(err)
	}
	w.delivered(t, applied+1)
	deliver()
	if through, _ := svc.PaidThrough(ctx, o.ID); !through.Equal(first.AddDate(0, 1, 0)) {
		t.Fatalf("paid through %s after the capture, want %s", through, first.AddDate(0, 1, 0))
	}
	ledger, _ = store.ListPayments(ctx, "usr_1")
	settled := 0
	for _, p := range ledger {
		if p.Status == orders.PaymentSucceeded && p.GatewayInvoiceID == owed {
			settled++
		}
	}
	if settled != 1 || len(ledger) != 3 {
		t.Fatalf("ledger %+v", ledger)
	}
	// A refund made in PayPal's dashboard reaches the ledger once.
	sale := w.sim.Sales(co.ID)[0].ID
	if _, err := w.gw.Refund(ctx, gateway.RefundInput{ChargeID: sale, Amount: 490, Key: "dashboard-1"}); err != nil {
		t.Fatal(err)
	}
	w.delivered(t, applied+1)
	deliver()
	p, err := store.GetPayment(ctx, "paypal:"+sale)
	if err != nil || p.Refunded != 490 {
		t.Fatalf("the refunded sale: %+v %v", p, err)
	}
	ledger, _ = store.ListPayments(ctx, "usr_1")
	refunds := 0
	for _, e := range ledger {
		if e.Status == orders.PaymentRefund && e.RefundOf == p.ID && e.Amount == 490 {
			refunds++
		}
	}
	if refunds != 1 {
		t.Fatalf("%d refund entries in %+v", refunds, ledger)
	}
}
