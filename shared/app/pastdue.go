package app

import (
	"context"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/text"
)

// PastDue lists every unpaid renewal with where its dunning stands.
func (p *Platform) PastDue(ctx context.Context) ([]dunning.PastDue, error) {
	out := []dunning.PastDue{}
	cursor := ""
	for {
		list, next, err := p.Orders.ListAll(ctx, orders.Paid, cursor)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			ev, ok, err := p.unpaidRenewal(ctx, o)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			u := dunning.Unpaid{OrderID: o.ID, Gateway: ev.Gateway, InvoiceID: ev.InvoiceID, Due: ev.Due}
			pv, err := p.DunningTasks.Preview(ctx, u)
			if err != nil {
				return nil, err
			}
			c := dunning.PastDue{Unpaid: u, CustomerID: o.CustomerID, ServiceID: provisioning.ServiceID(o.ID), ServiceName: o.PlanName, Amount: o.Renewal,
				Currency: o.Currency, DaysOverdue: max(0, int(p.Clock.Now().Sub(u.Due).Hours()/24)), Preview: pv}
			if svc, err := p.Services.GetService(ctx, c.ServiceID); err == nil {
				c.ServiceStatus = string(svc.Status)
				if n := strings.TrimSpace(svc.Hostname + svc.Domain + svc.Game); n != "" {
					c.ServiceName += " (" + n + ")"
				}
			}
			out = append(out, c)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// pastDueCase finds the unpaid renewal of a gateway invoice.
func (p *Platform) pastDueCase(ctx context.Context, invoiceID string) (*dunning.PastDue, error) {
	list, err := p.PastDue(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].InvoiceID == invoiceID {
			return &list[i], nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "no unpaid renewal has invoice %s", invoiceID)
}

// PauseDunning stops a run before its next step until resumed (it keeps
// reading the case once a day, so a payment still ends it).
func (p *Platform) PauseDunning(ctx context.Context, invoiceID, actor string) (*dunning.PastDue, error) {
	if _, err := p.pastDueCase(ctx, invoiceID); err != nil {
		return nil, err
	}
	if err := p.dunningClaims.Claim(ctx, invoiceID, dunning.ClaimPaused, p.Clock.Now()); err != nil {
		return nil, err
	}
	return p.pastDueCase(ctx, invoiceID)
}

// ResumeDunning lets a paused run go on (from its next look, within a day).
func (p *Platform) ResumeDunning(ctx context.Context, invoiceID, actor string) (*dunning.PastDue, error) {
	if _, err := p.pastDueCase(ctx, invoiceID); err != nil {
		return nil, err
	}
	if err := p.dunningClaims.Unclaim(ctx, invoiceID, dunning.ClaimPaused); err != nil {
		return nil, err
	}
	return p.pastDueCase(ctx, invoiceID)
}

// maxHold bounds an override: a year.
const maxHold = 366 * 24 * time.Hour

// HoldDunning sets the customer's override: no suspension, final warning
// or termination before until.
func (p *Platform) HoldDunning(ctx context.Context, customerID string, until time.Time, reason, actor string) (*dunning.Hold, error) {
	f := apperr.FieldErrors{}
	now := p.Clock.Now()
	if !until.After(now) || until.After(now.Add(maxHold)) {
		f.Add("until", "must be in the future, at most a year ahead")
	}
	if why := text.MultilineProblem(reason, 3, 300); why != "" {
		f.Add("reason", why)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if _, err := p.Accounts.Me(ctx, customerID); err != nil {
		return nil, err
	}
	h := &dunning.Hold{CustomerID: customerID, Until: until.UTC(), Reason: strings.TrimSpace(reason), By: actor, At: now}
	return h, p.dunningHolds.PutHold(ctx, h)
}

// ReleaseDunningHold removes the customer's override.
func (p *Platform) ReleaseDunningHold(ctx context.Context, customerID string) error {
	return p.dunningHolds.DeleteHold(ctx, customerID)
}

// DunningHold returns the customer's override (nil when none).
func (p *Platform) DunningHold(ctx context.Context, customerID string) (*dunning.Hold, error) {
	h, err := p.dunningHolds.GetHold(ctx, customerID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	return h, err
}
