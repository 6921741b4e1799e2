package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
)

// Bandwidth overage goes onto the subscription's next invoice at the
// gateway once however often it is added, and our invoice for that
// renewal shows it as its own line, with tax, totalling what was charged.
func TestOverageLandsOnTheRenewalInvoice(t *testing.T) {
	s := newShop(t)
	p := s.plan("vps", func(in *catalog.PlanInput) {
		in.Features.BandwidthGB = 1000
		in.Metering = catalog.Metering{Overage: map[string]int64{"USD": 100}}
	})
	alice := customer(t, s.env, "alice@example.com")
	o := s.buy(alice, p.ID)
	ctx := context.Background()
	const line = "Bandwidth overage, 1 December 2026 to 1 January 2027: used 3500.0 GB of 1000.0 GB included; 2500.0 GB over at $1.00 per TB"
	first, err := s.p.Orders.ChargeUsage(ctx, o.ID, "overage-svc-1", 250, line)
	if err != nil || !strings.HasPrefix(first, "ii_") {
		t.Fatalf("charge usage: %q %v", first, err)
	}
	again, err := s.p.Orders.ChargeUsage(ctx, o.ID, "overage-svc-1", 250, line)
	if err != nil || again != first {
		t.Fatalf("a repeat made %q (first %q), %v", again, first, err)
	}
	s.clock.Advance(time.Minute)
	if err := s.stripe.Renew(o.SubscriptionID, false); err != nil {
		t.Fatal(err)
	}
	var renewal map[string]any
	s.eventually("the renewal invoice with the overage", func() bool {
		_, b, _ := alice.Do("GET", "/v1/me/invoices", nil)
		var out struct {
			Invoices []map[string]any `json:"invoices"`
		}
		_ = json.Unmarshal(b, &out)
		for _, inv := range out.Invoices {
			if strings.Contains(string(mustJSON(inv)), "Bandwidth overage") {
				renewal = inv
			}
		}
		return renewal != nil
	})
	lines := renewal["lines"].([]any)
	if len(lines) != 2 {
		t.Fatalf("lines %v", lines)
	}
	usage := lines[1].(map[string]any)
	if usage["description"] != line || usage["amount"].(float64) != 250 {
		t.Fatalf("usage line %v", usage)
	}
	sub := subscription(t, alice, orders.SubscriptionID(o.ID))
	if total := renewal["total"].(float64); total <= float64(sub.Amount) {
		t.Fatalf("renewal total %v does not include the overage (plan %d)", total, sub.Amount)
	}
	pays, _ := s.p.Orders.Payments(ctx, o.CustomerID)
	var charged int64
	for _, pay := range pays {
		if pay.Status == orders.PaymentSucceeded {
			charged = max(charged, pay.Amount)
		}
	}
	if int64(renewal["total"].(float64)) != charged {
		t.Fatalf("invoice total %v, charged %d", renewal["total"], charged)
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
