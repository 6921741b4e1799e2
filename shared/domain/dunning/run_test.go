package dunning_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

type policyStore struct{ p *dunning.Policy }

func (s *policyStore) GetPolicy(context.Context) (*dunning.Policy, error) {
	if s.p == nil {
		return nil, apperr.New(apperr.NotFound, "none")
	}
	return s.p, nil
}
func (s *policyStore) PutPolicy(_ context.Context, p *dunning.Policy, _ int64) error {
	s.p = p
	return nil
}

// world is one unpaid renewal: the case as the fakes report it, the
// claims, and what the effects did.
type world struct {
	c       dunning.Case
	claims  map[string]bool
	did     []string
	failAt  string // an effect that fails once (a crash before its claim)
	runner  *dunning.Runner
	clk     *clock.Fake
	payNext string // pay the invoice when this effect runs (a payment arriving during a step)
}

func (w *world) Case(context.Context, dunning.Unpaid) (dunning.Case, error) { return w.c, nil }
func (w *world) Claimed(context.Context, string) (map[string]bool, error) {
	return maps(w.claims), nil
}
func (w *world) Claim(_ context.Context, _, claim string, _ time.Time) error {
	w.claims[claim] = true
	return nil
}
func (w *world) effect(name string) error {
	if name == w.payNext {
		w.c.Paid = true
	}
	w.did = append(w.did, name)
	if name == w.failAt {
		w.failAt = ""
		return errors.New("crashed before the claim")
	}
	return nil
}
func (w *world) Remind(_ context.Context, _ dunning.Unpaid, s dunning.Step) error {
	return w.effect(s.Claim())
}
func (w *world) Suspend(context.Context, dunning.Unpaid) error {
	if err := w.effect("suspend"); err != nil {
		return err
	}
	w.c.Suspended, w.c.SuspendReason = true, dunning.ReasonOverdue
	return nil
}
func (w *world) Warn(context.Context, dunning.Unpaid, time.Time) error { return w.effect("warn") }
func (w *world) Terminate(context.Context, dunning.Unpaid) error {
	if err := w.effect("terminate"); err != nil {
		return err
	}
	w.c.Terminated = true
	return nil
}
func (w *world) AddLateFee(_ context.Context, _ dunning.Unpaid, f dunning.LateFee) error {
	return w.effect("late_fee")
}
func (w *world) Recover(context.Context, dunning.Unpaid) error {
	w.c.Suspended = false
	return w.effect("recover")
}

func maps(m map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func newWorld(p dunning.Policy) *world {
	w := &world{c: dunning.Case{Due: due}, claims: map[string]bool{}, clk: clock.NewFake(due)}
	w.runner = &dunning.Runner{Policy: &dunning.Service{Store: &policyStore{&p}, Clock: w.clk}, Cases: w, Claims: w, Effects: w, Clock: w.clk}
	return w
}

// run drives the workflow as Step Functions would: Decide, then Act or
// Wait (the clock moves by the wait), until done; an Act that fails is
// retried, as the definition's Retry does. pay, when set, pays at that time.
func (w *world) run(t *testing.T, pay time.Time) {
	t.Helper()
	ctx := context.Background()
	u := dunning.Unpaid{OrderID: "ord_1", Gateway: "stripe", InvoiceID: "in_1", Due: due}
	for range 200 {
		if !pay.IsZero() && !w.clk.Now().Before(pay) {
			w.c.Paid = true
		}
		next, err := w.runner.Decide(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case next.Done:
			return
		case next.Step != nil:
			if err := w.runner.Act(ctx, u, *next.Step); err != nil {
				if err := w.runner.Act(ctx, u, *next.Step); err != nil { // the Retry
					t.Fatal(err)
				}
			}
		default:
			w.clk.Advance(time.Duration(next.Wait) * time.Second)
		}
	}
	t.Fatal("the workflow never ended")
}

func TestRunnerPaths(t *testing.T) {
	terminating := dunning.Defaults()
	terminating.TerminateEnabled = true
	fee := dunning.Defaults()
	fee.LateFee.Enabled = true // day 5, with the reminder
	for _, c := range []struct {
		name    string
		policy  dunning.Policy
		setup   func(*world)
		pay     time.Time
		did     []string
		paidNow bool
	}{
		{"paid before the first reminder", dunning.Defaults(), nil, day(0.5), nil, true},
		// Without termination the workflow ends after the suspension; the
		// payment's own path lifts it then (service.renewal_paid).
		{"suspended, then the workflow ends", dunning.Defaults(), nil, day(9), []string{"reminder@1", "reminder@3", "reminder@5", "suspend"}, false},
		{"reminded, suspended, paid while suspended", terminating, nil, day(9),
			[]string{"reminder@1", "reminder@3", "reminder@5", "suspend", "recover"}, true},
		{"never paid: suspended, warned, terminated", terminating, nil, time.Time{},
			[]string{"reminder@1", "reminder@3", "reminder@5", "suspend", "warn", "terminate"}, false},
		{"staff suspended it: not suspended again, not lifted on payment", terminating,
			func(w *world) { w.c.Suspended, w.c.SuspendReason = true, "staff" }, day(9), []string{"reminder@1", "reminder@3", "reminder@5"}, true},
		{"a crash after the suspension, before its claim: taken again, claimed once", terminating,
			func(w *world) { w.failAt = "suspend" }, day(9), []string{"reminder@1", "reminder@3", "reminder@5", "suspend", "recover"}, true},
		{"a late fee on day 5, before that day's reminder", fee, nil, day(9), []string{"reminder@1", "reminder@3", "late_fee", "reminder@5", "suspend"}, false},
		{"a crash after the late fee, before its claim: charged again (the gateway call is idempotent), claimed once", fee,
			func(w *world) { w.failAt = "late_fee" }, day(6), []string{"reminder@1", "reminder@3", "late_fee", "reminder@5"}, true},
		{"an extension defers the late fee with the suspension", fee,
			func(w *world) { h := day(20); w.c.HoldUntil = &h }, day(12), []string{"reminder@1", "reminder@3", "reminder@5"}, true},
		{"a payment arriving during a reminder: no suspension", dunning.Defaults(),
			func(w *world) { w.payNext = "reminder@5" }, time.Time{}, []string{"reminder@1", "reminder@3", "reminder@5"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(c.policy)
			if c.setup != nil {
				c.setup(w)
			}
			w.run(t, c.pay)
			// A crashed step runs again (its effect is idempotent); its claim is written once.
			got := slices.Compact(slices.Clone(w.did))
			if !slices.Equal(got, c.did) {
				t.Fatalf("did %v, want %v", w.did, c.did)
			}
			if c.paidNow != w.c.Paid {
				t.Fatalf("paid %v", w.c.Paid)
			}
		})
	}
}

// An Act delivered twice (a retried task after a lost reply, or an
// overlapping run) takes its step once: the second finds it claimed.
func TestActTwiceTakesTheStepOnce(t *testing.T) {
	w := newWorld(dunning.Defaults())
	w.clk.Set(day(1))
	u := dunning.Unpaid{OrderID: "ord_1", Gateway: "stripe", InvoiceID: "in_1", Due: due}
	s := dunning.Step{Day: 1, Action: dunning.Reminder}
	for range 2 {
		if err := w.runner.Act(context.Background(), u, s); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(w.did, []string{"reminder@1"}) {
		t.Fatalf("did %v", w.did)
	}
	// A step that is not the one due any more (paid since) is not taken.
	w.c.Paid = true
	if err := w.runner.Act(context.Background(), u, dunning.Step{Day: 3, Action: dunning.Reminder}); err != nil || len(w.did) != 1 {
		t.Fatalf("after payment: %v %v", w.did, err)
	}
}

func TestExecutionNamePerInvoice(t *testing.T) {
	a := dunning.Unpaid{OrderID: "ord_1", Gateway: "stripe", InvoiceID: "in_1", Due: due}
	b := a
	b.Due = due.Add(time.Hour) // the same invoice reported again
	if a.Execution() != b.Execution() || a.Execution() != "dunning-stripe-in_1" {
		t.Fatalf("%s / %s", a.Execution(), b.Execution())
	}
}

// Input a task cannot trust is refused with the name the definition does
// not retry: no case, an unknown action, or a case without its due date
// (every day would count as long past).
func TestTaskRefusesInputItCannotTrust(t *testing.T) {
	w := newWorld(dunning.Defaults())
	okCase := map[string]any{"order_id": "ord_1", "gateway": "stripe", "invoice_id": "in_1", "due": due.Format(time.RFC3339)}
	for name, in := range map[string]map[string]any{
		"no case":        {"action": "decide"},
		"no due date":    {"action": "decide", "case": map[string]any{"order_id": "ord_1", "gateway": "stripe", "invoice_id": "in_1"}},
		"unknown action": {"action": "dance", "case": okCase},
		"act, no step":   {"action": "act", "case": okCase},
	} {
		var te *dunning.TaskError
		if _, err := w.runner.Task(context.Background(), in); !errors.As(err, &te) || te.Name != dunning.ErrNameInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	out, err := w.runner.Task(context.Background(), map[string]any{"action": "decide", "case": okCase})
	if err != nil || out["done"] != false || out["act"] != false || out["wait"] != int64(86400) {
		t.Fatalf("decide at the due date: %v %v", out, err)
	}
}

func (w *world) Unclaim(_ context.Context, _, claim string) error {
	delete(w.claims, claim)
	return nil
}

// Staff's preview tells the steps taken from those skipped, and names the
// next one and when, without taking anything.
func TestPreview(t *testing.T) {
	w := newWorld(dunning.Defaults())
	u := dunning.Unpaid{OrderID: "ord_1", Gateway: "stripe", InvoiceID: "in_1", Due: due}
	w.clk.Set(day(6))
	if _, err := w.runner.Decide(context.Background(), u); err != nil { // skips reminders 1 and 3
		t.Fatal(err)
	}
	if err := w.runner.Act(context.Background(), u, dunning.Step{Day: 5, Action: dunning.Reminder}); err != nil {
		t.Fatal(err)
	}
	pv, err := w.runner.Preview(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pv.Taken, []string{"reminder@1 (skipped)", "reminder@3 (skipped)", "reminder@5"}) || pv.Next == nil ||
		pv.Next.Claim() != "suspend@7" || !pv.NextAt.Equal(day(7)) || len(w.did) != 1 {
		t.Fatalf("preview %+v next %v at %v; did %v", pv, pv.Next, pv.NextAt, w.did)
	}
}
