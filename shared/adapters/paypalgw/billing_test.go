package paypalgw_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
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

// A free trial: the buyer's approval (verified ACTIVATED, no sale) pays
// the order, and the first sale when the trial ends is the order's total.
func TestPayPalFreeTrialStartsOnApproval(t *testing.T) {
	w := newWorld(t, "")
	ctx := context.Background()
	clk := clock.NewFake(w.now)
	api, name := dynamotest.Backends()[0].New(t)
	store := dynamo.NewOrders(dynamo.New(api, name, clk))
	svc := orders.NewService(orders.Config{Store: store, Clock: clk, Log: slog.New(slog.DiscardHandler), Gateways: gateway.NewRegistry(w.gw)})
	o := &orders.Order{ID: "ord_trial", CustomerID: "usr_1", PlanID: "pln_vps", PlanName: "VPS Starter", ServiceType: catalog.VPS, Cycle: catalog.Monthly,
		Currency: "USD", Status: orders.Pending, Price: 1490, Total: 1490, Renewal: 1490, TrialDays: 7, Gateway: "paypal", CreatedAt: clk.Now(),
		ExpiresAt: clk.Now().Add(time.Hour), Version: 1}
	if err := store.CreateOrder(ctx, o, nil); err != nil {
		t.Fatal(err)
	}
	in := checkout(o.ID)
	in.TrialDays = 7
	co, err := w.gw.CreateCheckout(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	apply := func(hooks []gateway.Delivery) {
		t.Helper()
		for _, d := range hooks {
			if _, err := svc.HandleWebhook(ctx, "paypal", d); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.approve(t, co.URL)
	hooks := w.delivered(t, 1)
	apply(hooks)
	if got, _ := store.GetOrder(ctx, o.ID); got.Status != orders.Paid {
		t.Fatalf("after approving a free trial the order is %s", got.Status)
	}
	if ledger, _ := store.ListPayments(ctx, "usr_1"); len(ledger) != 0 {
		t.Fatalf("a free trial charged %+v", ledger)
	}
	w.advance(7 * 24 * time.Hour)
	clk.Advance(7 * 24 * time.Hour)
	if n := w.sim.RenewDue(); n != 1 {
		t.Fatalf("billed %d cycles at the trial's end", n)
	}
	apply(w.delivered(t, len(hooks)+1)[len(hooks):])
	ledger, _ := store.ListPayments(ctx, "usr_1")
	if len(ledger) != 1 || ledger[0].Amount != 1490 || ledger[0].Status != orders.PaymentSucceeded {
		t.Fatalf("after the trial: %+v", ledger)
	}
}

// snapshot is what the deliveries decide: the order's status, the ledger,
// the subscription's state and the paid-through date.
func snapshot(t *testing.T, store *dynamo.Orders, svc *orders.Service, orderID string) string {
	t.Helper()
	ctx := context.Background()
	o, err := store.GetOrder(ctx, orderID)
	if err != nil {
		t.Fatal(err)
	}
	ledger, _ := store.ListPayments(ctx, o.CustomerID)
	lines := []string{"order " + string(o.Status)}
	for _, p := range ledger {
		lines = append(lines, fmt.Sprintf("%s %s %d refunded %d of %s", p.ID, p.Status, p.Amount, p.Refunded, p.RefundOf))
	}
	sort.Strings(lines[1:])
	if sub, err := store.GetSubscription(ctx, orders.SubscriptionID(orderID)); err == nil {
		lines = append(lines, fmt.Sprintf("subscription %s %s–%s", sub.Status, sub.CurrentPeriodStart.Format(time.RFC3339), sub.CurrentPeriodEnd.Format(time.RFC3339)))
	}
	through, _ := svc.PaidThrough(ctx, orderID)
	return strings.Join(append(lines, "paid through "+through.Format(time.RFC3339)), "\n")
}

// A subscription's whole life at PayPal — approval and first sale, a
// declined renewal, the balance captured, a partial refund, the
// cancellation — delivered in order, reversed, and shuffled (each
// delivery PayPal's to repeat until it is taken, and repeated once more
// after) ends in the same state.
func TestPayPalEventsInAnyOrderConverge(t *testing.T) {
	w := newWorld(t, "")
	ctx := context.Background()
	co, err := w.gw.CreateCheckout(ctx, checkout("ord_pp"))
	if err != nil {
		t.Fatal(err)
	}
	w.approve(t, co.URL)
	w.delivered(t, 2)
	w.sim.SetDeclines(co.ID, true)
	w.advance(31 * 24 * time.Hour)
	w.sim.RenewDue()
	w.delivered(t, 3)
	w.sim.SetDeclines(co.ID, false)
	if err := w.capture(co.ID, "14.90"); err != nil {
		t.Fatal(err)
	}
	w.delivered(t, 4)
	if _, err := w.gw.Refund(ctx, gateway.RefundInput{ChargeID: w.sim.Sales(co.ID)[0].ID, Amount: 490, Key: "r1"}); err != nil {
		t.Fatal(err)
	}
	w.delivered(t, 5)
	if err := w.gw.CancelSubscription(ctx, gateway.CancelInput{SubscriptionID: co.ID}); err != nil {
		t.Fatal(err)
	}
	hooks := w.delivered(t, 7) // CREATED, the sale, ACTIVATED, the failure, the capture, the refund, CANCELLED
	if len(hooks) != 7 {
		t.Fatalf("%d deliveries", len(hooks))
	}

	run := func(order []int) string {
		clk := clock.NewFake(w.now)
		api, name := dynamotest.Backends()[0].New(t)
		store := dynamo.NewOrders(dynamo.New(api, name, clk))
		svc := orders.NewService(orders.Config{Store: store, Clock: clk, Log: slog.New(slog.DiscardHandler), Gateways: gateway.NewRegistry(w.gw)})
		o := &orders.Order{ID: "ord_pp", CustomerID: "usr_1", PlanID: "pln_vps", PlanName: "VPS Starter", ServiceType: catalog.VPS, Cycle: catalog.Monthly,
			Currency: "USD", Status: orders.Pending, Price: 1490, Total: 1490, Renewal: 1490, Gateway: "paypal", CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour), Version: 1}
		if err := store.CreateOrder(ctx, o, nil); err != nil {
			t.Fatal(err)
		}
		pending := order
		for round := 0; len(pending) > 0; round++ {
			if round > len(order) {
				t.Fatalf("deliveries %v are never taken", pending)
			}
			var again []int
			for _, i := range pending {
				if _, err := svc.HandleWebhook(ctx, "paypal", hooks[i]); err != nil {
					again = append(again, i) // refused for now: PayPal delivers it again
				}
			}
			pending = again
		}
		for _, i := range order {
			if _, err := svc.HandleWebhook(ctx, "paypal", hooks[i]); err != nil {
				t.Fatalf("a repeat of delivery %d: %v", i, err)
			}
		}
		return snapshot(t, store, svc, "ord_pp")
	}
	inOrder := run([]int{0, 1, 2, 3, 4, 5, 6})
	if !strings.Contains(inOrder, "order paid") || !strings.Contains(inOrder, "subscription cancelled") || !strings.Contains(inOrder, "refunded 490") {
		t.Fatalf("in order:\n%s", inOrder)
	}
	sequences := [][]int{{6, 5, 4, 3, 2, 1, 0}, {3, 0, 6, 5, 2, 4, 1}, {1, 4, 6, 0, 5, 3, 2}}
	for range 5 {
		sequences = append(sequences, rand.Perm(7))
	}
	for _, order := range sequences {
		if got := run(order); got != inOrder {
			t.Errorf("delivered as %v:\n%s\nin order:\n%s", order, got, inOrder)
		}
	}
}
