package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Daily is what one lifecycle run did.
type Daily struct {
	UnpaidRenewals   int `json:"unpaid_renewals"`
	RenewalReminders int `json:"renewal_reminders"`
	CardNotices      int `json:"card_notices"`
	FeeReminders     int `json:"fee_reminders"`
	// TicketsClosed are tickets that waited on their customer longer than
	// the helpdesk's auto-close allows.
	TicketsClosed int `json:"tickets_closed"`
	// Failed counts the orders and customers whose notice failed; the
	// others are not held up by them (the next run tries them again).
	Failed int `json:"failed"`
}

// RunDaily is the lifecycle schedule's job (EventBridge once a day; the
// dev clock's day changing in `make dev`): the dunning backstop sweep,
// renewal reminders, expiring-card notices and reminders of unpaid
// invoices outside dunning (late fees left when the renewal was paid). Every notice is keyed by
// what it is about, so a second run the same day sends nothing again;
// the counts are of notices due, sent now or before.
func (p *Platform) RunDaily(ctx context.Context) (Daily, error) {
	var out Daily
	closed, err := p.Helpdesk.AutoClose(ctx)
	out.TicketsClosed = closed
	if err != nil {
		out.Failed++
		p.Log.ErrorContext(ctx, "daily: ticket auto-close", "err", err.Error())
	}
	n, err := p.SweepDunning(ctx)
	out.UnpaidRenewals = n
	if err != nil {
		return out, fmt.Errorf("dunning sweep: %w", err)
	}
	pol, err := p.Dunning.Policy(ctx)
	if err != nil {
		return out, err
	}
	// Customers whose renewing services charge their default card, with
	// those services' names, for the card notices.
	renewing := map[string][]string{}
	for cursor := ""; ; {
		list, next, err := p.Orders.ListAll(ctx, orders.Paid, cursor)
		if err != nil {
			return out, err
		}
		for _, o := range list {
			name, sent, err := p.remindRenewal(ctx, pol, o)
			if err != nil {
				out.Failed++
				p.Log.ErrorContext(ctx, "daily: renewal reminder", "order", o.ID, "err", err.Error())
				continue
			}
			if sent {
				out.RenewalReminders++
			}
			if name != "" {
				renewing[o.CustomerID] = append(renewing[o.CustomerID], name)
			}
			n, err := p.remindUnpaidFees(ctx, o)
			out.FeeReminders += n
			if err != nil {
				out.Failed++
				p.Log.ErrorContext(ctx, "daily: fee reminder", "order", o.ID, "err", err.Error())
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for customer, services := range renewing {
		if !pol.CardExpiryNotices {
			break
		}
		sent, err := p.noticeExpiringCard(ctx, pol, customer, services)
		if err != nil {
			out.Failed++
			p.Log.ErrorContext(ctx, "daily: card notice", "customer", customer, "err", err.Error())
			continue
		}
		if sent {
			out.CardNotices++
		}
	}
	if out.Failed > 0 {
		return out, fmt.Errorf("daily lifecycle: %d notices failed (logged; the next run tries them again)", out.Failed)
	}
	return out, nil
}

// remindRenewal announces o's next renewal when the policy says it is
// near. It answers the service's name when o renews at all (for the card
// notice), and whether a reminder was due.
func (p *Platform) remindRenewal(ctx context.Context, pol *dunning.Policy, o orders.Order) (string, bool, error) {
	sub, err := p.OrderStore.GetSubscription(ctx, orders.SubscriptionID(o.ID))
	if apperr.Is(err, apperr.NotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if sub.CancelAtPeriodEnd || (sub.Status != gateway.SubActive && sub.Status != gateway.SubTrialing) {
		return "", false, nil // ends, or dunning speaks for it
	}
	_, svc, to, err := dunningEffects{p}.who(ctx, dunning.Unpaid{OrderID: o.ID})
	if apperr.Is(err, apperr.NotFound) {
		return "", false, nil // not made (yet): nothing to renew
	}
	if err != nil {
		return "", false, err
	}
	if svc.Status == provisioning.StatusTerminated {
		return "", false, nil
	}
	if !pol.RenewalDue(sub.CurrentPeriodEnd, p.Clock.Now()) {
		return to.service, false, nil
	}
	_, err = p.Notify.Send(ctx, notify.Request{Kind: notify.RenewalReminder, To: to.email, Key: dunning.RenewalKey(o.ID, sub.CurrentPeriodEnd),
		Data: map[string]any{"customer_name": to.name, "service_name": to.service, "renewal_date": sub.CurrentPeriodEnd.Format("2 January 2006"),
			"amount": o.Renewal, "currency": o.Currency, "account_service_url": p.Config.AccountURL + "/services/" + svc.ID}})
	return to.service, err == nil, err
}

// noticeExpiringCard tells a customer once that the card their renewals
// charge (the default, or the only one) is about to stop working.
func (p *Platform) noticeExpiringCard(ctx context.Context, pol *dunning.Policy, customer string, services []string) (bool, error) {
	cards, err := p.Orders.PaymentMethods(ctx, customer)
	if err != nil {
		return false, err
	}
	for _, pm := range cards {
		if !pm.Default || !pol.CardNoticeDue(pm.ExpMonth, pm.ExpYear, p.Clock.Now()) {
			continue
		}
		bill, err := customers{p.Accounts}.BillTo(ctx, customer)
		if err != nil {
			return false, err
		}
		brand := pm.Brand
		if brand != "" {
			brand = strings.ToUpper(brand[:1]) + brand[1:]
		}
		_, err = p.Notify.Send(ctx, notify.Request{Kind: notify.CardExpiring, To: bill.Email, Key: dunning.CardKey(pm.Gateway, pm.ID, pm.ExpMonth, pm.ExpYear),
			Data: map[string]any{"customer_name": bill.Name, "card": strings.TrimSpace(brand + " •••• " + pm.Last4),
				"expires": fmt.Sprintf("%02d/%d", pm.ExpMonth, pm.ExpYear), "services": strings.Join(services, ", "),
				"update_payment_url": p.Config.AccountURL + "/billing"}})
		return err == nil, err
	}
	return false, nil
}

// remindUnpaidFees reminds the customer of each late fee on o whose
// charge failed and that is still unpaid, on the fee's reminder days —
// once the renewal is paid: until then dunning's reminders speak for both.
func (p *Platform) remindUnpaidFees(ctx context.Context, o orders.Order) (int, error) {
	if sub, err := p.OrderStore.GetSubscription(ctx, orders.SubscriptionID(o.ID)); err != nil || sub.Status == gateway.SubPastDue {
		if apperr.Is(err, apperr.NotFound) {
			err = nil
		}
		return 0, err
	}
	ledger, err := p.OrderStore.ListPayments(ctx, o.CustomerID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, fee := range orders.UnpaidFees(ledger, o.ID) {
		day, key, ok := dunning.FeeReminderDue(fee.GatewayInvoiceID, fee.At, p.Clock.Now())
		if !ok {
			continue
		}
		bill, err := customers{p.Accounts}.BillTo(ctx, o.CustomerID)
		if err != nil {
			return n, err
		}
		if _, err := p.Notify.Send(ctx, notify.Request{Kind: notify.InvoiceOverdue, To: bill.Email, Key: key,
			Data: map[string]any{"customer_name": bill.Name, "what": "the late fee on " + o.PlanName, "amount": fee.Amount, "currency": fee.Currency,
				"days_overdue": day, "pay_url": p.Config.AccountURL + "/billing"}}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
