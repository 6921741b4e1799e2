package orders

import (
	"context"
	"fmt"
	"slices"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// ChargeLateFee invoices a late fee on the unpaid renewal forInvoice of
// an order: net is what the policy makes of the renewal's price before
// tax, and the order's tax rate is added as on the renewal. The gateway
// call is keyed by the unpaid invoice, so the fee exists once however
// often this runs; it answers the fee's gateway invoice ("" when the fee
// comes to nothing).
func (s *Service) ChargeLateFee(ctx context.Context, orderID, forInvoice string, net func(price int64, currency string) int64) (string, error) {
	o, sub, g, err := s.billedBy(ctx, orderID)
	if err != nil {
		return "", err
	}
	fc, ok := g.(gateway.FeeCharger)
	if !ok {
		return "", apperr.New(apperr.Unavailable, "the %s gateway cannot charge a late fee", sub.Gateway)
	}
	price := sub.Price
	if price <= 0 {
		price = o.Price
	}
	fee := net(price, o.Currency)
	if fee <= 0 {
		return "", nil
	}
	acct, err := s.store.Account(ctx, o.CustomerID)
	if err != nil {
		return "", err
	}
	return fc.ChargeFee(ctx, gateway.FeeInput{Key: "latefee-" + forInvoice, SubscriptionID: sub.GatewayID, GatewayCustomerID: acct.GatewayCustomers[sub.Gateway],
		OrderID: o.ID, Currency: o.Currency, Net: fee, Amount: fee + taxOn(fee, o.TaxRateBP), For: forInvoice,
		Description: fmt.Sprintf("Late fee: %s renewal unpaid", sub.PlanName)})
}

// billedBy is an order with its subscription and the gateway that bills it.
func (s *Service) billedBy(ctx context.Context, orderID string) (*Order, *Subscription, gateway.Gateway, error) {
	o, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return nil, nil, nil, err
	}
	sub, err := s.store.GetSubscription(ctx, SubscriptionID(o.ID))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("subscription of order %s: %w", o.ID, err)
	}
	g, err := s.gw(sub.Gateway)
	if err != nil {
		return nil, nil, nil, err
	}
	return o, sub, g, nil
}

// UnpaidFees are an order's late fees whose charge failed and that no
// payment settled since, each as its first failure (when it fell due).
func UnpaidFees(ledger []Payment, orderID string) []Payment {
	first, paid := map[string]Payment{}, map[string]bool{}
	for _, p := range ledger {
		if p.OrderID != orderID || p.LateFeeFor == "" {
			continue
		}
		switch p.Status {
		case PaymentSucceeded:
			paid[p.GatewayInvoiceID] = true
		case PaymentFailed:
			if f, ok := first[p.GatewayInvoiceID]; !ok || p.At.Before(f.At) {
				first[p.GatewayInvoiceID] = p
			}
		}
	}
	var out []Payment
	for inv, p := range first {
		if !paid[inv] {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Payment) int { return a.At.Compare(b.At) })
	return out
}

// FeesDue is what an order's late fees leave unpaid.
func FeesDue(ledger []Payment, orderID string) int64 {
	var due int64
	for _, p := range UnpaidFees(ledger, orderID) {
		due += p.Amount
	}
	return due
}
