package orders

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// PaymentMethod is a saved card, mirrored from the gateway's events.
type PaymentMethod struct {
	ID         string    `json:"id"` // the gateway's
	Gateway    string    `json:"gateway"`
	CustomerID string    `json:"customer_id"`
	Brand      string    `json:"brand"`
	Last4      string    `json:"last4"`
	ExpMonth   int64     `json:"exp_month"`
	ExpYear    int64     `json:"exp_year"`
	Attached   bool      `json:"attached"`
	Default    bool      `json:"default"`
	StateAt    time.Time `json:"state_at"`
	Version    int64     `json:"version"`
}

// mirrorPaymentMethod records an attach or detach unless a newer state is
// stored; a detached card never comes back (gateways do not reattach them).
func (s *Service) mirrorPaymentMethod(ctx context.Context, c *Change, ev *gateway.Event) error {
	g := ev.PaymentMethod
	pm, err := s.store.GetPaymentMethod(ctx, ev.Gateway, g.ID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		if ev.Kind != gateway.PaymentMethodAttached {
			return nil // detached before we ever saw it attached: nothing to show
		}
		owner, err := s.store.CustomerByGateway(ctx, ev.Gateway, g.CustomerID)
		if apperr.Is(err, apperr.NotFound) {
			return nil // not one of our customers
		}
		if err != nil {
			return err
		}
		pm = &PaymentMethod{ID: g.ID, Gateway: ev.Gateway, CustomerID: owner}
	case err != nil:
		return err
	case !pm.Attached || ev.Created.Before(pm.StateAt):
		return nil
	}
	pm.Brand, pm.Last4, pm.ExpMonth, pm.ExpYear = g.Brand, g.Last4, g.ExpMonth, g.ExpYear
	pm.Attached, pm.StateAt = ev.Kind == gateway.PaymentMethodAttached, ev.Created
	pm.Version++
	c.PaymentMethod = pm
	return nil
}

// GatewayOffer is a way to pay checkout offers: a gateway registered
// here and what it can do.
type GatewayOffer struct {
	Name         string               `json:"name"`
	Capabilities gateway.Capabilities `json:"capabilities"`
}

// Gateways are the ways to pay, the default first.
func (s *Service) Gateways() []GatewayOffer {
	var out []GatewayOffer
	for _, name := range s.gateways.Names() {
		g, _ := s.gateways.Get(name)
		out = append(out, GatewayOffer{Name: name, Capabilities: g.Capabilities()})
	}
	return out
}

// PaymentMethods lists a customer's saved cards, the default marked.
func (s *Service) PaymentMethods(ctx context.Context, customerID string) ([]PaymentMethod, error) {
	list, err := s.store.ListPaymentMethods(ctx, customerID)
	if err != nil {
		return nil, err
	}
	acct, err := s.store.Account(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, pm := range list {
		if pm.Attached {
			pm.Default = pm.ID == acct.DefaultPaymentMethod
			out = append(out, pm)
		}
	}
	if len(out) == 1 {
		out[0].Default = true // the only card is what the gateway charges
	}
	return out, nil
}

// SetupPaymentMethod opens the gateway's page for saving a card.
func (s *Service) SetupPaymentMethod(ctx context.Context, customerID string) (string, error) {
	bill, err := s.customers.BillTo(ctx, customerID)
	if err != nil {
		return "", err
	}
	g := s.cards()
	cus, err := s.gatewayCustomer(ctx, g, customerID, bill)
	if err != nil {
		return "", err
	}
	acct, err := s.store.Account(ctx, customerID)
	if err != nil {
		return "", err
	}
	cur := acct.Currency
	if cur == "" {
		cur = "USD"
	}
	now := s.clock.Now()
	var co *gateway.Checkout
	err = s.onUnknownCustomer(ctx, g, customerID, bill, &cus, func() (err error) {
		co, err = g.SetupPaymentMethod(ctx, gateway.SetupInput{GatewayCustomerID: cus, Currency: cur,
			SuccessURL: s.account + "/billing?card=saved#payment-methods", CancelURL: s.account + "/billing#payment-methods", Key: fmt.Sprintf("setup-%s-%s-%d", customerID, cus, now.UnixNano())})
		return err
	})
	if err != nil {
		return "", err
	}
	return co.URL, nil
}

func (s *Service) ownedCard(ctx context.Context, customerID, id string) (*PaymentMethod, error) {
	pm, err := s.store.GetPaymentMethod(ctx, s.cards().Name(), id)
	if err == nil && (pm.CustomerID != customerID || !pm.Attached) {
		err = apperr.New(apperr.NotFound, "payment method %s not found", id)
	}
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.NotFound, "payment method %s not found", id)
	}
	return pm, err
}

// running are a customer's subscriptions at gateway gw that will charge
// again.
func (s *Service) running(ctx context.Context, customerID, gw string) ([]Subscription, error) {
	subs, err := s.store.ListSubscriptions(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []Subscription
	for _, sub := range subs {
		if sub.Gateway == gw && sub.Status != gateway.SubCancelled && sub.Status != gateway.SubIncomplete {
			out = append(out, sub)
		}
	}
	return out, nil
}

// SetDefaultPaymentMethod makes a saved card the one renewals charge.
func (s *Service) SetDefaultPaymentMethod(ctx context.Context, customerID, id string) error {
	pm, err := s.ownedCard(ctx, customerID, id)
	if err != nil {
		return err
	}
	acct, err := s.store.Account(ctx, customerID)
	if err != nil {
		return err
	}
	subs, err := s.running(ctx, customerID, pm.Gateway)
	if err != nil {
		return err
	}
	var gwSubs []string
	for _, sub := range subs {
		gwSubs = append(gwSubs, sub.GatewayID)
	}
	g, err := s.gw(pm.Gateway)
	if err != nil {
		return err
	}
	if err := g.SetDefaultPaymentMethod(ctx, acct.GatewayCustomers[pm.Gateway], pm.ID, gwSubs); err != nil {
		return err
	}
	return s.store.SetDefaultPaymentMethod(ctx, customerID, pm.ID)
}

// RemovePaymentMethod detaches a saved card, unless it is the last one and
// a subscription still needs it.
func (s *Service) RemovePaymentMethod(ctx context.Context, customerID, id string) error {
	owned, err := s.ownedCard(ctx, customerID, id)
	if err != nil {
		return err
	}
	cards, err := s.PaymentMethods(ctx, customerID)
	if err != nil {
		return err
	}
	subs, err := s.running(ctx, customerID, owned.Gateway)
	if err != nil {
		return err
	}
	if len(cards) == 1 && len(subs) > 0 {
		return apperr.New(apperr.Conflict, "this is the only card for your active subscriptions; add another card first")
	}
	g, err := s.gw(owned.Gateway)
	if err != nil {
		return err
	}
	if err := g.DetachPaymentMethod(ctx, id); err != nil {
		return err
	}
	// Shown as removed at once; the detach webhook confirms it.
	pm, err := s.store.GetPaymentMethod(ctx, owned.Gateway, id)
	if err != nil {
		return err
	}
	pm.Attached, pm.StateAt = false, s.clock.Now()
	pm.Version++
	err = s.store.Apply(ctx, Change{PaymentMethod: pm})
	if apperr.Is(err, apperr.Conflict) {
		return nil // the webhook was quicker
	}
	return err
}
