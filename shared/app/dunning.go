package app

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// newDunning wires the dunning workflow's tasks to billing, provisioning
// and notifications.
func (p *Platform) newDunning() *dunning.Runner {
	return &dunning.Runner{Policy: p.Dunning, Cases: dunningCases{p}, Claims: p.dunningClaims, Effects: dunningEffects{p}, Clock: p.Clock}
}

// StartDunningWith makes each failed renewal start the dunning workflow
// through start (Step Functions' StartExecution, or the local runner)
// under the execution name of its invoice, so a repeat starts nothing.
func (p *Platform) StartDunningWith(start func(ctx context.Context, name string, u dunning.Unpaid) error) {
	p.effects.Overdue = func(ctx context.Context, ev orders.PaymentFailedEvent) error {
		u := dunning.Unpaid{OrderID: ev.OrderID, Gateway: ev.Gateway, InvoiceID: ev.InvoiceID, Due: ev.Due}
		return start(ctx, u.Execution(), u)
	}
}

// dunningCases reads a case from the ledger, the paid-through date, the
// subscription and the service, fresh each time.
type dunningCases struct{ p *Platform }

func (d dunningCases) Case(ctx context.Context, u dunning.Unpaid) (dunning.Case, error) {
	c := dunning.Case{Due: u.Due}
	o, err := d.p.OrderStore.GetOrder(ctx, u.OrderID)
	if err != nil {
		return c, err
	}
	ledger, err := d.p.OrderStore.ListPayments(ctx, o.CustomerID)
	if err != nil {
		return c, err
	}
	var lastFailure *orders.Payment
	for i := range ledger {
		pay := &ledger[i]
		if pay.GatewayInvoiceID != u.InvoiceID || pay.OrderID != o.ID {
			continue
		}
		switch {
		case pay.Status == orders.PaymentSucceeded:
			c.Paid = true
		case pay.Status == orders.PaymentFailed && (lastFailure == nil || pay.At.After(lastFailure.At)):
			lastFailure = pay
		}
	}
	if lastFailure != nil {
		c.GatewayRetry = lastFailure.NextAttempt
	}
	if c.PaidThrough, err = d.p.Orders.PaidThrough(ctx, o.ID); err != nil {
		return c, err
	}
	if h, err := d.p.DunningHold(ctx, o.CustomerID); err != nil {
		return c, err
	} else if h != nil {
		c.HoldUntil = &h.Until
	}
	// A subscription the gateway ended, and a service that is gone, leave
	// nothing to dun: the subscription's end takes the service with it.
	sub, err := d.p.OrderStore.GetSubscription(ctx, orders.SubscriptionID(o.ID))
	switch {
	case err == nil && sub.Status == "cancelled":
		c.Terminated = true
	case err != nil && !apperr.Is(err, apperr.NotFound):
		return c, err
	}
	svc, err := d.p.Services.GetService(ctx, provisioning.ServiceID(o.ID))
	switch {
	case apperr.Is(err, apperr.NotFound):
		c.Terminated = true
	case err != nil:
		return c, err
	case svc.Status == provisioning.StatusTerminated:
		c.Terminated = true
	case svc.Status == provisioning.StatusSuspended:
		c.Suspended, c.SuspendReason = true, "staff"
		if svc.SuspendCode == provisioning.SuspendOverdue {
			c.SuspendReason = dunning.ReasonOverdue
		}
	}
	return c, nil
}

// dunningEffects carries the steps out; each is safe to repeat.
type dunningEffects struct{ p *Platform }

func (d dunningEffects) who(ctx context.Context, u dunning.Unpaid) (*orders.Order, *provisioning.Service, notifyTo, error) {
	o, err := d.p.OrderStore.GetOrder(ctx, u.OrderID)
	if err != nil {
		return nil, nil, notifyTo{}, err
	}
	svc, err := d.p.Services.GetService(ctx, provisioning.ServiceID(o.ID))
	if err != nil {
		return nil, nil, notifyTo{}, err
	}
	bill, err := customers{d.p.Accounts}.BillTo(ctx, o.CustomerID)
	if err != nil {
		return nil, nil, notifyTo{}, err
	}
	name := svc.PlanName
	for _, n := range []string{svc.Hostname, svc.Domain, svc.Game} {
		if n != "" {
			name = fmt.Sprintf("%s (%s)", svc.PlanName, n)
			break
		}
	}
	return o, svc, notifyTo{email: bill.Email, name: bill.Name, service: name}, nil
}

type notifyTo struct{ email, name, service string }

func (d dunningEffects) day(t time.Time) string { return t.Format("2 January 2006") }

func (d dunningEffects) Remind(ctx context.Context, u dunning.Unpaid, s dunning.Step) error {
	o, _, to, err := d.who(ctx, u)
	if err != nil {
		return err
	}
	pol, err := d.p.Dunning.Policy(ctx)
	if err != nil {
		return err
	}
	// The consequence names the day it will really come: an extension
	// ("do not suspend until") moves it.
	hold, err := d.p.DunningHold(ctx, o.CustomerID)
	if err != nil {
		return err
	}
	after := func(days int) string {
		at := u.Due.AddDate(0, 0, days)
		if hold != nil && hold.Until.After(at) {
			at = hold.Until
		}
		return d.day(at)
	}
	consequence := ""
	switch {
	case pol.SuspendEnabled && s.Day < pol.SuspendAfterDays:
		consequence = "If it stays unpaid, the service is suspended on " + after(pol.SuspendAfterDays) + "."
	case pol.TerminateEnabled && s.Day < pol.TerminateAfterDays:
		consequence = "If it stays unpaid, the service and its data are deleted on " + after(pol.TerminateAfterDays) + "."
	}
	// The amount is the unpaid invoice's, as the gateway billed it (a plan
	// change or a coupon makes it differ from the order's renewal price).
	amount := o.Renewal
	ledger, err := d.p.OrderStore.ListPayments(ctx, o.CustomerID)
	if err != nil {
		return err
	}
	for _, pay := range ledger {
		if pay.GatewayInvoiceID == u.InvoiceID && pay.Status == orders.PaymentFailed {
			amount = pay.Amount
		}
	}
	_, err = d.p.Notify.Send(ctx, notify.Request{Kind: notify.PaymentOverdue, To: to.email, Key: "dunning:" + u.InvoiceID + ":" + s.Claim(),
		Data: map[string]any{"customer_name": to.name, "service_name": to.service, "amount": amount, "currency": o.Currency, "days_overdue": s.Day,
			"how_to_fix": orders.HowToFix(o.Gateway, true), "pay_url": d.p.Config.AccountURL + "/billing", "consequence": consequence}})
	return err
}

func (d dunningEffects) Suspend(ctx context.Context, u dunning.Unpaid) error {
	_, svc, to, err := d.who(ctx, u)
	if err != nil {
		return err
	}
	_, err = d.p.Provisioning.SuspendFor(ctx, svc.ID, "system", "Its renewal is overdue; paying it restores the service.", provisioning.SuspendOverdue)
	if apperr.Is(err, apperr.Conflict) && svc.Status != provisioning.StatusActive {
		err = nil // suspended (or ended) already: a repeated step
	}
	if err != nil {
		return err
	}
	_, err = d.p.Notify.Send(ctx, notify.Request{Kind: notify.AlertServiceSuspended, Key: "dunning-suspended:" + u.InvoiceID,
		Data: map[string]any{"customer_name": to.name, "service_name": to.service, "reason": "overdue renewal (dunning)"}})
	return err
}

func (d dunningEffects) Warn(ctx context.Context, u dunning.Unpaid, terminateAt time.Time) error {
	_, svc, to, err := d.who(ctx, u)
	if err != nil {
		return err
	}
	_, err = d.p.Notify.Send(ctx, notify.Request{Kind: notify.TerminationWarning, To: to.email, Key: "dunning:" + u.InvoiceID + ":final_warning",
		Data: map[string]any{"customer_name": to.name, "service_name": to.service, "terminate_date": d.day(terminateAt),
			"pay_url": d.p.Config.AccountURL + "/billing", "account_service_url": d.p.Config.AccountURL + "/services/" + svc.ID}})
	return err
}

func (d dunningEffects) Terminate(ctx context.Context, u dunning.Unpaid) error {
	_, svc, _, err := d.who(ctx, u)
	if err != nil {
		return err
	}
	_, err = d.p.Provisioning.Terminate(ctx, svc.ID, "system", "Its renewal stayed unpaid.")
	if apperr.Is(err, apperr.Conflict) && svc.Status == provisioning.StatusTerminated {
		return nil
	}
	return err
}

// AddLateFee charges the fee as its own gateway invoice; its payment, or
// its failure, reaches the ledger through the gateway's webhooks like any
// invoice's, and our invoice for it is issued when it is paid.
func (d dunningEffects) AddLateFee(ctx context.Context, u dunning.Unpaid, fee dunning.LateFee) error {
	id, err := d.p.Orders.ChargeLateFee(ctx, u.OrderID, u.InvoiceID, fee.Net)
	if err == nil && id != "" {
		d.p.Log.InfoContext(ctx, "late fee charged", "order", u.OrderID, "invoice", u.InvoiceID, "fee_invoice", id)
	}
	return err
}

func (d dunningEffects) Recover(ctx context.Context, u dunning.Unpaid) error {
	return d.p.Provisioning.RenewalPaid(ctx, u.OrderID)
}

// SweepDunning is the backstop: it starts dunning for every renewal that
// is unpaid and has none running (a start lost before it was recorded, or
// executions that lived in a local process that restarted). Starting an
// execution that exists is a no-op, so it may run any time; it returns how
// many unpaid renewals it found.
func (p *Platform) SweepDunning(ctx context.Context) (int, error) {
	if p.effects.Overdue == nil {
		return 0, nil
	}
	n, cursor := 0, ""
	for {
		list, next, err := p.Orders.ListAll(ctx, orders.Paid, cursor)
		if err != nil {
			return n, err
		}
		for _, o := range list {
			ev, ok, err := p.unpaidRenewal(ctx, o)
			if err != nil {
				return n, err
			}
			if !ok {
				continue
			}
			n++
			if err := p.effects.Overdue(ctx, ev); err != nil {
				p.Log.WarnContext(ctx, "dunning sweep: start", "order", o.ID, "invoice", ev.InvoiceID, "err", err.Error())
			}
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}

// unpaidRenewal finds a past-due subscription's newest failed renewal
// invoice that no payment settled.
func (p *Platform) unpaidRenewal(ctx context.Context, o orders.Order) (orders.PaymentFailedEvent, bool, error) {
	sub, err := p.OrderStore.GetSubscription(ctx, orders.SubscriptionID(o.ID))
	if apperr.Is(err, apperr.NotFound) || (err == nil && sub.Status != "past_due") {
		return orders.PaymentFailedEvent{}, false, nil
	}
	if err != nil {
		return orders.PaymentFailedEvent{}, false, err
	}
	ledger, err := p.OrderStore.ListPayments(ctx, o.CustomerID)
	if err != nil {
		return orders.PaymentFailedEvent{}, false, err
	}
	paid := map[string]bool{}
	var newest *orders.Payment
	for i := range ledger {
		pay := &ledger[i]
		switch {
		case pay.OrderID != o.ID, pay.LateFeeFor != "": // a fee is not a renewal to dun
		case pay.Status == orders.PaymentSucceeded:
			paid[pay.GatewayInvoiceID] = true
		case pay.Status == orders.PaymentFailed && (newest == nil || pay.At.After(newest.At)):
			newest = pay
		}
	}
	if newest == nil || paid[newest.GatewayInvoiceID] {
		return orders.PaymentFailedEvent{}, false, nil
	}
	return orders.PaymentFailedEvent{OrderID: o.ID, CustomerID: o.CustomerID, Gateway: o.Gateway, InvoiceID: newest.GatewayInvoiceID,
		BillingReason: gateway.ReasonRenewal, Due: sub.CurrentPeriodStart}, true, nil
}
