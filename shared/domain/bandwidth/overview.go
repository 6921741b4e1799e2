package bandwidth

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Standing is one service's cycle so far, as the last run measured it.
type Standing struct {
	ServiceID  string    `json:"service_id"`
	CustomerID string    `json:"customer_id"`
	Name       string    `json:"name"`
	Basis      string    `json:"basis"`
	Bytes      int64     `json:"bytes"` // in + out this cycle
	Counted    int64     `json:"counted"`
	Included   int64     `json:"included"`
	Percent    int       `json:"percent"`
	CycleEnd   time.Time `json:"cycle_end"`
}

// Summary is what the last run saw across services: the largest
// consumers and those nearest (or past) their allowance. It is one item,
// so it is bounded.
type Summary struct {
	At      time.Time  `json:"at"`
	Metered int        `json:"metered"`
	Top     []Standing `json:"top"`
	Near    []Standing `json:"near"`
}

// Summary bounds.
const (
	topN  = 25
	nearN = 100
)

func (m *Meter) summarize(all []Standing) Summary {
	s := Summary{At: m.Clock.Now(), Metered: len(all), Top: []Standing{}, Near: []Standing{}}
	top := slices.Clone(all)
	slices.SortFunc(top, func(a, b Standing) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.ServiceID, b.ServiceID))
	})
	s.Top = append(s.Top, top[:min(topN, len(top))]...)
	low := m.thresholds()[0]
	for _, x := range all {
		if x.Percent >= low {
			s.Near = append(s.Near, x)
		}
	}
	slices.SortFunc(s.Near, func(a, b Standing) int {
		return cmp.Or(cmp.Compare(b.Percent, a.Percent), cmp.Compare(a.ServiceID, b.ServiceID))
	})
	s.Near = s.Near[:min(nearN, len(s.Near))]
	return s
}

func standing(x metered, per *Period, u Usage) Standing {
	return Standing{ServiceID: x.svc.ID, CustomerID: x.svc.CustomerID, Name: x.svc.DisplayName(), Basis: u.Basis, Bytes: u.In + u.Out,
		Counted: u.Counted, Included: u.Included, Percent: u.Percent, CycleEnd: per.End}
}

// Overview is the staff page: recent days' syncs, cycles held for a
// decision and the last summary.
type Overview struct {
	Days    []DayStatus `json:"days"`
	Held    []Cycle     `json:"held"`
	Summary *Summary    `json:"summary"`
}

// Overview reads the staff page.
func (m *Meter) Overview(ctx context.Context) (*Overview, error) {
	o := &Overview{Days: []DayStatus{}}
	today := m.Clock.Now().UTC().Truncate(24 * time.Hour)
	for back := 0; back <= m.lookback(); back++ {
		date := today.AddDate(0, 0, -back).Format(time.DateOnly)
		st, err := m.Store.GetStatus(ctx, date)
		if err != nil {
			return nil, err
		}
		// The last week, and any older day still open.
		if st != nil && (back < 8 || !st.Closed) {
			o.Days = append(o.Days, *st)
		}
	}
	held, err := m.Store.Held(ctx)
	if err != nil {
		return nil, err
	}
	o.Held = held
	if o.Held == nil {
		o.Held = []Cycle{}
	}
	o.Summary, err = m.Store.GetSummary(ctx)
	return o, err
}
