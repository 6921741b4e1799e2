package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Cycle states.
const (
	CycleOpen    = "open"    // running, or waiting for its days to close
	CycleCharged = "charged" // overage added to the next invoice
	CycleWithin  = "within"  // nothing to bill
	CycleHeld    = "held"    // overage on incomplete data, or a gateway that cannot bill it: staff decide
	CycleWaived  = "waived"
)

// Cycle is one billing cycle of a metered service, recorded when the
// sync first sees it so it can be billed after the renewal moved the
// subscription on.
type Cycle struct {
	ServiceID  string    `json:"service_id"`
	CustomerID string    `json:"customer_id"`
	OrderID    string    `json:"order_id"`
	PlanID     string    `json:"plan_id"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Currency   string    `json:"currency"`
	State      string    `json:"state"`
	Usage      *Usage    `json:"usage,omitempty"`
	Amount     int64     `json:"amount"` // overage before tax, minor units
	Reference  string    `json:"reference,omitempty"`
	Note       string    `json:"note,omitempty"`
	Version    int64     `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Key is the cycle's idempotency key at the gateway.
func (c *Cycle) Key() string { return fmt.Sprintf("overage-%s-%d", c.ServiceID, c.Start.Unix()) }

// metered is a service whose traffic counts now, with its plan.
type metered struct {
	svc  *provisioning.Service
	plan *catalog.Plan
}

func (m *Meter) metered(ctx context.Context, svcs []provisioning.Service, pl *plans) ([]metered, error) {
	var out []metered
	for i := range svcs {
		s := &svcs[i]
		if s.Status != provisioning.StatusActive && s.Status != provisioning.StatusSuspended {
			continue
		}
		p, err := pl.get(ctx, s.PlanID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if p.Metered() {
			out = append(out, metered{svc: s, plan: p})
		}
	}
	return out, nil
}

// each runs f over items with the meter's worker bound, joining errors.
func each[T any](m *Meter, items []T, f func(T) error) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, m.workers())
	)
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(it); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Watch records each metered service's current cycle (when record) and
// warns at each threshold once per cycle: a run that crosses several
// claims them all and e-mails only the highest; at 100 % and beyond
// admins are alerted too.
func (m *Meter) Watch(ctx context.Context, svcs []provisioning.Service, record bool) (int, error) {
	pl := m.plans()
	ms, err := m.metered(ctx, svcs, pl)
	if err != nil {
		return 0, err
	}
	var mu sync.Mutex
	alerts := 0
	var all []Standing
	err = each(m, ms, func(x metered) error {
		per, err := m.Billing.Period(ctx, x.svc.OrderID)
		if err != nil || per == nil {
			return err
		}
		if record {
			c := Cycle{ServiceID: x.svc.ID, CustomerID: x.svc.CustomerID, OrderID: x.svc.OrderID, PlanID: x.svc.PlanID,
				Start: per.Start, End: per.End, Currency: per.Currency, State: CycleOpen, UpdatedAt: m.Clock.Now()}
			if err := m.Store.PutCycle(ctx, c); err != nil {
				return err
			}
		}
		now := m.Clock.Now()
		u, err := m.usage(ctx, x.svc.ID, x.plan, per.Start, liveUntil(now, per.End))
		if err != nil {
			return err
		}
		n, err := m.warn(ctx, x, per, u)
		mu.Lock()
		alerts += n
		all = append(all, standing(x, per, u))
		mu.Unlock()
		return err
	})
	if sumErr := m.Store.PutSummary(ctx, m.summarize(all)); err == nil {
		err = sumErr
	}
	return alerts, err
}

// liveUntil is where a running cycle's measurement ends: the hour under
// way is measured too (hours belong to the cycle their start falls in,
// cycle bounds taken to the hour).
func liveUntil(now, end time.Time) time.Time {
	return minTime(now.Truncate(time.Hour).Add(time.Hour), end)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// usage measures a service over [from, to) from its stored days.
func (m *Meter) usage(ctx context.Context, svcID string, plan *catalog.Plan, from, to time.Time) (Usage, error) {
	days, err := m.Store.Days(ctx, svcID, from.UTC().Format(time.DateOnly), to.UTC().Format(time.DateOnly))
	if err != nil {
		return Usage{}, err
	}
	return Measure(days, plan, from, to), nil
}

func (m *Meter) thresholds() []int {
	t := slices.Clone(m.Thresholds)
	if len(t) == 0 {
		t = slices.Clone(DefaultThresholds)
	}
	slices.Sort(t)
	return t
}

func (m *Meter) warn(ctx context.Context, x metered, per *Period, u Usage) (int, error) {
	top := 0
	for _, t := range m.thresholds() {
		if u.Percent < t {
			break
		}
		ok, err := m.Store.ClaimAlert(ctx, x.svc.ID, per.Start, t)
		if err != nil {
			return 0, err
		}
		if ok {
			top = t
		}
	}
	if top == 0 {
		return 0, nil
	}
	owner, err := m.Customers.Owner(ctx, x.svc.CustomerID)
	if err != nil {
		return 0, err
	}
	kind := notify.Bandwidth75
	switch {
	case top >= 100:
		kind = notify.Bandwidth100
	case top >= 90:
		kind = notify.Bandwidth90
	}
	key := fmt.Sprintf("bandwidth:%s:%d:%d", x.svc.ID, per.Start.Unix(), top)
	if _, err := m.Notify.Send(ctx, notify.Request{Kind: kind, To: owner.Email, Key: key, Data: map[string]any{
		"customer_name": owner.Name, "service_name": x.svc.DisplayName(), "account_service_url": m.AccountURL + "/services/" + x.svc.ID,
		"used": describe(u.Counted, u), "quota": describe(u.Included, u), "percent": top, "cycle_end": per.End.UTC().Format("2 January 2006")}}); err != nil {
		return 0, err
	}
	if top >= 100 {
		if _, err := m.Notify.Send(ctx, notify.Request{Kind: notify.AlertBandwidthQuota, Key: key + ":alert", Data: map[string]any{
			"customer_name": owner.Name, "service_name": x.svc.DisplayName(), "used": describe(u.Counted, u), "quota": describe(u.Included, u),
			"percent": u.Percent}}); err != nil {
			return 1, err
		}
	}
	return 1, nil
}

// describe shows a transfer amount in decimal GB, a p95 rate in Mbps.
func describe(n int64, u Usage) string {
	if u.Basis == catalog.BasisP95 {
		return fmt.Sprintf("%.1f Mbps (95th percentile)", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/GB)
}
