package orders

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// PayNow charges a past-due subscription's open invoices (the renewal,
// then a late fee on it; or a late fee left after the renewal was paid)
// at once with its default card or another of the customer's
// (paymentMethod), for a customer who would rather not wait for the
// gateway's next retry. The
// subscription turns active when the gateway's webhook reports the
// payment, as any renewal does.
func (s *Service) PayNow(ctx context.Context, customerID, id, paymentMethod string) (string, error) {
	sub, err := s.subscriptionOf(ctx, customerID, id)
	if err != nil {
		return "", err
	}
	if sub.Status != gateway.SubPastDue {
		ledger, err := s.store.ListPayments(ctx, sub.CustomerID)
		if err != nil {
			return "", err
		}
		if FeesDue(ledger, sub.OrderID) == 0 {
			return "", apperr.New(apperr.Conflict, "nothing is due on this subscription: it is %s", sub.Status)
		}
	}
	if paymentMethod != "" {
		if _, err := s.ownedCard(ctx, customerID, paymentMethod); apperr.Is(err, apperr.NotFound) {
			return "", apperr.Validation(map[string]string{"payment_method": "is not one of your saved cards"})
		} else if err != nil {
			return "", err
		}
	}
	// A fresh key each time: the gateway keeps a declined attempt's answer
	// under its key, so a retry after a card update must not reuse it, and
	// an invoice can be paid only once whatever the key.
	key := fmt.Sprintf("%s-pay-%d", sub.ID, s.clock.Now().UnixNano())
	g, err := s.gw(sub.Gateway)
	if err != nil {
		return "", err
	}
	if !g.Capabilities().PayNow {
		return "", apperr.New(apperr.Conflict, "%s collects this subscription's payments itself; pay them there", gatewayName(sub.Gateway))
	}
	invoice, err := g.PayOpenInvoice(ctx, sub.GatewayID, paymentMethod, key)
	if err != nil {
		return "", fmt.Errorf("pay subscription %s now: %w", sub.ID, err)
	}
	s.log.InfoContext(ctx, "past-due invoice paid on request", "subscription", sub.ID, "invoice", invoice)
	return invoice, nil
}

// PayInvoice charges one unpaid invoice of the customer's — a renewal or
// a late fee whose charge failed — named as our invoice will be once paid
// (InvoiceID: "inv_<gateway>_<gateway invoice>"), with the subscription's
// card or another of theirs. The ledger must show the invoice failed for
// this customer and not paid since, and the gateway must show it is the
// subscription's; the webhooks then record the payment as for any other.
func (s *Service) PayInvoice(ctx context.Context, customerID, invoiceID, paymentMethod string) error {
	notFound := apperr.New(apperr.NotFound, "no unpaid invoice %s", invoiceID)
	var g gateway.Gateway
	gid := ""
	for _, name := range s.gateways.Names() {
		if rest, ok := strings.CutPrefix(invoiceID, "inv_"+name+"_"); ok && rest != "" {
			g, _ = s.gateways.Get(name) // registered: it is one of Names
			gid = rest
		}
	}
	if g == nil {
		return notFound
	}
	if !g.Capabilities().PayNow {
		return apperr.New(apperr.Conflict, "%s collects this invoice itself; pay it there", gatewayName(g.Name()))
	}
	ledger, err := s.store.ListPayments(ctx, customerID)
	if err != nil {
		return err
	}
	var failed *Payment
	for i := range ledger {
		p := &ledger[i]
		if p.GatewayInvoiceID != gid || p.CustomerID != customerID || p.Gateway != g.Name() {
			continue
		}
		switch p.Status {
		case PaymentSucceeded:
			return apperr.New(apperr.Conflict, "invoice %s is paid already", invoiceID)
		case PaymentFailed:
			failed = p
		}
	}
	if failed == nil {
		return notFound
	}
	if paymentMethod != "" {
		if _, err := s.ownedCard(ctx, customerID, paymentMethod); apperr.Is(err, apperr.NotFound) {
			return apperr.Validation(map[string]string{"payment_method": "is not one of your saved cards"})
		} else if err != nil {
			return err
		}
	}
	sub, err := s.store.GetSubscription(ctx, SubscriptionID(failed.OrderID))
	if err != nil {
		return fmt.Errorf("subscription of invoice %s: %w", invoiceID, err)
	}
	acct, err := s.store.Account(ctx, customerID)
	if err != nil {
		return err
	}
	// A fresh key each time, as PayNow: a declined attempt's answer is
	// kept under its key, and an invoice is paid only once whatever the key.
	err = g.PayInvoice(ctx, gateway.PayInvoiceInput{InvoiceID: gid, SubscriptionID: sub.GatewayID, GatewayCustomerID: acct.GatewayCustomers[sub.Gateway],
		PaymentMethod: paymentMethod, Key: fmt.Sprintf("%s-pay-%d", invoiceID, s.clock.Now().UnixNano())})
	if errors.Is(err, gateway.ErrNothingDue) {
		return apperr.New(apperr.Conflict, "invoice %s is not open any more (paid or void at the payment provider)", invoiceID)
	}
	if err != nil {
		return fmt.Errorf("pay invoice %s: %w", invoiceID, err)
	}
	s.log.InfoContext(ctx, "unpaid invoice paid on request", "invoice", invoiceID)
	return nil
}
