package dunning_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/dunning"
)

var due = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func day(n float64) time.Time { return due.Add(time.Duration(n * float64(24*time.Hour))) }

func ptr(t time.Time) *time.Time { return &t }

func done(claims ...string) map[string]bool {
	m := map[string]bool{}
	for _, c := range claims {
		m[c] = true
	}
	return m
}

func TestDecide(t *testing.T) {
	withTermination := dunning.Defaults()
	withTermination.TerminateEnabled = true
	for _, c := range []struct {
		name    string
		p       dunning.Policy
		c       dunning.Case
		now     time.Time
		step    string // claim of the step to take ("" none)
		skip    []string
		at      time.Time
		over    bool
		recover bool
	}{
		{"before the first reminder", dunning.Defaults(), dunning.Case{Due: due}, day(0.5), "", nil, day(1), false, false},
		{"first reminder", dunning.Defaults(), dunning.Case{Due: due}, day(1), "reminder@1", nil, time.Time{}, false, false},
		{"waits for the second", dunning.Defaults(), dunning.Case{Due: due, Done: done("reminder@1")}, day(2), "", nil, day(3), false, false},
		{"a jump sends only the newest reminder", dunning.Defaults(), dunning.Case{Due: due}, day(6), "reminder@5", []string{"reminder@1", "reminder@3"}, time.Time{}, false, false},
		{"suspends on day 7", dunning.Defaults(), dunning.Case{Due: due, Done: done("reminder@1", "reminder@3", "reminder@5")}, day(7), "suspend@7", nil, time.Time{}, false, false},
		{"not while the gateway retries", dunning.Defaults(), dunning.Case{Due: due, GatewayRetry: ptr(day(9)), Done: done("reminder@1", "reminder@3", "reminder@5")}, day(7), "", nil, day(9), false, false},
		{"the gateway's retries ignored when told", func() dunning.Policy { p := dunning.Defaults(); p.RespectGatewayRetries = false; return p }(),
			dunning.Case{Due: due, GatewayRetry: ptr(day(9)), Done: done("reminder@1", "reminder@3", "reminder@5")}, day(7), "suspend@7", nil, time.Time{}, false, false},
		{"held by an override", dunning.Defaults(), dunning.Case{Due: due, HoldUntil: ptr(day(12)), Done: done("reminder@1", "reminder@3", "reminder@5")}, day(8), "", nil, day(12), false, false},
		{"staff suspended it already", dunning.Defaults(), dunning.Case{Due: due, Suspended: true, SuspendReason: "abuse", Done: done("reminder@1", "reminder@3", "reminder@5")}, day(8), "", []string{"suspend@7"}, time.Time{}, true, false},
		{"termination off: over after suspension", dunning.Defaults(), dunning.Case{Due: due, Suspended: true, SuspendReason: dunning.ReasonOverdue, Done: done("reminder@1", "reminder@3", "reminder@5", "suspend@7")}, day(40), "", nil, time.Time{}, true, false},
		{"final warning", withTermination, dunning.Case{Due: due, Suspended: true, SuspendReason: dunning.ReasonOverdue, Done: done("reminder@1", "reminder@3", "reminder@5", "suspend@7")}, day(27), "final_warning@27", nil, time.Time{}, false, false},
		{"terminates on day 30", withTermination, dunning.Case{Due: due, Suspended: true, SuspendReason: dunning.ReasonOverdue, Done: done("reminder@1", "reminder@3", "reminder@5", "suspend@7", "final_warning@27")}, day(30), "terminate@30", nil, time.Time{}, false, false},
		{"paid: over, and an overdue suspension lifted", withTermination, dunning.Case{Due: due, Paid: true, Suspended: true, SuspendReason: dunning.ReasonOverdue}, day(10), "", nil, time.Time{}, true, true},
		{"paid while staff-suspended: stays suspended", dunning.Defaults(), dunning.Case{Due: due, Paid: true, Suspended: true, SuspendReason: "abuse"}, day(10), "", nil, time.Time{}, true, false},
		{"paid through the period by another invoice", dunning.Defaults(), dunning.Case{Due: due, PaidThrough: day(30)}, day(8), "", nil, time.Time{}, true, false},
		{"paid through only until it fell due", dunning.Defaults(), dunning.Case{Due: due, PaidThrough: due}, day(1), "reminder@1", nil, time.Time{}, false, false},
		{"terminated", withTermination, dunning.Case{Due: due, Terminated: true}, day(31), "", nil, time.Time{}, true, false},
		{"paused", dunning.Defaults(), dunning.Case{Due: due, Paused: true}, day(7), "", nil, day(8), false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := dunning.Decide(c.p, c.c, c.now)
			step := ""
			if d.Step != nil {
				step = d.Step.Claim()
			}
			var skip []string
			for _, s := range d.Skip {
				skip = append(skip, s.Claim())
			}
			if step != c.step || !slices.Equal(skip, c.skip) || !d.At.Equal(c.at) || d.Done != c.over || d.Recover != c.recover {
				t.Fatalf("got step %q skip %v at %v done %v recover %v (%s)", step, skip, d.At, d.Done, d.Recover, d.Why)
			}
		})
	}
}

// Whatever the policy and the case, run step by step as the workflow
// does: nothing is done twice, nothing is suspended or terminated once
// paid or while the gateway retries (when respected) or held, termination
// never comes before suspension, and every wait is in the future.
func TestDecideInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	taken := map[dunning.Action]int{}
	defer func() {
		for _, a := range []dunning.Action{dunning.Reminder, dunning.Suspend, dunning.FinalWarning, dunning.Terminate} {
			if taken[a] == 0 {
				t.Errorf("no run took a %s step: the generator misses a path", a)
			}
		}
	}()
	for i := range 3000 {
		p := dunning.Defaults()
		p.ReminderDays = nil
		for d := 1 + r.IntN(3); d < 20 && len(p.ReminderDays) < 5; d += 1 + r.IntN(4) {
			p.ReminderDays = append(p.ReminderDays, d)
		}
		p.SuspendEnabled, p.SuspendAfterDays = r.IntN(5) > 0, 1+r.IntN(20)
		p.TerminateEnabled, p.TerminateAfterDays, p.FinalWarningDays = r.IntN(2) == 0, p.SuspendAfterDays+1+r.IntN(40), 1
		p.RespectGatewayRetries = r.IntN(2) == 0
		for _, d := range p.ReminderDays {
			if p.TerminateEnabled && d >= p.TerminateAfterDays {
				p.TerminateEnabled = false
			}
		}
		if err := p.Validate(); err != nil {
			continue
		}
		c := dunning.Case{Due: due, Done: map[string]bool{}}
		if r.IntN(3) == 0 {
			c.GatewayRetry = ptr(day(r.Float64() * 15))
		}
		if r.IntN(4) == 0 {
			c.HoldUntil = ptr(day(r.Float64() * 30))
		}
		payAt := day(1e9)
		if r.IntN(2) == 0 {
			payAt = day(r.Float64() * 60)
		}
		now, suspended := due, false
		for n := 0; n < 100; n++ {
			if !now.Before(payAt) {
				c.Paid = true
			}
			d := dunning.Decide(p, c, now)
			for _, s := range d.Skip {
				if c.Done[s.Claim()] {
					t.Fatalf("case %d: %s skipped twice", i, s.Claim())
				}
				c.Done[s.Claim()] = true
			}
			if d.Done {
				break
			}
			if d.Step == nil {
				if !d.At.After(now) {
					t.Fatalf("case %d: waits until %v at %v (%s)", i, d.At, now, d.Why)
				}
				now = d.At
				continue
			}
			s := *d.Step
			switch {
			case c.Done[s.Claim()]:
				t.Fatalf("case %d: %s twice", i, s.Claim())
			case (s.Action == dunning.Suspend || s.Action == dunning.Terminate) && c.Paid:
				t.Fatalf("case %d: %s a paid service", i, s.Action)
			case (s.Action == dunning.Suspend || s.Action == dunning.Terminate) && c.HoldUntil != nil && now.Before(*c.HoldUntil):
				t.Fatalf("case %d: %s while held", i, s.Action)
			case (s.Action == dunning.Suspend || s.Action == dunning.Terminate) && p.RespectGatewayRetries && c.GatewayRetry != nil && now.Before(*c.GatewayRetry):
				t.Fatalf("case %d: %s while the gateway retries", i, s.Action)
			case s.Action == dunning.Terminate && p.SuspendEnabled && !suspended:
				t.Fatalf("case %d: terminated before suspension", i)
			}
			c.Done[s.Claim()] = true
			taken[s.Action]++
			switch s.Action {
			case dunning.Suspend:
				suspended, c.Suspended, c.SuspendReason = true, true, dunning.ReasonOverdue
			case dunning.Terminate:
				c.Terminated = true
			}
		}
	}
}
