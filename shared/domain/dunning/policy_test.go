package dunning_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

func TestPolicyValidation(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*dunning.Policy)
		field  string // "" = valid
	}{
		{"defaults", func(*dunning.Policy) {}, ""},
		{"termination on", func(p *dunning.Policy) { p.TerminateEnabled = true }, ""},
		{"no reminders", func(p *dunning.Policy) { p.ReminderDays = nil }, ""},
		{"terminate before suspend", func(p *dunning.Policy) { p.TerminateEnabled, p.TerminateAfterDays = true, 5 }, "terminate_after_days"},
		{"terminate on the suspension day", func(p *dunning.Policy) { p.TerminateEnabled, p.TerminateAfterDays = true, 7 }, "terminate_after_days"},
		{"terminate early without suspension", func(p *dunning.Policy) { p.TerminateEnabled, p.SuspendEnabled, p.TerminateAfterDays = true, false, 6 }, ""},
		{"negative suspension", func(p *dunning.Policy) { p.SuspendAfterDays = -1 }, "suspend_after_days"},
		{"reminders out of order", func(p *dunning.Policy) { p.ReminderDays = []int{3, 1} }, "reminder_days[1]"},
		{"reminder repeated", func(p *dunning.Policy) { p.ReminderDays = []int{1, 1} }, "reminder_days[1]"},
		{"reminder on day 0", func(p *dunning.Policy) { p.ReminderDays = []int{0} }, "reminder_days[0]"},
		{"reminder after termination", func(p *dunning.Policy) { p.TerminateEnabled, p.ReminderDays = true, []int{1, 40} }, "reminder_days[1]"},
		{"too many reminders", func(p *dunning.Policy) { p.ReminderDays = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11} }, "reminder_days"},
		{"warning as long as the wait", func(p *dunning.Policy) { p.TerminateEnabled, p.FinalWarningDays = true, 30 }, "final_warning_days"},
		{"no warning", func(p *dunning.Policy) { p.TerminateEnabled, p.FinalWarningDays = true, 0 }, "final_warning_days"},
		{"fee over 100 %", func(p *dunning.Policy) { p.LateFee.PercentBP = 10_001 }, "late_fee.percent_bp"},
		{"fee of nothing", func(p *dunning.Policy) { p.LateFee.Enabled, p.LateFee.PercentBP = true, 0 }, "late_fee.percent_bp"},
		{"minimum only, set ahead", func(p *dunning.Policy) { p.LateFee.PercentBP, p.LateFee.Minimum = 0, map[string]int64{"USD": 500} }, ""},
		{"a late fee", func(p *dunning.Policy) { p.LateFee.Enabled = true }, ""},
		{"minimum in no currency", func(p *dunning.Policy) { p.LateFee.Minimum = map[string]int64{"XXX": 100} }, "late_fee.minimum.XXX"},
		{"negative minimum", func(p *dunning.Policy) { p.LateFee.Minimum = map[string]int64{"EUR": -1} }, "late_fee.minimum.EUR"},
		{"no renewal reminders", func(p *dunning.Policy) { p.RenewalReminderDays = 0 }, ""},
		{"renewal reminder two months ahead", func(p *dunning.Policy) { p.RenewalReminderDays = 61 }, "renewal_reminder_days"},
		{"negative renewal reminder", func(p *dunning.Policy) { p.RenewalReminderDays = -1 }, "renewal_reminder_days"},
		{"fee on day 0", func(p *dunning.Policy) { p.LateFee.AfterDays = 0 }, "late_fee.after_days"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := dunning.Defaults()
			c.change(&p)
			err := p.Validate()
			var ae *apperr.Error
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.field != "" && (!errors.As(err, &ae) || ae.Fields[c.field] == ""):
				t.Fatalf("want an error on %s, got %v", c.field, err)
			}
		})
	}
}

func TestTimeline(t *testing.T) {
	p := dunning.Defaults()
	p.TerminateEnabled, p.LateFee.Enabled, p.LateFee.AfterDays = true, true, 5
	want := []dunning.Step{{1, dunning.Reminder}, {3, dunning.Reminder}, {5, dunning.LateFeeAdded}, {5, dunning.Reminder}, {7, dunning.Suspend},
		{27, dunning.FinalWarning}, {30, dunning.Terminate}}
	if got := p.Timeline(); !slices.Equal(got, want) {
		t.Fatalf("timeline = %v", got)
	}
	if got := dunning.Defaults().Timeline(); len(got) != 4 || got[3] != (dunning.Step{7, dunning.Suspend}) {
		t.Fatalf("default timeline = %v", got)
	}
}

func TestLateFeeNet(t *testing.T) {
	f := dunning.LateFee{PercentBP: 1000, Minimum: map[string]int64{"USD": 500}}
	for _, c := range []struct {
		net  int64
		cur  string
		want int64
	}{
		{10_000, "USD", 1000}, // 10 %
		{4_000, "USD", 500},   // the minimum is more
		{4_000, "EUR", 400},   // no minimum in EUR
		{1_005, "EUR", 101},   // half up
		{0, "GBP", 0},
	} {
		if got := f.Net(c.net, c.cur); got != c.want {
			t.Errorf("fee on %d %s = %d, want %d", c.net, c.cur, got, c.want)
		}
	}
}
