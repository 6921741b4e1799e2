package orders

import (
	"context"
	"fmt"

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
	invoice, err := s.gateway.PayOpenInvoice(ctx, sub.GatewayID, paymentMethod, key)
	if err != nil {
		return "", fmt.Errorf("pay subscription %s now: %w", sub.ID, err)
	}
	s.log.InfoContext(ctx, "past-due invoice paid on request", "subscription", sub.ID, "invoice", invoice)
	return invoice, nil
}
