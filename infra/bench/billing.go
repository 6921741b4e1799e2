package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ezscale/platform/shared/adapters/invoicepdf"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// benchBilling prints PDF render time per invoice and invoices finalised
// per second (numbering transaction, PDF, stored blob, queued e-mail).
func benchBilling() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ezscale-bench-billing")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, _, _, err := platform(ctx, dir, clock.System{}, map[string]string{"ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME": "1"})
	if err != nil {
		return err
	}
	u, err := p.Accounts.CreateUser(ctx, accounts.NewUser{Email: "bench@example.com", Name: "Zofia Łódź", Password: "correct horse battery staple", Role: accounts.Customer, Verified: true})
	if err != nil {
		return err
	}
	draft := billing.DraftInput{CustomerID: u.ID, Currency: "EUR", TaxName: "VAT", TaxRateBP: 2300, DueInDays: 14,
		Lines: []billing.LineInput{{Description: "VPS Standard — November", Quantity: 1, UnitAmount: 1199}, {Description: "Extra IPv4", Quantity: 2, UnitAmount: 300}}}

	r := invoicepdf.New(invoicepdf.Seller{Name: "EZSCALE", Address: []string{"1 Server Street", "Dallas, TX"}})
	now := time.Now()
	sample := &billing.Invoice{ID: "inv_b", Number: "EZS-2026-000001", Currency: "EUR", Status: billing.Open, IssuedAt: &now, DueAt: &now,
		BillTo: billing.BillTo{Name: "Zofia Łódź"}, Lines: []billing.Line{{Description: "VPS", Quantity: 1, UnitAmount: 1199, Amount: 1199}}, Subtotal: 1199, Total: 1199}
	lat := make([]time.Duration, 100)
	for i := range lat {
		start := time.Now()
		if _, err := r.Render(sample); err != nil {
			return err
		}
		lat[i] = time.Since(start)
	}
	fmt.Println("Invoice PDF (fpdf, embedded DejaVu subset, 100 renders)")
	fmt.Printf("  p50 %v   p99 %v\n", pct(lat, 50), pct(lat, 99))

	const n = 200
	var ids []string
	for range n {
		inv, err := p.Billing.CreateDraft(ctx, draft)
		if err != nil {
			return err
		}
		ids = append(ids, inv.ID)
	}
	el, err := spread(n, 4, func(i int) error {
		_, err := p.Billing.Finalize(ctx, ids[i])
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("Invoices finalised (numbered, PDF rendered and stored, e-mail queued; 4 concurrent, embedded store)\n")
	fmt.Printf("  %d in %v = %.0f per second\n\n", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
	if err := benchInvoiceEffects(ctx, p, u.ID); err != nil {
		return err
	}
	return benchCoupons(ctx, p.Coupons)
}

// benchInvoiceEffects is a day of renewals as the platform meets it: one
// invoice.paid outbox item per renewal (what the gateway's webhook
// records), published by the outbox dispatcher — invoice created and
// numbered, PDF rendered and stored, receipt e-mail with the PDF queued.
func benchInvoiceEffects(ctx context.Context, p *app.Platform, customerID string) error {
	const n = 1000
	now := time.Now().UTC()
	var items []outbox.Item
	for i := range n {
		o := &orders.Order{ID: fmt.Sprintf("ord_renew_%04d", i), CustomerID: customerID, PlanID: "pln_vps", PlanName: "VPS Standard",
			ServiceType: catalog.VPS, Cycle: catalog.Monthly, Currency: "EUR", Status: orders.Paid, Price: 1199, Total: 1199, Renewal: 1199,
			TaxName: "VAT", CreatedAt: now, ExpiresAt: now, UpdatedAt: now, Version: 1}
		if err := p.OrderStore.CreateOrder(ctx, o, nil); err != nil {
			return err
		}
		items = append(items, outbox.New("bench-renewal-"+o.ID, orders.KindInvoicePaid, o.ID, orders.InvoicePaidEvent{OrderID: o.ID, CustomerID: customerID,
			Gateway: "stripe", GatewayInvoiceID: fmt.Sprintf("in_renew_%04d", i), ChargeID: fmt.Sprintf("ch_renew_%04d", i), Currency: "EUR",
			Amount: 1199, Reason: gateway.ReasonRenewal, PeriodStart: "2026-12-01", PeriodEnd: "2027-01-01"}, now))
	}
	for i := 0; i < n; i += 25 {
		if err := p.OrderStore.Apply(ctx, orders.Change{Outbox: items[i : i+25]}); err != nil {
			return err
		}
	}
	start := time.Now()
	done := 0
	for done < n {
		k, err := p.Outbox.Publish(ctx)
		if err != nil {
			return err
		}
		if k == 0 {
			return fmt.Errorf("invoice effects stalled after %d of %d", done, n)
		}
		done += k
	}
	el := time.Since(start)
	rate := float64(n) / el.Seconds()
	fmt.Printf("Invoice effects of renewals (invoice.paid outbox items: invoice numbered, PDF rendered and stored, receipt queued; %d workers, embedded store)\n", p.Outbox.Workers)
	fmt.Printf("  %d in %v = %.0f per second; 10,000 renewals in %.0f s\n\n", n, el.Round(time.Millisecond), rate, 10000/rate)
	return nil
}

// benchCoupons races 8 workers for a 500-use coupon with 1000 orders: it
// prints redemptions per second and checks the limit held exactly.
func benchCoupons(ctx context.Context, svc *coupons.Service) error {
	if _, err := svc.Create(ctx, coupons.Coupon{Code: "BENCH", Kind: coupons.Percent, PercentBP: 1000, MaxUses: 500}); err != nil {
		return err
	}
	const orders, workers = 1000, 8
	var ok, refused atomic.Int64
	el, err := spread(orders, workers, func(i int) error {
		_, err := svc.Redeem(ctx, "BENCH", fmt.Sprintf("usr_%d", i), fmt.Sprintf("ord_%d", i), "pln_1", "USD", 1000)
		switch {
		case err == nil:
			ok.Add(1)
		case apperr.Is(err, apperr.Invalid): // used up
			refused.Add(1)
		default:
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	c, err := svc.Get(ctx, "BENCH")
	if err != nil {
		return err
	}
	if ok.Load() != 500 || c.Uses != 500 {
		return fmt.Errorf("coupon limit broken: %d redeemed, %d counted, max 500", ok.Load(), c.Uses)
	}
	fmt.Printf("Coupon redemptions (8 concurrent, 1000 orders for a 500-use coupon, embedded store)\n")
	fmt.Printf("  %d redeemed + %d refused in %v = %.0f attempts per second; uses = %d (exact)\n\n",
		ok.Load(), refused.Load(), el.Round(time.Millisecond), float64(orders)/el.Seconds(), c.Uses)
	return nil
}

// spread runs fn for 0..n-1 on workers goroutines (worker w takes w,
// w+workers, …) and returns the elapsed time and the first error.
func spread(n, workers int, fn func(i int) error) (time.Duration, error) {
	errs := make(chan error, n)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := fn(i); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return time.Since(start), <-errs
}
