// Package dunning is what happens after a renewal fails: the policy staff
// set — reminders, suspension, a final warning, termination and a late fee,
// each on a day past due — and the timeline it makes.
package dunning

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Policy is the dunning schedule, in days past an invoice's due date.
type Policy struct {
	// ReminderDays are the days a reminder is e-mailed, ascending.
	ReminderDays     []int `json:"reminder_days"`
	SuspendEnabled   bool  `json:"suspend_enabled"`
	SuspendAfterDays int   `json:"suspend_after_days"`
	// FinalWarningDays is how long before termination the last warning goes.
	FinalWarningDays   int  `json:"final_warning_days"`
	TerminateEnabled   bool `json:"terminate_enabled"`
	TerminateAfterDays int  `json:"terminate_after_days"`
	// RespectGatewayRetries holds suspension while the gateway still
	// retries the charge inside its own window (Stripe Smart Retries).
	RespectGatewayRetries bool    `json:"respect_gateway_retries"`
	LateFee               LateFee `json:"late_fee"`
	// RenewalReminderDays is how many days before a period ends its
	// renewal is announced (0: never); part of the daily lifecycle run.
	RenewalReminderDays int `json:"renewal_reminder_days"`
	// CardExpiryNotices tells customers whose renewing services charge a
	// card that expires within the month, once per card.
	CardExpiryNotices bool `json:"card_expiry_notices"`

	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// LateFee is added once per invoice, AfterDays past due: PercentBP of the
// invoice (1000 = 10 %), at least Minimum in the invoice's currency.
type LateFee struct {
	Enabled   bool             `json:"enabled"`
	PercentBP int64            `json:"percent_bp"`
	Minimum   map[string]int64 `json:"minimum"` // minor units per currency
	AfterDays int              `json:"after_days"`
}

// Net is the fee on an invoice whose amount before tax is invoiceNet:
// the percentage, rounded half up, or the currency's minimum when that is
// more. Tax is added on top at the invoice's rate, as on the invoice.
func (f LateFee) Net(invoiceNet int64, currency string) int64 {
	fee := (invoiceNet*f.PercentBP + 5000) / 10000
	return max(fee, f.Minimum[currency], 0)
}

// Defaults are the peers' common settings (../shared/apis/dunning.md):
// reminders on days 1, 3 and 5, suspension on day 7, termination off (30
// days when turned on, warned 3 days before), no late fee; renewals
// announced a week ahead and expiring cards noticed.
func Defaults() Policy {
	return Policy{ReminderDays: []int{1, 3, 5}, SuspendEnabled: true, SuspendAfterDays: 7, FinalWarningDays: 3, TerminateAfterDays: 30,
		RespectGatewayRetries: true, LateFee: LateFee{PercentBP: 1000, Minimum: map[string]int64{}, AfterDays: 5},
		RenewalReminderDays: 7, CardExpiryNotices: true}
}

// Bounds of the policy's values.
const (
	maxReminders = 10
	maxDay       = 365
	maxTerminate = 730
	maxFeeMinor  = 10_000_000
	maxAhead     = 60
)

// Validate checks the policy; its errors name the JSON fields.
func (p Policy) Validate() error {
	f := apperr.FieldErrors{}
	day := func(field string, v, hi int) bool {
		if v < 1 || v > hi {
			f.Add(field, fmt.Sprintf("must be a whole number of days from 1 to %d", hi))
			return false
		}
		return true
	}
	if len(p.ReminderDays) > maxReminders {
		f.Add("reminder_days", fmt.Sprintf("at most %d reminders", maxReminders))
	}
	for i, d := range p.ReminderDays {
		if !day(fmt.Sprintf("reminder_days[%d]", i), d, maxDay) {
			continue
		}
		if i > 0 && d <= p.ReminderDays[i-1] {
			f.Add(fmt.Sprintf("reminder_days[%d]", i), "must come after the reminder before it (ascending, no repeats)")
		}
		if p.TerminateEnabled && d >= p.TerminateAfterDays {
			f.Add(fmt.Sprintf("reminder_days[%d]", i), "must come before the termination day")
		}
	}
	suspendOK := day("suspend_after_days", p.SuspendAfterDays, maxDay)
	if day("terminate_after_days", p.TerminateAfterDays, maxTerminate) && p.TerminateEnabled {
		if p.SuspendEnabled && suspendOK && p.TerminateAfterDays <= p.SuspendAfterDays {
			f.Add("terminate_after_days", "must be after suspend_after_days: a service is suspended before it is terminated")
		}
		if p.FinalWarningDays < 1 || p.FinalWarningDays >= p.TerminateAfterDays {
			f.Add("final_warning_days", "must be at least 1 and less than terminate_after_days")
		}
	} else if p.FinalWarningDays < 0 || p.FinalWarningDays > maxTerminate {
		f.Add("final_warning_days", fmt.Sprintf("must be from 0 to %d", maxTerminate))
	}
	if p.RenewalReminderDays < 0 || p.RenewalReminderDays > maxAhead {
		f.Add("renewal_reminder_days", fmt.Sprintf("must be from 0 (no reminders) to %d days", maxAhead))
	}
	fee := p.LateFee
	if fee.PercentBP < 0 || fee.PercentBP > 10_000 {
		f.Add("late_fee.percent_bp", "must be from 0 to 10000 (100 %)")
	}
	for _, cur := range slices.Sorted(maps.Keys(fee.Minimum)) {
		if !money.Supported(cur) || cur != strings.ToUpper(cur) {
			f.Add("late_fee.minimum."+cur, "is not a currency we bill in")
		} else if v := fee.Minimum[cur]; v < 0 || v > maxFeeMinor {
			f.Add("late_fee.minimum."+cur, "must be from 0 to 10000000 (minor units)")
		}
	}
	day("late_fee.after_days", fee.AfterDays, maxDay)
	if fee.Enabled && fee.PercentBP == 0 && !slices.ContainsFunc(slices.Collect(maps.Values(fee.Minimum)), func(v int64) bool { return v > 0 }) {
		f.Add("late_fee.percent_bp", "a late fee needs a percentage or a minimum")
	}
	return f.Err()
}

// Action is one thing dunning does.
type Action string

// Actions, in the order they run on the same day.
const (
	LateFeeAdded Action = "late_fee"
	Reminder     Action = "reminder"
	Suspend      Action = "suspend"
	FinalWarning Action = "final_warning"
	Terminate    Action = "terminate"
)

var order = map[Action]int{LateFeeAdded: 0, Reminder: 1, Suspend: 2, FinalWarning: 3, Terminate: 4}

// Step is an action on a day past due.
type Step struct {
	Day    int    `json:"day"`
	Action Action `json:"action"`
}

// Timeline is what the policy does to an unpaid invoice, day by day.
func (p Policy) Timeline() []Step {
	var out []Step
	for _, d := range p.ReminderDays {
		out = append(out, Step{d, Reminder})
	}
	if p.LateFee.Enabled {
		out = append(out, Step{p.LateFee.AfterDays, LateFeeAdded})
	}
	if p.SuspendEnabled {
		out = append(out, Step{p.SuspendAfterDays, Suspend})
	}
	if p.TerminateEnabled {
		out = append(out, Step{p.TerminateAfterDays - p.FinalWarningDays, FinalWarning}, Step{p.TerminateAfterDays, Terminate})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return order[out[i].Action] < order[out[j].Action]
	})
	return out
}

// Store keeps the policy. GetPolicy answers NotFound before the first
// save; PutPolicy writes only over the version expected (0: none yet).
type Store interface {
	GetPolicy(ctx context.Context) (*Policy, error)
	PutPolicy(ctx context.Context, p *Policy, expected int64) error
}

// Service reads and changes the policy.
type Service struct {
	Store Store
	Clock clock.Clock
}

// Policy is the saved policy, or the defaults before any save.
func (s *Service) Policy(ctx context.Context) (*Policy, error) {
	p, err := s.Store.GetPolicy(ctx)
	if apperr.Is(err, apperr.NotFound) {
		d := Defaults()
		return &d, nil
	}
	return p, err
}

// SetPolicy validates p and saves it over the version the caller read, so
// two staff editing at once cannot overwrite each other unseen.
func (s *Service) SetPolicy(ctx context.Context, p Policy, actor string) (*Policy, error) {
	if p.ReminderDays == nil {
		p.ReminderDays = []int{}
	}
	if p.LateFee.Minimum == nil {
		p.LateFee.Minimum = map[string]int64{}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	expected := p.Version
	p.Version, p.UpdatedAt, p.UpdatedBy = expected+1, s.Clock.Now(), actor
	if err := s.Store.PutPolicy(ctx, &p, expected); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.New(apperr.Conflict, "the dunning policy was changed by someone else since you read it (version %d); reload and try again", expected)
		}
		return nil, err
	}
	return &p, nil
}

// Hold is a per-customer override: no suspension, final warning or
// termination before Until (as WHMCS's "do not suspend until").
type Hold struct {
	CustomerID string    `json:"customer_id"`
	Until      time.Time `json:"until"`
	Reason     string    `json:"reason"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// Holds keeps the per-customer overrides (GetHold answers NotFound when
// there is none).
type Holds interface {
	GetHold(ctx context.Context, customerID string) (*Hold, error)
	PutHold(ctx context.Context, h *Hold) error
	DeleteHold(ctx context.Context, customerID string) error
}

// ClaimPaused marks a run staff paused (in the invoice's claims; removed
// on resume).
const ClaimPaused = "paused"
