package bandwidth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// Report is what one run did.
type Report struct {
	Days     []string `json:"days"`   // dates synced
	Closed   []string `json:"closed"` // dates closed by this run
	Failed   []string `json:"failed"`
	Services int      `json:"services"` // day items written
	Alerts   int      `json:"alerts"`   // threshold e-mails sent
	Billed   int      `json:"billed"`   // cycles settled
}

// Run is one scheduled run: Sync, then Watch (recording cycles when a
// day closed), then Bill. Each part runs even when an earlier one
// failed; the errors are joined.
func (m *Meter) Run(ctx context.Context) (Report, error) {
	svcs, err := m.Services.ListServices(ctx, "")
	if err != nil {
		return Report{}, fmt.Errorf("list services: %w", err)
	}
	rep, syncErr := m.Sync(ctx, svcs)
	alerts, watchErr := m.Watch(ctx, svcs, len(rep.Closed) > 0)
	billed, billErr := m.Bill(ctx)
	rep.Alerts, rep.Billed = alerts, billed
	return rep, errors.Join(syncErr, watchErr, billErr)
}

// Sync measures every open day in the lookback window up to the last
// settled hour: today live, yesterday (and any day a failure left open)
// closed. A failed day stays open, is retried next run and alerts
// admins after repeated failure; it is never billed from.
func (m *Meter) Sync(ctx context.Context, svcs []provisioning.Service) (Report, error) {
	var rep Report
	now := m.Clock.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	pl := m.plans()
	var errs []error
	// Days in the window without a status were never synced: from the
	// first one that was (a run that never happened leaves a gap to fill),
	// or from yesterday on a fresh installation.
	statuses := make([]*DayStatus, m.lookback()+1)
	first := 1
	for back := m.lookback(); back >= 0; back-- {
		st, err := m.Store.GetStatus(ctx, today.AddDate(0, 0, -back).Format(time.DateOnly))
		if err != nil {
			return rep, err
		}
		statuses[back] = st
		if st != nil && back > first {
			first = back
		}
	}
	for back := first; back >= 0; back-- {
		day := today.AddDate(0, 0, -back)
		date := day.Format(time.DateOnly)
		// The hour under way is measured too (the live view); the day
		// closes only once its last hour has settled.
		settled := now.Add(-m.settleDelay())
		through := min(24, int((settled.Sub(day)+time.Hour-1)/time.Hour))
		closing := !settled.Before(day.Add(24 * time.Hour))
		if through <= 0 {
			continue
		}
		st := statuses[back]
		if st != nil && st.Closed {
			continue // today is measured again every run: late flows count
		}
		if st == nil {
			st = &DayStatus{Date: date}
		}
		counter, counts := m.Source.(interface{ Requests() int64 })
		var before int64
		if counts {
			before = counter.Requests()
		}
		n, missing, err := m.syncDay(ctx, svcs, pl, day, through, closing)
		if counts {
			st.Requests = int(counter.Requests() - before)
		}
		st.UpdatedAt = m.Clock.Now()
		rep.Days = append(rep.Days, date)
		if err != nil {
			st.Attempts++
			st.Error = err.Error()
			rep.Failed = append(rep.Failed, date)
			errs = append(errs, fmt.Errorf("bandwidth of %s: %w", date, err))
			if st.Attempts >= m.failuresBeforeAlert() && !st.Alerted {
				if m.alertFailure(ctx, st) == nil {
					st.Alerted = true
				}
			}
		} else {
			st.Hours, st.Closed, st.Services, st.Attempts, st.Error, st.Alerted = through, closing, n, 0, "", false
			st.Missing = missing
			rep.Services += n
			if st.Closed {
				rep.Closed = append(rep.Closed, date)
			}
		}
		if err := m.Store.PutStatus(ctx, *st); err != nil {
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

func missingHours(cov map[time.Time]int64, day time.Time, through int) []int {
	out := []int{}
	for h := 0; h < through; h++ {
		if cov[day.Add(time.Duration(h)*time.Hour)] == 0 {
			out = append(out, h)
		}
	}
	return out
}

func (m *Meter) alertFailure(ctx context.Context, st *DayStatus) error {
	_, err := m.Notify.Send(ctx, notify.Request{Kind: notify.AlertSystemError, Key: "bandwidth-sync:" + st.Date,
		Data: map[string]any{"component": "bandwidth sync", "reference": st.Date,
			"error": fmt.Sprintf("%d runs in a row could not measure %s (nobody is billed from it until one does): %s", st.Attempts, st.Date, st.Error)}})
	return err
}

// owner is a service holding an address over [from, to).
type owner struct {
	svc      *provisioning.Service
	from, to time.Time
}

// syncDay measures day's first through hours for every service that held
// an address in them and writes their day items; it answers how many and
// the hours the collector recorded nothing.
func (m *Meter) syncDay(ctx context.Context, svcs []provisioning.Service, pl *plans, day time.Time, through int, closing bool) (int, []int, error) {
	from, to := day, day.Add(time.Duration(through)*time.Hour)
	holders := map[string][]owner{}
	fineSvc := map[string]bool{}
	for i := range svcs {
		s := &svcs[i]
		for _, h := range s.Holds() {
			end := to
			if h.To != nil && h.To.Before(end) {
				end = *h.To
			}
			start := h.From
			if start.Before(from) {
				start = from
			}
			if !start.Before(end) {
				continue
			}
			holders[h.IP] = append(holders[h.IP], owner{svc: s, from: start, to: end})
		}
	}
	var coarse, fine []string
	for ip, os := range holders {
		split := false
		for _, o := range os {
			p, err := pl.get(ctx, o.svc.PlanID)
			if err != nil {
				return 0, nil, fmt.Errorf("plan of %s: %w", o.svc.ID, err)
			}
			if p.Metering.Basis == catalog.BasisP95 {
				fineSvc[o.svc.ID] = true
				split = true
			}
			// An address that changed hands inside an hour is measured
			// in 5-minute buckets so each owner pays their own share.
			if (o.from.After(from) && o.from.Truncate(time.Hour) != o.from) || (o.to.Before(to) && o.to.Truncate(time.Hour) != o.to) {
				split = true
			}
		}
		if split {
			fine = append(fine, ip)
		} else {
			coarse = append(coarse, ip)
		}
	}
	slices.Sort(coarse)
	slices.Sort(fine)
	days := map[string]*Day{}
	dayOf := func(s *provisioning.Service) *Day {
		d := days[s.ID]
		if d == nil {
			d = &Day{ServiceID: s.ID, Date: day.Format(time.DateOnly), In: make([]int64, 24), Out: make([]int64, 24), Hours: through, Closed: closing, Synced: m.Clock.Now()}
			if fineSvc[s.ID] {
				d.FineIn, d.FineOut = make([]int64, FinePerDay), make([]int64, FinePerDay)
			}
			days[s.ID] = d
		}
		return d
	}
	for _, os := range holders {
		for _, o := range os {
			dayOf(o.svc)
		}
	}
	cov, err := m.Source.Coverage(ctx, from, to)
	if err != nil {
		return 0, nil, err
	}
	// The hour under way may simply not have records yet: only settled
	// hours count as missing.
	settledHours := min(through, int(m.Clock.Now().Add(-m.settleDelay()).Sub(day)/time.Hour))
	missing := missingHours(cov, day, settledHours)
	for _, q := range []struct {
		ips  []string
		step time.Duration
	}{{coarse, time.Hour}, {fine, Fine}} {
		if len(q.ips) == 0 {
			continue
		}
		for _, dir := range []Dir{In, Out} {
			pts, err := m.Source.Totals(ctx, Query{From: from, To: to, IPs: q.ips, Dir: dir, Step: q.step})
			if err != nil {
				return 0, nil, err
			}
			if err := m.check(pts, q.ips, from, to, q.step); err != nil {
				return 0, nil, err
			}
			for _, p := range pts {
				o := holderIn(holders[p.IP], p.At, p.At.Add(q.step))
				if o == nil {
					continue // nobody held it then: not a customer's traffic
				}
				d := dayOf(o.svc)
				h := int(p.At.Sub(day) / time.Hour)
				arr := d.In
				if dir == Out {
					arr = d.Out
				}
				arr[h] += p.Bytes
				if q.step == Fine && d.FineIn != nil {
					fa := d.FineIn
					if dir == Out {
						fa = d.FineOut
					}
					fa[int(p.At.Sub(day)/Fine)] += p.Bytes
				}
			}
		}
	}
	out := make([]Day, 0, len(days))
	for _, d := range days {
		d.Missing = missing
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b Day) int { return cmp.Compare(a.ServiceID, b.ServiceID) })
	if err := m.Store.PutDays(ctx, out); err != nil {
		return 0, nil, fmt.Errorf("store the days: %w", err)
	}
	return len(out), missing, nil
}

// holderIn is who a bucket's traffic belongs to: whoever held the address
// at its last instant (flow records are stamped when exported, so bytes
// in a bucket were counted by its end), or, when nobody did then (the
// address was released inside it), whoever held it at its start.
func holderIn(os []owner, start, end time.Time) *owner {
	for _, t := range []time.Time{end.Add(-time.Nanosecond), start} {
		for i := range os {
			if !t.Before(os[i].from) && t.Before(os[i].to) {
				return &os[i]
			}
		}
	}
	return nil
}

// check refuses answers that cannot be traffic: an address not asked
// for, a bucket outside the range or off the step, bytes below zero or
// beyond line rate for the bucket.
func (m *Meter) check(pts []Point, ips []string, from, to time.Time, step time.Duration) error {
	limit := m.lineRate() / 8 * int64(step/time.Second)
	asked := make(map[string]bool, len(ips))
	for _, ip := range ips {
		asked[ip] = true
	}
	for _, p := range pts {
		switch {
		case !asked[p.IP]:
			return fmt.Errorf("%w: traffic for %s, which was not asked for", ErrBadData, p.IP)
		case p.At.Before(from) || !p.At.Before(to) || !p.At.Truncate(step).Equal(p.At):
			return fmt.Errorf("%w: a bucket at %s outside %s–%s", ErrBadData, p.At.Format(time.RFC3339), from.Format(time.RFC3339), to.Format(time.RFC3339))
		case p.Bytes < 0:
			return fmt.Errorf("%w: %s moved %d bytes at %s", ErrBadData, p.IP, p.Bytes, p.At.Format(time.RFC3339))
		case p.Bytes > limit:
			return fmt.Errorf("%w: %s moved %d bytes in %s at %s, beyond line rate", ErrBadData, p.IP, p.Bytes, step, p.At.Format(time.RFC3339))
		}
	}
	return nil
}
