package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// errNotClosed: a cycle waits for its last day to close.
var errNotClosed = errors.New("the cycle's days are not all closed")

// Bill settles every cycle that has ended and whose days are all
// closed: within the allowance nothing happens; overage on complete data
// is added to the subscription's next invoice (keyed by the cycle, so
// duplicate runs bill it once); overage on incomplete data — or at a
// gateway that cannot bill it — is held for staff to decide.
func (m *Meter) Bill(ctx context.Context) (int, error) {
	now := m.Clock.Now()
	due, err := m.Store.Due(ctx, now)
	if err != nil {
		return 0, err
	}
	closed := map[string]bool{}
	pl := m.plans()
	billed := 0
	var errs []error
	for i := range due {
		c := due[i]
		err := m.settle(ctx, &c, pl, closed, false)
		switch {
		case errors.Is(err, errNotClosed):
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("cycle of %s from %s: %w", c.ServiceID, c.Start.Format(time.DateOnly), err))
		default:
			billed++
		}
	}
	return billed, errors.Join(errs...)
}

// allClosed reports whether every day of [from, to) is closed.
func (m *Meter) allClosed(ctx context.Context, from, to time.Time, cache map[string]bool) (bool, error) {
	for d := from.UTC().Truncate(24 * time.Hour); d.Before(to); d = d.AddDate(0, 0, 1) {
		date := d.Format(time.DateOnly)
		ok, seen := cache[date]
		if !seen {
			st, err := m.Store.GetStatus(ctx, date)
			if err != nil {
				return false, err
			}
			ok = st != nil && st.Closed
			cache[date] = ok
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// settle decides one due cycle; force bills overage measured on
// incomplete data (a staff decision).
func (m *Meter) settle(ctx context.Context, c *Cycle, pl *plans, closed map[string]bool, force bool) error {
	ok, err := m.allClosed(ctx, c.Start, c.End, closed)
	if err != nil {
		return err
	}
	if !ok && !force {
		if m.Clock.Now().Sub(c.End) > time.Duration(m.lookback())*24*time.Hour {
			return m.hold(ctx, c, nil, 0, "some days of the cycle could not be measured in time")
		}
		return errNotClosed
	}
	plan, err := pl.get(ctx, c.PlanID)
	if err != nil {
		return err
	}
	u, err := m.usage(ctx, c.ServiceID, plan, c.Start, c.End)
	if err != nil {
		return err
	}
	amount, priced := OverageAmount(u, plan, c.Currency)
	switch {
	case u.Over == 0 || amount == 0:
		note := ""
		if u.Over > 0 && !priced {
			note = "the plan has no overage price in " + c.Currency
		}
		return m.finish(ctx, c, &u, CycleWithin, 0, "", note)
	case u.MissingHours > 0 && !force:
		return m.hold(ctx, c, &u, amount, fmt.Sprintf("%d hours of flow data are missing; staff decide whether to charge what was measured", u.MissingHours))
	}
	ref, err := m.Billing.ChargeOverage(ctx, Charge{Key: c.Key(), OrderID: c.OrderID, Currency: c.Currency, Net: amount,
		Description: lineText(c, plan, u)})
	if apperr.Is(err, apperr.Unavailable) && !force {
		return m.hold(ctx, c, &u, amount, err.Error())
	}
	if err != nil {
		return err // the charge is keyed: the next run repeats it safely
	}
	if err := m.finish(ctx, c, &u, CycleCharged, amount, ref, ""); err != nil {
		return err
	}
	return m.tellCharged(ctx, c, plan, u, amount)
}

func (m *Meter) hold(ctx context.Context, c *Cycle, u *Usage, amount int64, why string) error {
	if err := m.finish(ctx, c, u, CycleHeld, amount, "", why); err != nil {
		return err
	}
	_, err := m.Notify.Send(ctx, notify.Request{Kind: notify.AlertSystemError, Key: "bandwidth-held:" + c.Key(),
		Data: map[string]any{"component": "bandwidth billing", "reference": c.ServiceID,
			"error": fmt.Sprintf("overage of %s for the cycle from %s is held: %s", c.ServiceID, c.Start.Format(time.DateOnly), why)}})
	return err
}

// finish records a decision once: a cycle another run settled first is
// left as that run left it.
func (m *Meter) finish(ctx context.Context, c *Cycle, u *Usage, state string, amount int64, ref, note string) error {
	_, err := m.Store.UpdateCycle(ctx, c.ServiceID, c.Start, func(x *Cycle) error {
		if x.State != CycleOpen && x.State != CycleHeld {
			return apperr.New(apperr.Conflict, "the cycle is already %s", x.State)
		}
		x.State, x.Usage, x.Amount, x.Reference, x.Note, x.UpdatedAt = state, u, amount, ref, note, m.Clock.Now()
		return nil
	})
	return err
}

func (m *Meter) tellCharged(ctx context.Context, c *Cycle, plan *catalog.Plan, u Usage, amount int64) error {
	svc, err := m.Services.GetService(ctx, c.ServiceID)
	if err != nil {
		return err
	}
	owner, err := m.Customers.Owner(ctx, c.CustomerID)
	if err != nil {
		return err
	}
	_, err = m.Notify.Send(ctx, notify.Request{Kind: notify.OverageCharged, To: owner.Email, Key: "overage:" + c.Key(), Data: map[string]any{
		"customer_name": owner.Name, "service_name": svc.DisplayName(), "used": describe(u.Counted, u), "included": describe(u.Included, u),
		"overage": describe(u.Over, u), "rate": rate(plan, u, c.Currency), "amount": amount, "currency": c.Currency,
		"period": period(c), "billing_url": m.AccountURL + "/billing"}})
	return err
}

func rate(plan *catalog.Plan, u Usage, currency string) string {
	unit := "TB"
	if u.Basis == catalog.BasisP95 {
		unit = "Mbps"
	}
	return money.Money{Amount: plan.Metering.Overage[currency], Currency: currency}.String() + " per " + unit
}

func period(c *Cycle) string {
	return c.Start.UTC().Format("2 January 2006") + " to " + c.End.UTC().Format("2 January 2006")
}

// lineText is the invoice line: what was used against what was included
// and at what rate, so the invoice explains itself.
func lineText(c *Cycle, plan *catalog.Plan, u Usage) string {
	return fmt.Sprintf("Bandwidth overage, %s: used %s of %s included; %s over at %s", period(c),
		describe(u.Counted, u), describe(u.Included, u), describe(u.Over, u), rate(plan, u, c.Currency))
}

// Decide settles a held cycle as staff chose: "charge" bills what was
// measured, "waive" bills nothing.
func (m *Meter) Decide(ctx context.Context, serviceID string, start time.Time, decision string) (*Cycle, error) {
	cs, err := m.Store.ListCycles(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	var c *Cycle
	for i := range cs {
		if cs[i].Start.Equal(start) {
			c = &cs[i]
		}
	}
	if c == nil {
		return nil, apperr.New(apperr.NotFound, "service %s has no cycle starting %s", serviceID, start.Format(time.RFC3339))
	}
	if c.State != CycleHeld {
		return nil, apperr.New(apperr.Conflict, "only a held cycle waits for a decision; this one is %s", c.State)
	}
	switch decision {
	case "waive":
		err = m.finish(ctx, c, c.Usage, CycleWaived, 0, "", "waived by staff")
	case "charge":
		err = m.settle(ctx, c, m.plans(), map[string]bool{}, true)
	default:
		return nil, apperr.Validation(map[string]string{"decision": "must be charge or waive"})
	}
	if err != nil {
		return nil, err
	}
	cs, err = m.Store.ListCycles(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if cs[i].Start.Equal(start) {
			return &cs[i], nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "cycle vanished")
}
