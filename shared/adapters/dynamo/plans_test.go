package dynamo_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

// The plan store's contract, on every backend: concurrent creates of one
// slug leave exactly one plan, and listings see the right partitions.
func TestPlansContract(t *testing.T) {
	clk := clock.NewFake(t0)
	dynamotest.Run(t, clk, func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		svc := catalog.NewService(dynamo.NewPlans(tbl), clk, 3)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				in := catalogtest.Input("same-slug")
				in.Name = fmt.Sprintf("racer %d", i)
				_, errs[i] = svc.Create(ctx, in)
			})
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("unexpected: %v", err)
			}
		}
		all, err := svc.List(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if wins != 1 || len(all) != 1 {
			t.Fatalf("wins = %d, plans = %d; want 1 and 1", wins, len(all))
		}

		hidden := catalogtest.Input("hidden-one")
		hidden.Status = catalog.Hidden
		if _, err := svc.Create(ctx, hidden); err != nil {
			t.Fatal(err)
		}
		active, err := svc.List(ctx, catalog.Active, catalog.VPS)
		if err != nil || len(active) != 1 || active[0].Slug != "same-slug" {
			t.Fatalf("active = %+v, %v", active, err)
		}
		if got, err := svc.List(ctx, "", ""); err != nil || len(got) != 2 {
			t.Fatalf("all = %d, %v", len(got), err)
		}
		if got, err := svc.List(ctx, catalog.Active, catalog.Dedicated); err != nil || len(got) != 0 {
			t.Fatalf("dedicated = %d, %v", len(got), err)
		}
		// Hiding a plan moves it out of the public partition.
		p := active[0]
		in := catalogtest.Input(p.Slug)
		in.Status = catalog.Hidden
		if _, err := svc.Replace(ctx, p.ID, p.Version, in); err != nil {
			t.Fatal(err)
		}
		pub, err := svc.Public(ctx, catalog.PublicQuery{})
		if err != nil || len(pub.Plans) != 0 {
			t.Fatalf("public after hide = %+v, %v", pub, err)
		}
	})
}

// The catalog's generation moves with every plan edit, seen from any
// table handle (another function), and with every plan write this
// handle made itself, stock moves included.
func TestCatalogGeneration(t *testing.T) {
	clk := clock.NewFake(t0)
	dynamotest.Run(t, clk, func(t *testing.T, tbl *dynamo.Table, c dynamotest.Client) {
		ctx := context.Background()
		here, elsewhere := dynamo.NewPlans(tbl), dynamo.NewPlans(dynamo.New(c, tbl.Name(), clk))
		gen := func(p *dynamo.Plans) string {
			t.Helper()
			g, err := p.Generation(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		svc := catalog.NewService(here, clk, 3)
		stock := int64(2)
		in := catalogtest.Input("gen")
		in.Stock = &stock
		h0, e0 := gen(here), gen(elsewhere)
		plan, err := svc.Create(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		h1, e1 := gen(here), gen(elsewhere)
		if h1 == h0 || e1 == e0 {
			t.Fatalf("create: here %s→%s, elsewhere %s→%s", h0, h1, e0, e1)
		}
		in.Name = "edited"
		if plan, err = svc.Replace(ctx, plan.ID, plan.Version, in); err != nil {
			t.Fatal(err)
		}
		h2, e2 := gen(here), gen(elsewhere)
		if h2 == h1 || e2 == e1 {
			t.Fatalf("edit: here %s→%s, elsewhere %s→%s", h1, h2, e1, e2)
		}
		order := &orders.Order{ID: "ord_gen", CustomerID: "usr_gen", PlanID: plan.ID, Status: orders.Pending, StockReserved: true,
			Currency: "USD", CreatedAt: clk.Now(), UpdatedAt: clk.Now(), Version: 1}
		if err := dynamo.NewOrders(tbl).CreateOrder(ctx, order, nil); err != nil {
			t.Fatal(err)
		}
		if h3 := gen(here); h3 == h2 {
			t.Fatalf("a stock move made here left the generation at %s", h3)
		}
		if err := svc.Delete(ctx, plan.ID, plan.Version+1); err != nil {
			t.Fatal(err)
		}
		if e4 := gen(elsewhere); e4 == e2 {
			t.Fatalf("delete: elsewhere stayed at %s", e4)
		}
	})
}
