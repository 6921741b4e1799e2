package orders

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Plan changes at a gateway whose new prices need the buyer's consent
// (PayPal): the change is priced as for any gateway; an upgrade's
// difference is charged at once (as with a card: a decline ends it before
// anything else happens), then the change waits for the consent
// (awaiting_consent, with the gateway's link). The subscription showing
// the new plan at the gateway completes it — a downgrade's difference is
// refunded then — and the service is resized. A change the buyer turns
// down, replaces or lets lapse (consentWait) is abandoned: its charge is
// refunded in full.

// KindChangeConsented: the buyer consented at the gateway to a change's
// new price; charge or refund the difference and make the change.
const KindChangeConsented = "change.consented"

// KindChangeConsentDue: a change still waiting for the buyer's consent
// this long after it was asked for fails (what it held is released).
const KindChangeConsentDue = "change.consent_due"

// consentWait is how long a change waits for the buyer's consent.
const consentWait = 24 * time.Hour

// requestConsent asks the gateway for the buyer's consent to the new
// price; the change waits for it (awaiting_consent, with the link). The
// subscription names the change first, so the payment that charges it —
// whenever it arrives — is known for the change's.
func (s *Service) requestConsent(ctx context.Context, ch *PlanChange, sub *Subscription, g gateway.Gateway, c gateway.Consenter, in gateway.ChangeInput) (*PlanChange, error) {
	if _, err := s.changeSubscription(ctx, sub.ID, func(sub *Subscription) ([]outbox.Item, *Survey) {
		sub.ChangeInFlight = ch.ID
		return nil, nil
	}); err != nil {
		return nil, err
	}
	if in.Charge > 0 && ch.GatewayInvoiceID == "" {
		sale, err := g.ChangeSubscription(ctx, in)
		if err != nil {
			if apperr.Is(err, apperr.Invalid) { // declined: nothing changed at the gateway
				if ferr := s.failChange(ctx, ch); ferr != nil {
					s.log.ErrorContext(ctx, "declined change left pending", "change", ch.ID, "err", ferr.Error())
				}
			}
			return nil, err
		}
		ch.GatewayInvoiceID = sale
	}
	consent, err := c.RequestConsent(ctx, in)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) { // refused: nothing waits at the gateway
			if ferr := s.abandonChange(ctx, ch); ferr != nil {
				s.log.ErrorContext(ctx, "refused change left pending", "change", ch.ID, "err", ferr.Error())
			}
		}
		return nil, err
	}
	now := s.clock.Now()
	waiting := *ch
	waiting.Status, waiting.ApproveURL, waiting.GatewayPlanRef, waiting.UpdatedAt = "awaiting_consent", consent.URL, consent.PlanRef, now
	waiting.Version++
	due := notBefore(outbox.New("consent-due-"+ch.ID, KindChangeConsentDue, ch.OrderID, map[string]string{"change_id": ch.ID}, now), now.Add(consentWait))
	change := Change{PlanChange: &waiting, Outbox: []outbox.Item{due}}
	if err := s.recordChangeCharge(ctx, &change, &waiting, sub); err != nil {
		return nil, err
	}
	if err := s.store.Apply(ctx, change); err != nil {
		if cur, gerr := s.store.GetChange(ctx, ch.ID); gerr == nil && cur.Status == "awaiting_consent" {
			return cur, nil // the other path (the request or the recovery item) recorded it
		}
		return nil, fmt.Errorf("record consent request of change %s: %w", ch.ID, err)
	}
	return &waiting, nil
}

// inFlight is the subscription's change begun and not finished (nil when
// none is).
func (s *Service) inFlight(ctx context.Context, sub *Subscription) (*PlanChange, error) {
	if sub.ChangeInFlight == "" {
		return nil, nil
	}
	cur, err := s.store.GetChange(ctx, sub.ChangeInFlight)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil || (cur.Status != "pending" && cur.Status != "awaiting_consent") {
		return nil, err
	}
	return cur, nil
}

// ConsentGiven completes a change whose new price the buyer consented to
// (KindChangeConsented): the difference is charged or refunded now and the
// service resized. A change no longer waiting is left alone.
func (s *Service) ConsentGiven(ctx context.Context, id string) error {
	ch, err := s.store.GetChange(ctx, id)
	if err != nil || (ch.Status != "awaiting_consent" && !(ch.Status == "pending" && ch.Consented)) {
		return err
	}
	if !ch.Consented {
		next := *ch
		next.Status, next.Consented, next.UpdatedAt = "pending", true, s.clock.Now()
		next.Version++
		if err := s.store.Apply(ctx, Change{PlanChange: &next}); err != nil {
			return fmt.Errorf("record consent to change %s: %w", id, err)
		}
		ch = &next
	}
	sub, err := s.store.GetSubscription(ctx, ch.SubscriptionID)
	if err != nil {
		return err
	}
	_, err = s.completeChange(ctx, ch, sub)
	return err
}

// ConsentDue abandons a change still waiting for consent (KindChangeConsentDue).
func (s *Service) ConsentDue(ctx context.Context, id string) error {
	ch, err := s.store.GetChange(ctx, id)
	if err != nil || ch.Status != "awaiting_consent" {
		return err
	}
	return s.abandonChange(ctx, ch)
}

// AbandonChange takes back customerID's change of subscription subID that
// waits for their consent (they turned it down at the gateway): its charge
// is refunded and the plan stays as it is.
func (s *Service) AbandonChange(ctx context.Context, customerID, subID string) (*Subscription, error) {
	sub, err := s.subscriptionOf(ctx, customerID, subID)
	if err != nil {
		return nil, err
	}
	cur, err := s.inFlight(ctx, sub)
	if err != nil {
		return nil, err
	}
	if cur == nil || cur.Status != "awaiting_consent" {
		return nil, apperr.New(apperr.Conflict, "no change of this subscription waits for your consent")
	}
	if err := s.abandonChange(ctx, cur); err != nil {
		return nil, err
	}
	return s.store.GetSubscription(ctx, subID)
}

// abandonChange refunds a change's charge in full (when one was made and
// is not refunded yet) and fails the change.
func (s *Service) abandonChange(ctx context.Context, ch *PlanChange) error {
	if ch.GatewayInvoiceID != "" && ch.Proration.Total > 0 {
		sub, err := s.store.GetSubscription(ctx, ch.SubscriptionID)
		if err != nil {
			return err
		}
		id := sub.Gateway + ":" + ch.GatewayInvoiceID
		p, err := s.store.GetPayment(ctx, id)
		if err != nil {
			return fmt.Errorf("the charge of change %s: %w", ch.ID, err)
		}
		if p.Refunded < p.Amount {
			if _, err := s.RefundPayment(ctx, id, RefundRequest{Reason: "requested_by_customer"}, "plan change "+ch.ID+" not agreed"); err != nil {
				return fmt.Errorf("refund the charge of change %s: %w", ch.ID, err)
			}
		}
	}
	return s.failChange(ctx, ch)
}

// recordChangeCharge puts a change's charge on the ledger with the change
// when its gateway reports it as a bare payment (PayPal's sale), which no
// invoice event will bring: its webhook then finds it recorded.
func (s *Service) recordChangeCharge(ctx context.Context, c *Change, ch *PlanChange, sub *Subscription) error {
	if ch.GatewayInvoiceID == "" || ch.Proration.Total <= 0 {
		return nil
	}
	g, err := s.gw(sub.Gateway)
	if err != nil || g.Capabilities().Invoices {
		return err
	}
	o, err := s.store.GetOrder(ctx, ch.OrderID)
	if err != nil {
		return err
	}
	in := &gateway.Invoice{ID: ch.GatewayInvoiceID, OrderID: o.ID, SubscriptionID: sub.GatewayID, Currency: ch.Currency, Total: ch.Proration.Total,
		AmountPaid: ch.Proration.Total, ChargeID: ch.GatewayInvoiceID, Reason: gateway.ReasonChange, ChangeID: ch.ID}
	return s.recordPayment(ctx, c, o, in, &gateway.Event{Gateway: sub.Gateway, ID: "change-" + ch.ID, Created: s.clock.Now()})
}
