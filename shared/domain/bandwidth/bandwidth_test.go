package bandwidth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
)

const gb = bandwidth.GB

func sum(v []int64) (n int64) {
	for _, x := range v {
		n += x
	}
	return n
}

// An address that moves from one service to another at 12:30 bills each
// for its own half of the day, to the 5-minute bucket.
func TestTrafficFollowsTheAddressAcrossAMoveMidDay(t *testing.T) {
	w := newWorld(t)
	w.service("a", "transfer", "203.0.113.5")
	w.service("b", "transfer", "203.0.113.9")
	day := t0
	moved := day.Add(12*time.Hour + 30*time.Minute)
	w.move("203.0.113.5", "b", moved)
	w.flows.fill("203.0.113.5", bandwidth.Out, day, day.Add(24*time.Hour), 288*gb) // 1 GB per 5 minutes
	w.clk.Set(day.Add(25 * time.Hour))
	w.run(t)
	a, b := w.day(t, "a", "2026-11-01"), w.day(t, "b", "2026-11-01")
	if got := sum(a.Out); got != 150*gb {
		t.Fatalf("a sent %d GB before 12:30, want 150", got/gb)
	}
	if got := sum(b.Out); got != 138*gb {
		t.Fatalf("b sent %d GB from 12:30, want 138", got/gb)
	}
	if a.Out[12] != 6*gb || b.Out[12] != 6*gb || !a.Closed || a.Hours != 24 {
		t.Fatalf("hour 12 split %d/%d, closed %v hours %d", a.Out[12]/gb, b.Out[12]/gb, a.Closed, a.Hours)
	}
}

// A re-run of a day replaces its numbers exactly (no double counting),
// and the live view grows hour by hour until the day closes.
func TestADayRerunReplacesItsSamples(t *testing.T) {
	w := newWorld(t)
	w.service("a", "transfer", "203.0.113.5")
	w.flows.fill("203.0.113.5", bandwidth.In, t0, t0.Add(24*time.Hour), 288*gb)
	w.clk.Set(t0.Add(6*time.Hour + 15*time.Minute)) // hour 6 has not begun to settle
	w.run(t)
	if d := w.day(t, "a", "2026-11-01"); d.Hours != 6 || sum(d.In) != 72*gb || d.Closed {
		t.Fatalf("live day: hours %d, %d GB, closed %v", d.Hours, sum(d.In)/gb, d.Closed)
	}
	w.clk.Set(t0.Add(24*time.Hour + 20*time.Minute))
	w.run(t)
	// Late flows arrive, and staff re-open the day: the re-run replaces.
	w.flows.add("203.0.113.5", bandwidth.In, t0.Add(3*time.Hour), gb)
	if err := w.store.PutStatus(context.Background(), bandwidth.DayStatus{Date: "2026-11-01"}); err != nil {
		t.Fatal(err)
	}
	w.run(t)
	w.run(t)
	if d := w.day(t, "a", "2026-11-01"); sum(d.In) != 289*gb || !d.Closed {
		t.Fatalf("after re-runs: %d GB, closed %v", sum(d.In)/gb, d.Closed)
	}
}

// Hours the collector recorded nothing are missing, not zero: the day
// says so, and overage on that cycle is held for staff, never charged.
func TestMissingHoursHoldTheOverage(t *testing.T) {
	w := newWorld(t)
	w.service("a", "transfer", "203.0.113.5")
	end := t0.AddDate(0, 1, 0)
	w.flows.fill("203.0.113.5", bandwidth.Out, t0, end, 1200*gb)
	w.flows.quiet[t0.Add(3*time.Hour)] = true
	w.flows.quiet[t0.Add(4*time.Hour)] = true
	for at := t0.Add(time.Hour); !at.After(end.Add(2 * time.Hour)); at = at.Add(24 * time.Hour) {
		w.clk.Set(at)
		w.run(t)
	}
	if d := w.day(t, "a", "2026-11-01"); !slices.Equal(d.Missing, []int{3, 4}) {
		t.Fatalf("missing %v", d.Missing)
	}
	if len(w.bill.charges) != 0 {
		t.Fatalf("charged on incomplete data: %v", w.bill.charges)
	}
	cs, _ := w.store.ListCycles(context.Background(), "a")
	if len(cs) != 1 || cs[0].State != bandwidth.CycleHeld || cs[0].Usage.MissingHours != 2 {
		t.Fatalf("cycles %+v", cs)
	}
	if len(w.sent.of(notify.AlertSystemError)) != 1 {
		t.Fatal("admins were not told of the held overage")
	}
	c, err := w.Decide(context.Background(), "a", t0, "charge")
	if err != nil || c.State != bandwidth.CycleCharged || len(w.bill.charges) != 1 {
		t.Fatalf("decided %+v, %v, charges %v", c, err, w.bill.charges)
	}
}

// A cycle from 15 November to 15 December sums the days of both months,
// hour by hour from its start; overage is billed once, with the usage on
// the line, however many runs overlap.
func TestACycleAcrossMonthsIsBilledOnce(t *testing.T) {
	w := newWorld(t)
	w.service("a", "transfer", "203.0.113.5")
	start := time.Date(2026, 11, 15, 10, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	w.bill.periods["ord_a"] = &bandwidth.Period{Start: start, End: end, Currency: "EUR"}
	w.flows.fill("203.0.113.5", bandwidth.Out, t0, end.Add(48*time.Hour), 2000*gb) // 1 GB an hour and a bit
	for at := start.Add(-24 * time.Hour); !at.After(end.Add(26 * time.Hour)); at = at.Add(24 * time.Hour) {
		w.clk.Set(at)
		w.run(t)
	}
	cs, _ := w.store.ListCycles(context.Background(), "a")
	if len(cs) == 0 || !cs[0].Start.Equal(start) {
		t.Fatalf("cycles %+v", cs)
	}
	// Two schedules fire together.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = w.Bill(context.Background()) }()
	}
	wg.Wait()
	cs, _ = w.store.ListCycles(context.Background(), "a")
	c := cs[0]
	if c.State != bandwidth.CycleCharged || len(w.bill.charges) != 1 {
		t.Fatalf("state %s, charges %v", c.State, w.bill.charges)
	}
	hours := int64(end.Sub(start) / time.Hour) // 720
	perHour := 2000 * gb / int64(end.Add(48*time.Hour).Sub(t0)/bandwidth.Fine) * 12
	if c.Usage.Counted != hours*perHour {
		t.Fatalf("counted %d, want %d", c.Usage.Counted, hours*perHour)
	}
	want, _ := bandwidth.OverageAmount(*c.Usage, w.plans["transfer"], "EUR")
	if c.Amount != want || want <= 0 {
		t.Fatalf("amount %d, want %d", c.Amount, want)
	}
	if mails := w.sent.of(notify.OverageCharged); len(mails) != 1 {
		t.Fatalf("%d overage e-mails", len(mails))
	}
	for _, ch := range w.bill.charges {
		if ch.Net != want || ch.Description == "" {
			t.Fatalf("charge %+v", ch)
		}
	}
}

// The 95th percentile of a 30-day month is the 433rd highest of its
// 8,640 five-minute samples (432 discarded), slots without data counting
// as zero.
func TestNinetyFifthPercentileUsesTheMonthsSampleCount(t *testing.T) {
	plan := &catalog.Plan{Metering: catalog.Metering{Basis: catalog.BasisP95, Direction: catalog.DirMax, CommitMbps: 100, Overage: map[string]int64{"EUR": 50}}}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	var days []bandwidth.Day
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days = append(days, bandwidth.Day{Date: d.Format(time.DateOnly), In: make([]int64, 24), Out: make([]int64, 24), Hours: 24,
			FineIn: make([]int64, bandwidth.FinePerDay), FineOut: make([]int64, bandwidth.FinePerDay)})
	}
	// 433 samples at 300 Mbps, the rest idle: the 433rd highest is 300.
	mbps := func(n int64) int64 { return n * 1_000_000 * 300 / 8 }
	for i := 0; i < 433; i++ {
		days[i/288].FineOut[i%288] = mbps(300)
	}
	days[20].FineIn[7] = mbps(900) // one burst inbound: discarded
	u := bandwidth.Measure(days, plan, from, to)
	if u.Samples != 8640 || u.Discarded != 432 || u.Counted != 300_000_000 || u.Over != 200_000_000 {
		t.Fatalf("%+v", u)
	}
	if amt, _ := bandwidth.OverageAmount(u, plan, "EUR"); amt != 200*50 {
		t.Fatalf("amount %d", amt)
	}
	// One fewer peak sample and the 433rd highest is idle.
	days[1].FineOut[144] = 0
	if u := bandwidth.Measure(days, plan, from, to); u.Counted != 0 {
		t.Fatalf("with 432 peaks: %d", u.Counted)
	}
	// February has 8,064 samples and discards 403.
	feb := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	if u := bandwidth.Measure(nil, plan, feb, feb.AddDate(0, 1, 0)); u.Samples != 8064 || u.Discarded != 403 {
		t.Fatalf("february %+v", u)
	}
}

// Each threshold warns once per cycle; a run crossing several e-mails
// only the highest, and 100 % alerts admins too.
func TestAlertsOncePerThreshold(t *testing.T) {
	w := newWorld(t)
	w.service("a", "transfer", "203.0.113.5")
	w.flows.fill("203.0.113.5", bandwidth.Out, t0, t0.Add(10*time.Hour), 800*gb)
	w.clk.Set(t0.Add(11 * time.Hour))
	w.run(t)
	w.run(t)
	if got := w.sent.of(notify.Bandwidth75); len(got) != 1 || got[0].Data["percent"] != 75 {
		t.Fatalf("75 %% e-mails: %+v", got)
	}
	w.flows.fill("203.0.113.5", bandwidth.Out, t0.Add(11*time.Hour), t0.Add(12*time.Hour), 240*gb)
	w.clk.Set(t0.Add(13 * time.Hour))
	w.run(t)
	if len(w.sent.of(notify.Bandwidth90)) != 0 || len(w.sent.of(notify.Bandwidth100)) != 1 || len(w.sent.of(notify.AlertBandwidthQuota)) != 1 {
		t.Fatalf("sent %+v", w.sent.list)
	}
	if ok, _ := w.store.ClaimAlert(context.Background(), "a", t0, 90); ok {
		t.Fatal("90 % was not claimed when the run crossed it")
	}
	w.run(t)
	if len(w.sent.list) != 3 {
		t.Fatalf("repeat run sent more: %d", len(w.sent.list))
	}
}

// Implausible answers (negative or beyond line rate) or errors keep the
// day open; after three failed runs admins hear once; nothing is billed.
func TestBadFlowDataKeepsTheDayOpen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(w *world)
	}{
		{"negative", func(w *world) { w.flows.add("203.0.113.5", bandwidth.Out, t0.Add(time.Hour), -5) }},
		{"absurd", func(w *world) { w.flows.add("203.0.113.5", bandwidth.Out, t0.Add(time.Hour), 1<<60) }},
		{"errors", func(w *world) { w.flows.fail = errors.New("elasticsearch: 503") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.service("a", "transfer", "203.0.113.5")
			tc.break_(w)
			w.clk.Set(t0.Add(24*time.Hour + 15*time.Minute)) // the 1st closes; the 2nd has nothing settled

			for i := range 4 {
				if _, err := w.Run(context.Background()); err == nil {
					t.Fatalf("run %d succeeded on bad data", i)
				}
			}
			st, _ := w.store.GetStatus(context.Background(), "2026-11-01")
			if st == nil || st.Closed || st.Attempts != 4 || !st.Alerted {
				t.Fatalf("status %+v", st)
			}
			if n := len(w.sent.of(notify.AlertSystemError)); n != 1 {
				t.Fatalf("%d admin alerts", n)
			}
		})
	}
}

// A gateway that cannot add usage to an invoice (PayPal today) holds the
// overage for staff instead of dropping it, and admins hear once; a
// currency the plan has no overage price in bills nothing.
func TestOverageAGatewayCannotBillIsHeld(t *testing.T) {
	w := newWorld(t)
	w.service("a", "transfer", "203.0.113.5")
	w.service("b", "transfer", "203.0.113.9")
	end := t0.AddDate(0, 1, 0)
	w.bill.periods["ord_b"].Currency = "JPY"
	w.flows.fill("203.0.113.5", bandwidth.Out, t0, end, 1200*gb)
	w.flows.fill("203.0.113.9", bandwidth.Out, t0, end, 1200*gb)
	w.bill.fail = apperr.New(apperr.Unavailable, "the paypal gateway cannot add usage to an invoice")
	for at := t0.Add(time.Hour); !at.After(end.Add(26 * time.Hour)); at = at.Add(24 * time.Hour) {
		w.clk.Set(at)
		w.run(t)
	}
	a, _ := w.store.ListCycles(context.Background(), "a")
	if len(a) != 1 || a[0].State != bandwidth.CycleHeld || a[0].Amount != 20 || !strings.Contains(a[0].Note, "paypal") {
		t.Fatalf("cycle of a %+v", a)
	}
	b, _ := w.store.ListCycles(context.Background(), "b")
	if len(b) != 1 || b[0].State != bandwidth.CycleWithin || !strings.Contains(b[0].Note, "no overage price in JPY") {
		t.Fatalf("cycle of b %+v", b)
	}
	if n := len(w.sent.of(notify.AlertSystemError)); n != 1 {
		t.Fatalf("%d admin alerts", n)
	}
	if c, err := w.Decide(context.Background(), "a", t0, "waive"); err != nil || c.State != bandwidth.CycleWaived {
		t.Fatalf("waive %+v %v", c, err)
	}
	if _, err := w.Decide(context.Background(), "a", t0, "charge"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a settled cycle decided again: %v", err)
	}
}

// The hour under way is shown live but is not missing for having no
// records yet; once settled, an hour without any is.
func TestTheHourUnderWayIsNotMissing(t *testing.T) {
	w := newWorld(t)
	w.service("a", "transfer", "203.0.113.5")
	w.flows.fill("203.0.113.5", bandwidth.Out, t0, t0.Add(3*time.Hour), 36*gb)
	w.flows.quiet[t0.Add(3*time.Hour)] = true // nothing yet in the hour under way
	w.clk.Set(t0.Add(3*time.Hour + 20*time.Minute))
	w.run(t)
	if d := w.day(t, "a", "2026-11-01"); d.Hours != 4 || len(d.Missing) != 0 {
		t.Fatalf("hours %d missing %v", d.Hours, d.Missing)
	}
	w.clk.Set(t0.Add(4*time.Hour + 20*time.Minute))
	w.run(t)
	if d := w.day(t, "a", "2026-11-01"); !slices.Equal(d.Missing, []int{3}) {
		t.Fatalf("missing %v", d.Missing)
	}
}
