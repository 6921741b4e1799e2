package bandwidth

import (
	"context"
	"time"

	"github.com/ezscale/platform/shared/domain/provisioning"
)

// View is what the service page shows: the cycle against the allowance,
// day by day, with a projection, and the last 24 hours.
type View struct {
	Metered bool       `json:"metered"`
	Cycle   *Period    `json:"cycle"`
	Usage   Usage      `json:"usage"`
	Days    []DayUsage `json:"days"`
	// Projected is Counted at the cycle's end if traffic goes on as so far
	// (transfer plans; a rate's percentile is not projected).
	Projected int64       `json:"projected"`
	Last24h   []HourUsage `json:"last_24h"`
	// OveragePrice is per TB (transfer) or Mbps (p95) in the cycle's
	// currency, minor units; 0 when none is charged.
	OveragePrice int64   `json:"overage_price"`
	Cycles       []Cycle `json:"cycles"`
}

// DayUsage is one day of the cycle.
type DayUsage struct {
	Date    string `json:"date"`
	In      int64  `json:"in_bytes"`
	Out     int64  `json:"out_bytes"`
	Hours   int    `json:"hours"`
	Missing int    `json:"missing_hours"`
}

// HourUsage is one hour.
type HourUsage struct {
	At  time.Time `json:"at"`
	In  int64     `json:"in_bytes"`
	Out int64     `json:"out_bytes"`
}

// View reads what was measured for svc.
func (m *Meter) View(ctx context.Context, svc *provisioning.Service) (*View, error) {
	plan, err := m.Plans.GetPlan(ctx, svc.PlanID)
	if err != nil {
		return nil, err
	}
	now := m.Clock.Now().UTC()
	v := &View{Metered: plan.Metered(), Days: []DayUsage{}, Last24h: []HourUsage{}}
	per, err := m.Billing.Period(ctx, svc.OrderID)
	if err != nil {
		return nil, err
	}
	from := now.Add(-24 * time.Hour)
	if per != nil {
		v.Cycle = per
		v.OveragePrice = plan.Metering.Overage[per.Currency]
		if per.Start.Before(from) {
			from = per.Start
		}
	}
	days, err := m.Store.Days(ctx, svc.ID, from.Format(time.DateOnly), now.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	if per != nil {
		until := liveUntil(now, per.End)
		v.Usage = Measure(days, plan, per.Start, until)
		elapsed, total := minTime(now, per.End).Sub(per.Start), per.End.Sub(per.Start)
		if v.Usage.Basis == "transfer" && elapsed > time.Hour {
			v.Projected = int64(float64(v.Usage.Counted) * float64(total) / float64(elapsed))
		}
		hourly(days, per.Start, until, func(d *Day, h int) {
			if len(v.Days) == 0 || v.Days[len(v.Days)-1].Date != d.Date {
				v.Days = append(v.Days, DayUsage{Date: d.Date, Missing: len(d.Missing)})
			}
			x := &v.Days[len(v.Days)-1]
			if h < d.Hours {
				x.In, x.Out, x.Hours = x.In+d.In[h], x.Out+d.Out[h], x.Hours+1
			}
		})
	}
	hourly(days, now.Add(-23*time.Hour), liveUntil(now, now.Add(time.Hour)), func(d *Day, h int) {
		if h >= d.Hours {
			return
		}
		base, _ := time.Parse(time.DateOnly, d.Date)
		v.Last24h = append(v.Last24h, HourUsage{At: base.Add(time.Duration(h) * time.Hour), In: d.In[h], Out: d.Out[h]})
	})
	cs, err := m.Store.ListCycles(ctx, svc.ID)
	if err != nil {
		return nil, err
	}
	v.Cycles = cs
	if v.Cycles == nil {
		v.Cycles = []Cycle{}
	}
	return v, nil
}
