package orders_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

// lifecycle is one order's life as Stripe reports it: checkout, a failed
// and recovered renewal, a paid renewal, a refund, cancellation toggled,
// and deletion — 20 events.
func lifecycle(orderID string) []*gateway.Event {
	month := func(n int) (time.Time, time.Time) { return t0.AddDate(0, n, 0), t0.AddDate(0, n+1, 0) }
	sub := func(id string, sec int, kind gateway.Kind, st gateway.SubscriptionStatus, period int, cancelAtEnd bool) *gateway.Event {
		s, e := month(period)
		return &gateway.Event{ID: id, Type: string(kind), Kind: kind, Created: at(sec), ObjectID: "sub_1",
			Subscription: &gateway.Subscription{ID: "sub_1", OrderID: orderID, Status: st, CurrentPeriodStart: s, CurrentPeriodEnd: e, CancelAtPeriodEnd: cancelAtEnd}}
	}
	inv := func(id string, sec int, kind gateway.Kind, in, charge, reason string, amount int64, attempt int64) *gateway.Event {
		ps, pe := month(map[string]int{"in_1": 0, "in_2": 1, "in_3": 2}[in]) // the service period, on the invoice's line
		return &gateway.Event{ID: id, Type: string(kind), Kind: kind, Created: at(sec), ObjectID: in,
			Invoice: &gateway.Invoice{ID: in, OrderID: orderID, SubscriptionID: "sub_1", Currency: "USD", Total: amount, AmountPaid: amount, ChargeID: charge, Reason: reason,
				AttemptCount: attempt, PeriodStart: ps, PeriodEnd: pe}}
	}
	return []*gateway.Event{
		sub("evt_01", 1, gateway.SubscriptionCreated, gateway.SubIncomplete, 0, false),
		{ID: "evt_02", Type: "payment_method.attached", Kind: gateway.PaymentMethodAttached, Created: at(1), ObjectID: "pm_1", PaymentMethod: &gateway.PaymentMethod{ID: "pm_1", CustomerID: "cus_1"}},
		inv("evt_03", 2, gateway.InvoiceFinalized, "in_1", "", gateway.ReasonFirst, 900, 1),
		inv("evt_04", 2, gateway.InvoicePaid, "in_1", "ch_1", gateway.ReasonFirst, 900, 1),
		sub("evt_05", 3, gateway.SubscriptionUpdated, gateway.SubActive, 0, false),
		{ID: "evt_06", Type: "checkout.session.completed", Kind: gateway.CheckoutCompleted, Created: at(3), ObjectID: "cs_1",
			Checkout: &gateway.CheckoutSession{ID: "cs_1", OrderID: orderID, CustomerID: "cus_1", SubscriptionID: "sub_1", Paid: true}},
		inv("evt_07", 10, gateway.InvoiceFinalized, "in_2", "", gateway.ReasonRenewal, 1000, 1),
		inv("evt_08", 11, gateway.InvoicePaymentFailed, "in_2", "", gateway.ReasonRenewal, 1000, 1),
		sub("evt_09", 11, gateway.SubscriptionUpdated, gateway.SubPastDue, 1, false),
		inv("evt_10", 12, gateway.InvoicePaymentFailed, "in_2", "", gateway.ReasonRenewal, 1000, 2),
		inv("evt_11", 13, gateway.InvoicePaid, "in_2", "ch_2", gateway.ReasonRenewal, 1000, 3),
		sub("evt_12", 13, gateway.SubscriptionUpdated, gateway.SubActive, 1, false),
		inv("evt_13", 20, gateway.InvoiceFinalized, "in_3", "", gateway.ReasonRenewal, 1000, 1),
		inv("evt_14", 20, gateway.InvoicePaid, "in_3", "ch_3", gateway.ReasonRenewal, 1000, 1),
		sub("evt_15", 21, gateway.SubscriptionUpdated, gateway.SubActive, 2, false),
		sub("evt_16", 22, gateway.SubscriptionUpdated, gateway.SubActive, 2, true),
		{ID: "evt_17", Type: "charge.refunded", Kind: gateway.ChargeRefunded, Created: at(23), ObjectID: "ch_3", Charge: &gateway.Charge{ID: "ch_3", InvoiceID: "in_3", Currency: "USD", Amount: 1000, AmountRefunded: 400}},
		sub("evt_18", 24, gateway.SubscriptionUpdated, gateway.SubActive, 2, false),
		sub("evt_19", 25, gateway.SubscriptionUpdated, gateway.SubActive, 2, true),
		sub("evt_20", 30, gateway.SubscriptionDeleted, gateway.SubCancelled, 2, true),
	}
}

type stubGateway struct{ gateway.Unconfigured }

func (stubGateway) Name() string { return "stripe" }

// Capabilities: Stripe's, where a subscription event carries its end at
// the period's end.
func (stubGateway) Capabilities() gateway.Capabilities {
	return gateway.Capabilities{SavedCards: true, PlanChangeNow: true, PayNow: true, LateFees: true, PeriodEndCancel: true, Invoices: true, CheckoutExpires: true}
}

// ChargeRefunds: ch_3's refund was made in Stripe's dashboard.
func (stubGateway) ChargeRefunds(_ context.Context, charge string) ([]gateway.Refund, error) {
	if charge != "ch_3" {
		return nil, nil
	}
	return []gateway.Refund{{ID: "re_1", Amount: 400, Created: at(23)}}, nil
}

func newService(tbl *dynamo.Table, clk clock.Clock) (*orders.Service, *dynamo.Orders) {
	store := dynamo.NewOrders(tbl)
	return orders.NewService(orders.Config{Store: store, Gateways: gateway.NewRegistry(stubGateway{}), Clock: clk, Log: slog.New(slog.DiscardHandler)}), store
}

func placeOrder(t *testing.T, store *dynamo.Orders) *orders.Order {
	t.Helper()
	o := &orders.Order{ID: "ord_1", CustomerID: "usr_1", PlanID: "pln_1", PlanName: "VPS", ServiceType: catalog.VPS, Cycle: catalog.Monthly, Currency: "USD",
		Status: orders.Pending, Price: 1000, Discount: 100, Total: 900, Renewal: 1000, Gateway: "stripe", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), Version: 1}
	if err := store.CreateOrder(context.Background(), o, nil); err != nil {
		t.Fatal(err)
	}
	return o
}

// outcome is everything the events decide, without bookkeeping that
// legitimately differs between runs (versions, write times).
type outcome struct {
	Order        orders.Order
	Subscription orders.Subscription
	Payments     []string
	Outbox       []string
	PaidThrough  string
}

func snapshot(t *testing.T, store *dynamo.Orders) outcome {
	t.Helper()
	ctx := context.Background()
	o, err := store.GetOrder(ctx, "ord_1")
	if err != nil {
		t.Fatal(err)
	}
	o.Version, o.UpdatedAt = 0, time.Time{}
	sub, err := store.GetSubscription(ctx, orders.SubscriptionID("ord_1"))
	if err != nil {
		t.Fatal(err)
	}
	sub.Version, sub.UpdatedAt, sub.CreatedAt = 0, time.Time{}, time.Time{}
	pays, err := store.ListPayments(ctx, "usr_1")
	if err != nil {
		t.Fatal(err)
	}
	out := outcome{Order: *o, Subscription: *sub}
	if pt, err := store.GetPaidThrough(ctx, "ord_1"); err == nil {
		out.PaidThrough = pt.Through.Format(time.RFC3339) + " by " + pt.InvoiceID
	}
	for _, p := range pays {
		out.Payments = append(out.Payments, fmt.Sprintf("%s %s %d %d", p.ID, p.Status, p.Amount, p.Refunded))
	}
	items, err := store.ListOutbox(ctx, "ord_1")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		out.Outbox = append(out.Outbox, it.ID)
	}
	slices.Sort(out.Payments)
	slices.Sort(out.Outbox)
	return out
}

// The same 20 events delivered three times each, concurrently and in
// random order, end in the same state as one ordered delivery — five
// shuffles on the embedded store, one on moto (it serves one request at a
// time), each on a fresh table.
func TestEventsConvergeUnderDuplicatesAndDisorder(t *testing.T) {
	clk := clock.NewFake(t0.Add(time.Hour))
	for _, b := range dynamotest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			fresh := func() (*orders.Service, *dynamo.Orders) {
				api, name := b.New(t)
				svc, store := newService(dynamo.New(api, name, clk), clk)
				placeOrder(t, store)
				return svc, store
			}
			svc, store := fresh()
			for _, ev := range lifecycle("ord_1") {
				if err := svc.ApplyEvent(context.Background(), ev); err != nil {
					t.Fatal(err)
				}
			}
			want := snapshot(t, store)
			if want.Order.Status != orders.Paid || want.Subscription.Status != gateway.SubCancelled || len(want.Payments) != 6 || want.Payments[5] != "stripe:re_1 refund 400 0" || len(want.Outbox) != 10 || want.Outbox[0] != "ended-sub_ord_1" ||
				want.Payments[2] != "stripe:ch_3 succeeded 1000 400" || !want.Subscription.CancelAtPeriodEnd ||
				want.PaidThrough != t0.AddDate(0, 3, 0).Format(time.RFC3339)+" by in_3" {
				t.Fatalf("ordered delivery ended in %+v", want)
			}
			rounds := 5
			if b.Name != "minidyn" || testing.Short() {
				rounds = 1
			}
			for round := range rounds {
				svc, store := fresh()
				shuffledTriple(t, svc)
				if got := snapshot(t, store); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("round %d:\n got %+v\nwant %+v", round, got, want)
				}
			}
		})
	}
}

// shuffledTriple delivers the lifecycle three times, concurrently, in a
// random order, then redelivers what was refused as "not yet" (as Stripe
// retries).
func shuffledTriple(t *testing.T, svc *orders.Service) {
	t.Helper()
	var deliveries []*gateway.Event
	for range 3 {
		deliveries = append(deliveries, lifecycle("ord_1")...)
	}
	rand.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		refused []*gateway.Event
	)
	for _, ev := range deliveries {
		wg.Go(func() {
			err := svc.ApplyEvent(context.Background(), ev)
			if errors.Is(err, orders.ErrNotYet) {
				mu.Lock()
				refused = append(refused, ev)
				mu.Unlock()
			} else if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, ev := range refused {
		if err := svc.ApplyEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

// A refund of a charge that never reaches our ledger (made for a charge of
// another integration, or whose invoice was never ours) is acknowledged:
// answering 503 for ever makes Stripe retry for days and disable the
// endpoint. A refund overtaking its invoice still waits, briefly.
func TestRefundOfAChargeNotOnTheLedger(t *testing.T) {
	clk := clock.NewFake(t0)
	dynamotest.Run(t, clk, func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		svc, _ := newService(tbl, clk)
		created := clk.Now()
		ev := func(id, customer string) *gateway.Event {
			return &gateway.Event{ID: id, Type: "charge.refunded", Kind: gateway.ChargeRefunded, Created: created, ObjectID: "ch_x",
				Charge: &gateway.Charge{ID: "ch_x", InvoiceID: "in_x", CustomerID: customer, Currency: "USD", Amount: 1000, AmountRefunded: 1000}}
		}
		ctx := context.Background()
		if err := svc.ApplyEvent(ctx, ev("evt_a", "")); !errors.Is(err, orders.ErrNotYet) {
			t.Fatalf("a fresh refund ahead of its invoice = %v, want not yet", err)
		}
		if err := svc.ApplyEvent(ctx, ev("evt_b", "cus_not_ours")); err != nil {
			t.Fatalf("a refund for a customer we do not know = %v, want acknowledged", err)
		}
		clk.Advance(2 * time.Hour)
		if err := svc.ApplyEvent(ctx, ev("evt_a", "")); err != nil {
			t.Fatalf("the same refund two hours later = %v, want acknowledged", err)
		}
	})
}

// truthGateway answers what the subscription is now, or fails.
type truthGateway struct {
	stubGateway
	now   *gateway.Subscription
	err   error
	asked int
}

func (g *truthGateway) Subscription(_ context.Context, id string) (*gateway.Subscription, error) {
	g.asked++
	if g.err != nil {
		return nil, g.err
	}
	if id != g.now.ID {
		return nil, fmt.Errorf("asked for %s", id)
	}
	s := *g.now
	return &s, nil
}

// Two changes in one second (a renewal's update, then the customer's
// cancellation at period end) reach us as two events with the same
// created second, in either order. Neither event can tell which came
// last, so the gateway's present state decides; a failure to ask leaves
// the event for redelivery rather than guessing.
func TestSameSecondSubscriptionEventsAskTheGateway(t *testing.T) {
	start, end := t0.AddDate(0, 1, 0), t0.AddDate(0, 2, 0)
	sub := func(id string, sec int, period time.Time, cancel bool) *gateway.Event {
		return &gateway.Event{ID: id, Type: "customer.subscription.updated", Kind: gateway.SubscriptionUpdated, Created: at(sec), ObjectID: "sub_1",
			Subscription: &gateway.Subscription{ID: "sub_1", OrderID: "ord_1", Status: gateway.SubActive, CurrentPeriodStart: period, CurrentPeriodEnd: period.AddDate(0, 1, 0), CancelAtPeriodEnd: cancel}}
	}
	first := sub("evt_1", 1, t0, false)
	renewed, cancelled := sub("evt_2", 5, start, false), sub("evt_3", 5, start, true)
	for _, tc := range []struct {
		name  string
		order []*gateway.Event
	}{
		{"renewal first", []*gateway.Event{first, renewed, cancelled}},
		{"cancellation first", []*gateway.Event{first, cancelled, renewed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(t0.Add(time.Hour))
			dynamotest.Run(t, clk, func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
				gw := &truthGateway{now: cancelled.Subscription, err: errors.New("connection reset")}
				store := dynamo.NewOrders(tbl)
				svc := orders.NewService(orders.Config{Store: store, Gateways: gateway.NewRegistry(gw), Clock: clk, Log: slog.New(slog.DiscardHandler)})
				placeOrder(t, store)
				ctx := context.Background()
				for _, ev := range tc.order[:2] {
					if err := svc.ApplyEvent(ctx, ev); err != nil {
						t.Fatal(err)
					}
				}
				if gw.asked != 0 {
					t.Fatalf("asked the gateway %d times before any tie", gw.asked)
				}
				if err := svc.ApplyEvent(ctx, tc.order[2]); err == nil {
					t.Fatal("a tie the gateway could not settle was accepted")
				}
				gw.err = nil
				for _, ev := range append(tc.order[2:], tc.order[1:]...) { // redelivery, then duplicates
					if err := svc.ApplyEvent(ctx, ev); err != nil {
						t.Fatal(err)
					}
				}
				got, err := store.GetSubscription(ctx, orders.SubscriptionID("ord_1"))
				if err != nil {
					t.Fatal(err)
				}
				if !got.CancelAtPeriodEnd || !got.CurrentPeriodStart.Equal(start) || !got.CurrentPeriodEnd.Equal(end) || !got.StateAt.Equal(at(5)) {
					t.Fatalf("subscription ended as %+v, want the gateway's: period from %s, cancelling at its end", got, start)
				}
			})
		})
	}
}

// Only a payment for a period moves the paid-through date: a plan
// change's proration invoice does not, an older period's payment
// delivered late does not move it back, and a repeat changes nothing.
func TestPaidThroughMovesOnlyWithAPeriodsPayment(t *testing.T) {
	clk := clock.NewFake(t0.Add(time.Hour))
	api, name := dynamotest.Backends()[0].New(t)
	svc, store := newService(dynamo.New(api, name, clk), clk)
	placeOrder(t, store)
	ctx := context.Background()
	paid := func(id, in, reason string, months int) {
		t.Helper()
		ev := &gateway.Event{ID: id, Type: string(gateway.InvoicePaid), Kind: gateway.InvoicePaid, Created: at(months + 1), ObjectID: in,
			Invoice: &gateway.Invoice{ID: in, OrderID: "ord_1", SubscriptionID: "sub_1", Currency: "USD", Total: 1000, AmountPaid: 1000, ChargeID: "ch_" + in,
				Reason: reason, PeriodStart: t0.AddDate(0, months, 0), PeriodEnd: t0.AddDate(0, months+1, 0)}}
		if err := svc.ApplyEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	through := func() string {
		t.Helper()
		pt, err := svc.PaidThrough(ctx, "ord_1")
		if err != nil {
			t.Fatal(err)
		}
		return pt.Format("2006-01-02")
	}
	paid("evt_a", "in_a", gateway.ReasonFirst, 0)
	if got := through(); got != "2026-12-26" {
		t.Fatalf("after the first payment: %s", got)
	}
	paid("evt_b", "in_b", gateway.ReasonChange, 5) // proration: no period bought
	paid("evt_c", "in_c", gateway.ReasonRenewal, 2)
	paid("evt_d", "in_d", gateway.ReasonRenewal, 1)  // late delivery of an older renewal
	paid("evt_c2", "in_c", gateway.ReasonRenewal, 2) // the same payment, another event id
	if got := through(); got != "2027-02-26" {
		t.Fatalf("after the renewals: %s", got)
	}
}
