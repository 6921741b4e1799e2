package stack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/apperr"
)

var demoPurchaseMarker = dynamo.Key{PK: "SEED#demo-purchase", SK: "SEED"}

// buyDemoService makes the demo customer's first purchase the way a
// customer would, once per data directory: a VPS Starter ordered through
// checkout and paid on the simulated Stripe page with the test card. The
// webhooks, invoice, receipt and provisioning that follow are the real
// ones, so the account app has a service, a subscription and an invoice
// to show from the first start.
func (s *Stack) buyDemoService(ctx context.Context) error {
	p := s.Platform
	var marker dynamo.Item
	if err := p.Table.Get(ctx, demoPurchaseMarker, &marker); err == nil {
		return nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	u, err := dynamo.NewAccounts(p.Table).GetUserByEmail(ctx, s.DemoCustomer.Email)
	if err != nil {
		return err
	}
	// A customer who already bought something needs no demo purchase
	// (data from before this existed).
	if paid, err := p.Orders.Payments(ctx, u.ID); err != nil || len(paid) > 0 {
		return err
	}
	plans, err := p.Catalog.List(ctx, catalog.Active, catalog.VPS)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(plans, func(pl catalog.Plan) bool { return pl.Slug == "vps-starter" })
	if i < 0 {
		return nil // the demo catalog was changed: nothing to buy
	}
	o, err := p.Orders.Checkout(ctx, u.ID, orders.Input{PlanID: plans[i].ID, Cycle: catalog.Monthly, Currency: "USD",
		Options: orders.Options{Hostname: "demo.example.com", OS: "debian-12", Location: "Dallas, US"}})
	if err != nil {
		return fmt.Errorf("demo checkout: %w", err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.CheckoutURL, strings.NewReader(url.Values{"card": {stripesim.CardSuccess}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("demo payment: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("demo payment answered %d", res.StatusCode)
	}
	return p.Table.Write(ctx, dynamo.Create(&dynamo.Item{PK: demoPurchaseMarker.PK, SK: demoPurchaseMarker.SK, Type: "seed", Version: 1}))
}
