package dunning

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/platform/clock"
)

// Unpaid names one unpaid renewal: the workflow's input, and what every
// step reads the case by.
type Unpaid struct {
	OrderID   string    `json:"order_id"`
	Gateway   string    `json:"gateway"`
	InvoiceID string    `json:"invoice_id"` // the gateway's invoice
	Due       time.Time `json:"due"`
}

// Execution is the workflow execution of u: one per unpaid invoice, so a
// repeated failure event starts nothing new.
func (u Unpaid) Execution() string { return "dunning-" + u.Gateway + "-" + u.InvoiceID }

// Cases reads a case fresh: the invoice, the paid-through date, the
// service and the gateway's retries (claims are filled in by the runner).
type Cases interface {
	Case(ctx context.Context, u Unpaid) (Case, error)
}

// Claims records the steps taken for an unpaid invoice, each once.
type Claims interface {
	Claimed(ctx context.Context, invoiceID string) (map[string]bool, error)
	// Claim records claim; one recorded already is not an error.
	Claim(ctx context.Context, invoiceID, claim string, at time.Time) error
	// Unclaim removes a claim (only ClaimPaused is ever removed).
	Unclaim(ctx context.Context, invoiceID, claim string) error
}

// Effects carries the steps out. Each must be safe to repeat (e-mails
// keyed by the claim, a suspension of a suspended service is done), since
// a crash between an effect and its claim runs it again.
type Effects interface {
	Remind(ctx context.Context, u Unpaid, s Step) error
	Suspend(ctx context.Context, u Unpaid) error
	Warn(ctx context.Context, u Unpaid, terminateAt time.Time) error
	Terminate(ctx context.Context, u Unpaid) error
	// AddLateFee charges the policy's fee on u's invoice once, as its own
	// gateway invoice (a finalized invoice cannot grow).
	AddLateFee(ctx context.Context, u Unpaid, fee LateFee) error
	// Recover lifts an overdue suspension of a paid case and tells the customer.
	Recover(ctx context.Context, u Unpaid) error
}

// Runner is the dunning workflow's task states.
type Runner struct {
	Policy  *Service
	Cases   Cases
	Claims  Claims
	Effects Effects
	Clock   clock.Clock
}

// Next is a Decide task's answer to the workflow.
type Next struct {
	Done bool  `json:"done"`
	Step *Step `json:"step,omitempty"`
	// Wait is how long to wait before deciding again (seconds), and Until
	// the moment it ends: the workflow waits until that timestamp, so a
	// clock moved between deciding and waiting is not waited out again.
	Wait  int64     `json:"wait"`
	Until time.Time `json:"until"`
	Why   string    `json:"why"`
}

// maxWait bounds a Wait state: Step Functions takes up to a year; a day
// keeps a changed policy or a lifted hold from waiting long.
const maxWait = 24 * time.Hour

func (r *Runner) read(ctx context.Context, u Unpaid) (*Policy, Case, error) {
	p, err := r.Policy.Policy(ctx)
	if err != nil {
		return nil, Case{}, err
	}
	c, err := r.Cases.Case(ctx, u)
	if err != nil {
		return nil, Case{}, err
	}
	if c.Done, err = r.Claims.Claimed(ctx, u.InvoiceID); err != nil {
		return nil, Case{}, err
	}
	c.Paused = c.Done[ClaimPaused]
	return p, c, nil
}

// Decide reads the case and says what comes next. Reminders that fell due
// together with a later one are claimed as skipped; a paid case whose
// service was suspended for being overdue is recovered here.
func (r *Runner) Decide(ctx context.Context, u Unpaid) (*Next, error) {
	p, c, err := r.read(ctx, u)
	if err != nil {
		return nil, err
	}
	now := r.Clock.Now()
	d := Decide(*p, c, now)
	for _, s := range d.Skip {
		if err := r.Claims.Claim(ctx, u.InvoiceID, "skipped:"+s.Claim(), now); err != nil {
			return nil, err
		}
		if err := r.Claims.Claim(ctx, u.InvoiceID, s.Claim(), now); err != nil {
			return nil, err
		}
	}
	if d.Recover {
		if err := r.Effects.Recover(ctx, u); err != nil {
			return nil, err
		}
	}
	switch {
	case d.Done:
		return &Next{Done: true, Why: d.Why}, nil
	case d.Step != nil:
		return &Next{Step: d.Step, Why: d.Why}, nil
	}
	wait := min(max(d.At.Sub(now), time.Second), maxWait)
	until := now.Add(wait)
	if t := until.Truncate(time.Second); !t.Equal(until) {
		until = t.Add(time.Second) // whole seconds, never early
	}
	return &Next{Wait: int64((wait + time.Second - 1) / time.Second), Until: until, Why: d.Why}, nil
}

// Act takes step s if it is still the step to take on a fresh reading
// (paid since the decision, or taken by an overlapping run: nothing), then
// claims it.
func (r *Runner) Act(ctx context.Context, u Unpaid, s Step) error {
	p, c, err := r.read(ctx, u)
	if err != nil {
		return err
	}
	if c.Done[s.Claim()] {
		return nil
	}
	now := r.Clock.Now()
	if d := Decide(*p, c, now); d.Step == nil || *d.Step != s {
		return nil // the case moved on; the next Decide sees it
	}
	switch s.Action {
	case Reminder:
		err = r.Effects.Remind(ctx, u, s)
	case Suspend:
		err = r.Effects.Suspend(ctx, u)
	case FinalWarning:
		err = r.Effects.Warn(ctx, u, u.Due.Add(time.Duration(p.TerminateAfterDays)*24*time.Hour))
	case Terminate:
		err = r.Effects.Terminate(ctx, u)
	case LateFeeAdded:
		err = r.Effects.AddLateFee(ctx, u, p.LateFee)
	default:
		err = fmt.Errorf("dunning: unknown step %s", s.Claim())
	}
	if err != nil {
		return err
	}
	return r.Claims.Claim(ctx, u.InvoiceID, s.Claim(), now)
}

// Preview is where a run stands, for staff: the steps taken, the next one
// and when, without taking anything.
type Preview struct {
	// Taken are the steps' claims, "(skipped)" after those claimed
	// without being taken (an older reminder, a suspension staff made).
	Taken     []string   `json:"taken"`
	Next      *Step      `json:"next,omitempty"`
	NextAt    *time.Time `json:"next_at,omitempty"`
	Done      bool       `json:"done"`
	Why       string     `json:"why"`
	Paused    bool       `json:"paused"`
	HoldUntil *time.Time `json:"hold_until,omitempty"`
}

// Preview reads the case as Decide does and says what comes next.
func (r *Runner) Preview(ctx context.Context, u Unpaid) (*Preview, error) {
	p, c, err := r.read(ctx, u)
	if err != nil {
		return nil, err
	}
	now := r.Clock.Now()
	d := Decide(*p, c, now)
	out := &Preview{Taken: []string{}, Done: d.Done, Why: d.Why, Paused: c.Paused, HoldUntil: c.HoldUntil}
	for _, s := range p.Timeline() {
		switch {
		case c.Done["skipped:"+s.Claim()]: // claimed without being taken
			out.Taken = append(out.Taken, s.Claim()+" (skipped)")
		case c.Done[s.Claim()]:
			out.Taken = append(out.Taken, s.Claim())
		}
	}
	switch {
	case d.Step != nil:
		out.Next, out.NextAt = d.Step, &now
	case !d.Done:
		out.NextAt = &d.At
		for _, s := range p.Timeline() { // the step it waits for
			if !c.Done[s.Claim()] {
				out.Next = &s
				break
			}
		}
	}
	return out, nil
}

// PastDue is one unpaid renewal as staff see it.
type PastDue struct {
	Unpaid
	CustomerID  string `json:"customer_id"`
	ServiceID   string `json:"service_id"`
	ServiceName string `json:"service_name"`
	// ServiceStatus is the service's status ("" when it was never made).
	ServiceStatus string `json:"service_status"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	DaysOverdue   int    `json:"days_overdue"`
	*Preview
}
