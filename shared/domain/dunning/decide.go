package dunning

import (
	"fmt"
	"time"
)

// ReasonOverdue is the suspension reason dunning gives; only a service
// suspended for it comes back by itself when paid (a staff suspension with
// another reason stays, as in WHMCS).
const ReasonOverdue = "overdue"

// Case is what dunning knows about one unpaid renewal when it decides,
// read fresh before every step (never a copy kept from the last one).
type Case struct {
	// Due is when the unpaid invoice fell due (its period's start).
	Due time.Time
	// Paid: the invoice is paid (or nothing is owed on it any more).
	Paid bool
	// PaidThrough is how far the service is paid; past Due means this
	// renewal's period is paid, whatever the invoice says.
	PaidThrough time.Time
	// GatewayRetry is the gateway's next attempt at the charge (nil: it
	// has stopped retrying).
	GatewayRetry *time.Time
	Suspended    bool
	// SuspendReason is why it is suspended (ReasonOverdue when dunning did it).
	SuspendReason string
	Terminated    bool
	// HoldUntil is a per-customer override: no late fee, suspension or
	// termination before it.
	HoldUntil *time.Time
	// Paused: staff paused dunning for this invoice.
	Paused bool
	// Done holds the claims of the steps already taken (Step.Claim).
	Done map[string]bool
}

// Claim is the key a step is claimed under, once per unpaid invoice.
func (s Step) Claim() string { return fmt.Sprintf("%s@%d", s.Action, s.Day) }

// Decision is what to do now: take Step, or wait until At, or stop.
type Decision struct {
	Step *Step
	// Skip are reminders that fell due together with a later one (the
	// clock jumped, or a run was late): claimed without sending, so the
	// customer gets the newest reminder, not a burst of old ones.
	Skip []Step
	// At is when to look again when there is nothing to do now.
	At time.Time
	// Done: nothing more will happen (paid, terminated, or every step taken).
	Done bool
	// Recover: paid while suspended for being overdue — unsuspend.
	Recover bool
	// Why says in words, for the log and the admin view.
	Why string
}

// pauseRecheck is how soon a paused case is looked at again.
const pauseRecheck = 24 * time.Hour

// Decide returns the next step for c under p at now. It is a pure
// function of its inputs: the workflow calls it before every step and
// claims the step before taking it, so a retried or overlapping run never
// repeats one.
func Decide(p Policy, c Case, now time.Time) Decision {
	if c.Paid || c.PaidThrough.After(c.Due) {
		return Decision{Done: true, Recover: c.Suspended && c.SuspendReason == ReasonOverdue, Why: "paid"}
	}
	if c.Terminated {
		return Decision{Done: true, Why: "terminated"}
	}
	if c.Paused {
		return Decision{At: now.Add(pauseRecheck), Why: "paused by staff"}
	}
	steps := p.Timeline()
	var skip []Step
	// A consequence held back (an extension, the gateway's retries) holds
	// back those after it, but not the reminders: they still go out.
	var held *Decision
	for i, s := range steps {
		if c.Done[s.Claim()] || (held != nil && s.Action != Reminder) {
			continue
		}
		at := c.Due.Add(time.Duration(s.Day) * 24 * time.Hour)
		if at.After(now) {
			if held != nil && !held.At.After(at) {
				break
			}
			return Decision{Skip: skip, At: at, Why: fmt.Sprintf("next: %s on day %d", s.Action, s.Day)}
		}
		switch s.Action {
		case Reminder:
			if laterReminderDue(steps[i+1:], c, now) {
				skip = append(skip, s)
				continue
			}
		case LateFeeAdded, Suspend, FinalWarning, Terminate:
			// An extension defers every consequence, the fee too.
			if c.HoldUntil != nil && c.HoldUntil.After(now) {
				held = &Decision{At: *c.HoldUntil, Why: "held by an override until " + c.HoldUntil.Format(time.RFC3339)}
				continue
			}
			if (s.Action == Suspend || s.Action == Terminate) && p.RespectGatewayRetries && c.GatewayRetry != nil && c.GatewayRetry.After(now) {
				held = &Decision{At: *c.GatewayRetry, Why: "the gateway retries the charge at " + c.GatewayRetry.Format(time.RFC3339)}
				continue
			}
			if s.Action == Suspend && c.Suspended {
				skip = append(skip, s) // suspended already (by staff): nothing to do, and no unsuspension later
				continue
			}
		}
		return Decision{Step: &s, Skip: skip, Why: fmt.Sprintf("%s, day %d", s.Action, s.Day)}
	}
	if held != nil {
		held.Skip = skip
		return *held
	}
	return Decision{Skip: skip, Done: true, Why: "every step taken"}
}

// laterReminderDue reports whether another reminder after this one is due
// already.
func laterReminderDue(rest []Step, c Case, now time.Time) bool {
	for _, s := range rest {
		if s.Action == Reminder && !c.Done[s.Claim()] && !c.Due.Add(time.Duration(s.Day)*24*time.Hour).After(now) {
			return true
		}
	}
	return false
}
