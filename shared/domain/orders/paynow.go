package orders

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// PayNow charges a past-due subscription's open invoice at once with its
// default card, for a customer who would rather not wait for the gateway's
// next retry (after updating the card, say). The subscription turns active
// when the gateway's webhook reports the payment, as any renewal does.
func (s *Service) PayNow(ctx context.Context, customerID, id string) (string, error) {
	sub, err := s.subscriptionOf(ctx, customerID, id)
	if err != nil {
		return "", err
	}
	if sub.Status != gateway.SubPastDue {
		return "", apperr.New(apperr.Conflict, "nothing is due on this subscription: it is %s", sub.Status)
	}
	// A fresh key each time: the gateway keeps a declined attempt's answer
	// under its key, so a retry after a card update must not reuse it, and
	// an invoice can be paid only once whatever the key.
	key := fmt.Sprintf("%s-pay-%d", sub.ID, s.clock.Now().UnixNano())
	invoice, err := s.gateway.PayOpenInvoice(ctx, sub.GatewayID, key)
	if err != nil {
		return "", fmt.Errorf("pay subscription %s now: %w", sub.ID, err)
	}
	s.log.InfoContext(ctx, "past-due invoice paid on request", "subscription", sub.ID, "invoice", invoice)
	return invoice, nil
}
