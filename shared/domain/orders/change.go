package orders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// KindResize: resize the service to the new plan (consumed by provisioning).
const KindResize = "service.resize"

// KindChangePending finishes a plan change the process confirming it did
// not (it died between the gateway's calls and our record): written with
// the change, due a while after it, a no-op when the change is done.
const KindChangePending = "change.pending"

// changeRecovery is how long the confirming request owns a change before
// the outbox item finishes it instead.
const changeRecovery = 2 * time.Minute

// previewValidity bounds how old a confirmed preview may be.
const previewValidity = 15 * time.Minute

// PlanChange is an upgrade or downgrade, priced by proration.
type PlanChange struct {
	ID             string        `json:"id"`
	SubscriptionID string        `json:"subscription_id"`
	OrderID        string        `json:"order_id"`
	CustomerID     string        `json:"customer_id"`
	FromPlanID     string        `json:"from_plan_id"`
	FromPlanName   string        `json:"from_plan_name"`
	ToPlanID       string        `json:"to_plan_id"`
	ToPlanName     string        `json:"to_plan_name"`
	Cycle          catalog.Cycle `json:"cycle"`
	Currency       string        `json:"currency"`
	TaxName        string        `json:"tax_name,omitempty"`
	Proration      Proration     `json:"proration"`
	// NewRenewal is charged every later cycle, tax included.
	NewRenewal int64 `json:"new_renewal"`
	// A downgrade's credit (−Proration.Total) goes back as RefundAmount to
	// the cards that paid for the subscription (newest payment first), as
	// far as those payments allow, and the rest as CreditAmount to the
	// customer's balance for the next invoices. The preview shows both; the
	// confirmation does that (a refund made in between only moves money
	// from the refund to the credit).
	RefundAmount     int64  `json:"refund_amount"`
	CreditAmount     int64  `json:"credit_amount"`
	CreditID         string `json:"credit_id,omitempty"`
	Status           string `json:"status"` // preview, pending, awaiting_consent, done, failed
	GatewayInvoiceID string `json:"gateway_invoice_id,omitempty"`
	RefundID         string `json:"refund_id,omitempty"`
	// ApproveURL is where the buyer consents to the new price at a gateway
	// that needs it (status awaiting_consent); GatewayPlanRef names the
	// new plan there, which the subscription shows once they have.
	ApproveURL     string    `json:"approve_url,omitempty"`
	GatewayPlanRef string    `json:"gateway_plan_ref,omitempty"`
	Consented      bool      `json:"consented,omitempty"`
	StockReserved  bool      `json:"stock_reserved"`
	StockReleased  bool      `json:"stock_released"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Version        int64     `json:"version"`
}

// PreviewChange prices moving a subscription to plan now.
func (s *Service) PreviewChange(ctx context.Context, customerID, subID, planID string) (*PlanChange, error) {
	// Whole seconds: the confirmation sends the date back as unix seconds.
	ch, _, _, err := s.prepareChange(ctx, customerID, subID, planID, s.clock.Now().Truncate(time.Second))
	return ch, err
}

func (s *Service) prepareChange(ctx context.Context, customerID, subID, planID string, at time.Time) (*PlanChange, *Subscription, *catalog.Plan, error) {
	sub, err := s.subscriptionOf(ctx, customerID, subID)
	if err != nil {
		return nil, nil, nil, err
	}
	if sub.Status != gateway.SubActive && sub.Status != gateway.SubTrialing {
		return nil, nil, nil, apperr.New(apperr.Conflict, "only an active subscription can change plans; this one is %s", sub.Status)
	}
	g, err := s.gw(sub.Gateway)
	if err != nil {
		return nil, nil, nil, err
	}
	if !g.Capabilities().PlanChangeNow {
		return nil, nil, nil, apperr.New(apperr.Conflict, "a subscription paid through %s cannot change plans here yet", gatewayName(sub.Gateway))
	}
	if cur, err := s.inFlight(ctx, sub); err != nil {
		return nil, nil, nil, err
	} else if cur != nil && cur.ToPlanID != planID && cur.Status == "pending" {
		return nil, nil, nil, apperr.New(apperr.Conflict, "the change to %s is being made; try again in a minute", cur.ToPlanName)
	}
	o, err := s.store.GetOrder(ctx, sub.OrderID)
	if err != nil {
		return nil, nil, nil, err
	}
	if s.services != nil {
		// A service that never came up (or is gone) has nothing to resize:
		// charging for a bigger plan would sell what is not delivered.
		switch st, err := s.services.ServiceStatus(ctx, o.ID); {
		case err != nil:
			return nil, nil, nil, err
		case st == "failed":
			return nil, nil, nil, apperr.New(apperr.Conflict, "this service could not be set up and our team is on it; its plan can change once it runs")
		case st == "terminated":
			return nil, nil, nil, apperr.New(apperr.Conflict, "this service is terminated")
		}
	}
	to, err := s.plans.Get(ctx, planID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && to.Status != catalog.Active) {
		return nil, nil, nil, apperr.Validation(map[string]string{"plan_id": "no such plan on sale"})
	}
	if err != nil {
		return nil, nil, nil, err
	}
	switch {
	case to.ID == sub.PlanID:
		return nil, nil, nil, apperr.Validation(map[string]string{"plan_id": "this is already your plan"})
	case to.ServiceType != o.ServiceType:
		return nil, nil, nil, apperr.Validation(map[string]string{"plan_id": fmt.Sprintf("choose another %s plan", o.ServiceType)})
	}
	price, ok := to.Prices[sub.Currency][sub.Cycle]
	if !ok {
		return nil, nil, nil, apperr.Validation(map[string]string{"plan_id": fmt.Sprintf("this plan has no %s price for the %s cycle", sub.Currency, sub.Cycle)})
	}
	if err := s.samePanel(ctx, sub.PlanID, to, o.Options.Location); err != nil {
		return nil, nil, nil, err
	}
	if to.Stock != nil && *to.Stock <= 0 {
		return nil, nil, nil, apperr.Wrap(ErrOutOfStock, apperr.Conflict, "this plan is out of stock")
	}
	oldPrice := sub.Price
	if oldPrice == 0 {
		oldPrice = o.Price // subscriptions mirrored before prices were kept on them
	}
	fromName := sub.PlanName
	p := Prorate(oldPrice, price, sub.CurrentPeriodStart, sub.CurrentPeriodEnd, at, o.TaxRateBP)
	now := s.clock.Now()
	ch := &PlanChange{ID: fmt.Sprintf("chg_%s_v%d", sub.ID, sub.Version), SubscriptionID: sub.ID, OrderID: sub.OrderID, CustomerID: sub.CustomerID,
		FromPlanID: sub.PlanID, FromPlanName: fromName, ToPlanID: to.ID, ToPlanName: to.Name, Cycle: sub.Cycle, Currency: sub.Currency, TaxName: o.TaxName,
		Proration: p, NewRenewal: price + taxOn(price, o.TaxRateBP), Status: "preview", StockReserved: to.Stock != nil, CreatedAt: now, UpdatedAt: now, Version: 1}
	if p.Total < 0 {
		pays, err := s.refundable(ctx, sub.CustomerID, sub.OrderID)
		if err != nil {
			return nil, nil, nil, err
		}
		credit, left := -p.Total, int64(0)
		for _, p := range pays {
			left += p.Amount - p.Refunded
		}
		ch.RefundAmount = min(credit, left)
		ch.CreditAmount = credit - ch.RefundAmount
		if ch.CreditAmount > 0 && g.Capabilities().PlanChangeConsent {
			// Such a gateway keeps no balance to credit: the money would be lost.
			return nil, nil, nil, apperr.New(apperr.Conflict, "this change's credit is more than %s can refund of your payments; our team can make it for you", gatewayName(sub.Gateway))
		}
	}
	return ch, sub, to, nil
}

// refundable lists the order's charges with money left to refund, newest
// first (none for a trial, or when everything was refunded).
func (s *Service) refundable(ctx context.Context, customerID, orderID string) ([]Payment, error) {
	pays, err := s.store.ListPayments(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []Payment
	for _, p := range pays { // newest first
		if p.OrderID == orderID && p.Status == PaymentSucceeded && p.GatewayChargeID != "" && p.Amount-p.Refunded > 0 {
			out = append(out, p)
		}
	}
	return out, nil
}

// ChangePlan confirms a previewed change priced at `at` (the preview's
// proration date, at most 15 minutes old): it charges the difference at
// once or refunds the credit, moves the subscription to the new price, and
// asks provisioning to resize the service. Confirming the same change
// again (a retry, a double click) continues it instead of repeating it.
func (s *Service) ChangePlan(ctx context.Context, customerID, subID, planID string, at time.Time) (*PlanChange, error) {
	now := s.clock.Now()
	if at.After(now.Add(time.Minute)) || at.Before(now.Add(-previewValidity)) {
		return nil, apperr.Validation(map[string]string{"proration_date": "the preview is out of date; preview the change again"})
	}
	ch, sub, _, err := s.prepareChange(ctx, customerID, subID, planID, at)
	if err != nil {
		return nil, err
	}
	// The same change asked again while it waits for consent (a second
	// click, the customer back from the gateway) is that change; another
	// one replaces it (the gateway's new consent request voids the old).
	if cur, err := s.inFlight(ctx, sub); err != nil {
		return nil, err
	} else if cur != nil && cur.ToPlanID == planID {
		if cur.Status == "pending" {
			return s.completeChange(ctx, cur, sub)
		}
		return cur, nil
	} else if cur != nil {
		if err := s.abandonChange(ctx, cur); err != nil {
			return nil, err
		}
		if sub, err = s.store.GetSubscription(ctx, sub.ID); err != nil {
			return nil, err
		}
		ch.ID = fmt.Sprintf("chg_%s_v%d", sub.ID, sub.Version)
	}
	from, err := s.plans.Get(ctx, ch.FromPlanID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	ch.StockReleased = err == nil && from.Stock != nil
	ch.Status = "pending"
	later := outbox.New("complete-"+ch.ID, KindChangePending, ch.OrderID, map[string]string{"change_id": ch.ID}, s.clock.Now())
	due := s.clock.Now().Add(changeRecovery)
	later.NotBefore = &due
	if err := s.store.CreateChange(ctx, ch, later); apperr.Is(err, apperr.Conflict) {
		prev, gerr := s.store.GetChange(ctx, ch.ID)
		if gerr != nil {
			return nil, gerr
		}
		if prev.ToPlanID != planID || prev.Status == "failed" {
			return nil, apperr.New(apperr.Conflict, "another change of this subscription is in progress; reload")
		}
		ch = prev // continue the same change with its own prices
	} else if errors.Is(err, ErrOutOfStock) {
		return nil, apperr.Wrap(err, apperr.Conflict, "this plan is out of stock")
	} else if err != nil {
		return nil, err
	}
	if ch.Status == "done" || ch.Status == "awaiting_consent" {
		return ch, nil
	}
	return s.completeChange(ctx, ch, sub)
}

// completeChange performs the gateway side of a pending change and
// records the outcome.
func (s *Service) completeChange(ctx context.Context, ch *PlanChange, sub *Subscription) (*PlanChange, error) {
	acct, err := s.store.Account(ctx, ch.CustomerID)
	if err != nil {
		return nil, err
	}
	interval, count := "month", ch.Cycle.Months()
	if count == 12 {
		interval, count = "year", 1
	}
	o, err := s.store.GetOrder(ctx, ch.OrderID)
	if err != nil {
		return nil, err
	}
	days := func(sec int64) int64 { return (sec + 43200) / 86400 }
	back := s.account + "/billing?change=" + ch.ID
	in := gateway.ChangeInput{ChangeID: ch.ID, SubscriptionID: sub.GatewayID, GatewayCustomerID: acct.GatewayCustomers[sub.Gateway], Currency: ch.Currency,
		Product: fmt.Sprintf("%s (%s)", ch.ToPlanName, cycleName(ch.Cycle)), PlanName: ch.ToPlanName, ServiceType: string(o.ServiceType),
		Amount: ch.NewRenewal, Interval: interval, IntervalCount: count, ReturnURL: back, CancelURL: back + "&consent=cancelled", Since: ch.CreatedAt,
		Description: fmt.Sprintf("%s → %s for the remaining %d of %d days", ch.FromPlanName, ch.ToPlanName, days(ch.Proration.Remaining), days(ch.Proration.Period))}
	if ch.Proration.Total > 0 {
		in.Charge = ch.Proration.Total
	}
	g, err := s.gw(sub.Gateway)
	if err != nil {
		return nil, err
	}
	c, consents := g.(gateway.Consenter)
	consents = consents && g.Capabilities().PlanChangeConsent
	if consents && !ch.Consented {
		return s.requestConsent(ctx, ch, sub, g, c, in)
	}
	if !consents || ch.GatewayInvoiceID == "" { // a consent's charge was made before it was asked for
		invoiceID, err := g.ChangeSubscription(ctx, in)
		if err != nil {
			if apperr.Is(err, apperr.Invalid) { // declined: nothing changed at the gateway
				if ferr := s.failChange(ctx, ch); ferr != nil {
					s.log.ErrorContext(ctx, "failed change left pending", "change", ch.ID, "err", ferr.Error())
				}
			}
			return nil, err
		}
		ch.GatewayInvoiceID = invoiceID
	}
	var entries []Payment
	if ch.Proration.Total < 0 {
		if entries, err = s.returnCredit(ctx, ch, g, acct.GatewayCustomers[sub.Gateway]); err != nil {
			return nil, err
		}
	}
	return s.finishChange(ctx, ch, entries)
}

// returnCredit gives a downgrade's credit back as the change says: the
// refund to the cards that paid (newest payment first), the rest to the
// customer's balance at the gateway. Every call carries a key derived from
// the change (and the charge), so a retried confirmation refunds and
// credits once. It returns the ledger entries to record.
func (s *Service) returnCredit(ctx context.Context, ch *PlanChange, g gateway.Gateway, gatewayCustomer string) ([]Payment, error) {
	var out []Payment
	now := s.clock.Now()
	if ch.RefundAmount > 0 {
		pays, err := s.refundable(ctx, ch.CustomerID, ch.OrderID)
		if err != nil {
			return nil, err
		}
		refunded := int64(0)
		for _, p := range pays {
			amount := min(ch.RefundAmount-refunded, p.Amount-p.Refunded)
			if amount <= 0 {
				break
			}
			pg, err := s.gw(p.Gateway)
			if err != nil {
				return nil, err
			}
			refundID, err := pg.Refund(ctx, gateway.RefundInput{ChargeID: p.GatewayChargeID, Amount: amount, Reason: "requested_by_customer",
				Key: "refund-" + ch.ID + "-" + p.GatewayChargeID})
			if err != nil {
				return nil, err
			}
			ch.RefundID, refunded = refundID, refunded+amount
			out = append(out, Payment{ID: p.Gateway + ":" + refundID, CustomerID: p.CustomerID, OrderID: p.OrderID, Gateway: p.Gateway, GatewayChargeID: p.GatewayChargeID,
				GatewayInvoiceID: p.GatewayInvoiceID, Status: PaymentRefund, Currency: p.Currency, Amount: amount, RefundOf: p.ID, By: "plan change " + ch.ID,
				At: now, Version: 1})
		}
		// A refund made meanwhile (staff) left less on the cards: the
		// customer still gets the whole credit, the rest as balance.
		ch.CreditAmount += ch.RefundAmount - refunded
		ch.RefundAmount = refunded
	}
	if ch.CreditAmount > 0 {
		id, err := g.CreditBalance(ctx, gateway.CreditInput{GatewayCustomerID: gatewayCustomer, Currency: ch.Currency, Amount: ch.CreditAmount,
			Description: fmt.Sprintf("Credit for the unused time on %s", ch.FromPlanName), Key: "credit-" + ch.ID})
		if err != nil {
			return nil, err
		}
		ch.CreditID = id
		out = append(out, Payment{ID: g.Name() + ":" + id, CustomerID: ch.CustomerID, OrderID: ch.OrderID, Gateway: g.Name(),
			Status: PaymentCredit, Currency: ch.Currency, Amount: ch.CreditAmount, By: "plan change " + ch.ID, At: now, Version: 1})
	}
	return out, nil
}

// ResumeChange completes a change still pending (KindChangePending); a
// change done or failed meanwhile is left alone.
func (s *Service) ResumeChange(ctx context.Context, id string) error {
	ch, err := s.store.GetChange(ctx, id)
	if err != nil || ch.Status != "pending" {
		return err
	}
	sub, err := s.store.GetSubscription(ctx, ch.SubscriptionID)
	if err != nil {
		return err
	}
	_, err = s.completeChange(ctx, ch, sub)
	return err
}

// finishChange records a completed change: the subscription on its new
// plan, the refund and credit in the ledger, and the resize request.
func (s *Service) finishChange(ctx context.Context, ch *PlanChange, entries []Payment) (*PlanChange, error) {
	now := s.clock.Now()
	for attempt := 1; ; attempt++ {
		if cur, err := s.store.GetChange(ctx, ch.ID); err == nil && cur.Status == "done" {
			return cur, nil // recorded by the other path (the request or the recovery item)
		}
		sub, err := s.store.GetSubscription(ctx, ch.SubscriptionID)
		if err != nil {
			return nil, err
		}
		sub.PlanID, sub.PlanName, sub.Price, sub.Amount, sub.ChangeInFlight = ch.ToPlanID, ch.ToPlanName, ch.Proration.NewPrice, ch.NewRenewal, ""
		sub.Version++
		sub.UpdatedAt = now
		done := *ch
		done.Status, done.UpdatedAt = "done", now
		done.Version++
		c := Change{Subscription: sub, PlanChange: &done,
			Outbox: []outbox.Item{outbox.New("resize-"+ch.ID, KindResize, ch.OrderID, map[string]string{"order_id": ch.OrderID, "subscription_id": ch.SubscriptionID,
				"from_plan_id": ch.FromPlanID, "to_plan_id": ch.ToPlanID, "change_id": ch.ID}, now)}}
		if err := s.recordChangeCharge(ctx, &c, ch, sub); err != nil {
			return nil, err
		}
		for _, e := range entries {
			if _, err := s.store.GetPayment(ctx, e.ID); !apperr.Is(err, apperr.NotFound) {
				continue // recorded already (also by the charge.refunded webhook)
			}
			c.Payments = append(c.Payments, e)
			if e.Status != PaymentRefund {
				continue
			}
			if p, err := s.store.GetPayment(ctx, e.RefundOf); err == nil && p.Refunded < p.Amount {
				p.Refunded = min(p.Amount, p.Refunded+e.Amount)
				p.Version++
				c.Refunds = append(c.Refunds, *p)
			}
		}
		err = s.store.Apply(ctx, c)
		if apperr.Is(err, apperr.Conflict) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("record change %s: %w", ch.ID, err)
		}
		s.kick()
		return &done, nil
	}
}

// failChange marks a declined change, gives back the reserved unit and
// frees the subscription for another change.
func (s *Service) failChange(ctx context.Context, ch *PlanChange) error {
	failed := *ch
	failed.Status, failed.UpdatedAt = "failed", s.clock.Now()
	failed.Version++
	if err := s.store.Apply(ctx, Change{PlanChange: &failed, ReleaseChange: true}); err != nil {
		return err
	}
	_, err := s.changeSubscription(ctx, ch.SubscriptionID, func(sub *Subscription) ([]outbox.Item, *Survey) {
		if sub.ChangeInFlight == ch.ID {
			sub.ChangeInFlight = ""
		}
		return nil, nil
	})
	return err
}

// Change returns a plan change (for our invoice of its charge).
func (s *Service) Change(ctx context.Context, id string) (*PlanChange, error) {
	return s.store.GetChange(ctx, id)
}

// samePanel refuses a change to a plan another panel instance serves: the
// service would have to move, which a plan change does not do (charging
// for it would sell what is not delivered).
func (s *Service) samePanel(ctx context.Context, fromPlanID string, to *catalog.Plan, location string) error {
	if s.delivery == nil {
		return nil
	}
	from, err := s.plans.Get(ctx, fromPlanID)
	if apperr.Is(err, apperr.NotFound) {
		return nil // a plan deleted since: the resize decides
	}
	if err != nil {
		return err
	}
	want, got := s.delivery.PanelFor(from, location), s.delivery.PanelFor(to, location)
	if got == "" {
		return apperr.New(apperr.Conflict, "this plan cannot be ordered: %s", catalog.Undeliverable(s.delivery, to, location))
	}
	if want != "" && got != want {
		return apperr.Validation(map[string]string{"plan_id": to.Name + " runs on other infrastructure; moving there needs a migration, which our team can arrange"})
	}
	return nil
}
