package orders

import (
	"context"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// ChargeUsage adds net (before tax; the order's tax rate is added as on
// the renewal) to the order's next invoice at its gateway, keyed so a
// repeat adds nothing. A gateway that cannot, or a subscription that has
// ended, answers Unavailable: the caller holds the charge for staff.
func (s *Service) ChargeUsage(ctx context.Context, orderID, key string, net int64, description string) (string, error) {
	o, sub, g, err := s.billedBy(ctx, orderID)
	if err != nil {
		return "", err
	}
	if sub.Status == gateway.SubCancelled {
		return "", apperr.New(apperr.Unavailable, "the subscription has ended: there is no next invoice to add usage to")
	}
	ub, ok := g.(gateway.UsageBiller)
	if !ok {
		return "", apperr.New(apperr.Unavailable, "the %s gateway cannot add usage to an invoice", sub.Gateway)
	}
	acct, err := s.store.Account(ctx, o.CustomerID)
	if err != nil {
		return "", err
	}
	return ub.AddToNextInvoice(ctx, gateway.FeeInput{Key: key, SubscriptionID: sub.GatewayID, GatewayCustomerID: acct.GatewayCustomers[sub.Gateway],
		OrderID: o.ID, Currency: o.Currency, Net: net, Amount: net + taxOn(net, o.TaxRateBP), Description: description})
}

// Period is the order's current billing period and currency; nil when
// no live subscription bills it.
func (s *Service) Period(ctx context.Context, orderID string) (*Subscription, error) {
	sub, err := s.store.GetSubscription(ctx, SubscriptionID(orderID))
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	switch sub.Status {
	case gateway.SubActive, gateway.SubPastDue, gateway.SubTrialing:
		if sub.CurrentPeriodEnd.After(sub.CurrentPeriodStart) {
			return sub, nil
		}
	}
	return nil, nil
}
