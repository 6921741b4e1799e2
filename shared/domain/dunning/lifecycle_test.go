package dunning_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/dunning"
)

func TestRenewalDue(t *testing.T) {
	end := time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC)
	p := dunning.Defaults() // a week ahead
	for _, c := range []struct {
		name string
		days int
		now  time.Time
		want bool
	}{
		{"eight days before", 7, end.Add(-8 * 24 * time.Hour), false},
		{"exactly a week before", 7, end.Add(-7 * 24 * time.Hour), true},
		{"the day before", 7, end.Add(-24 * time.Hour), true},
		{"at the renewal", 7, end, false},
		{"after it", 7, end.Add(time.Hour), false},
		{"reminders off", 0, end.Add(-24 * time.Hour), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p.RenewalReminderDays = c.days
			if got := p.RenewalDue(end, c.now); got != c.want {
				t.Fatalf("RenewalDue = %v, want %v", got, c.want)
			}
		})
	}
	if a, b := dunning.RenewalKey("ord_1", end), dunning.RenewalKey("ord_1", end.AddDate(0, 1, 0)); a == b {
		t.Fatalf("two periods share the key %q", a)
	}
}

func TestCardNoticeDue(t *testing.T) {
	p := dunning.Defaults()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name        string
		month, year int64
		notices     bool
		want        bool
	}{
		{"expires at the end of this month", 12, 2026, true, true},
		{"expires at the end of next month", 1, 2027, true, false},
		{"expired last month", 11, 2026, true, true},
		{"years ahead", 4, 2030, true, false},
		{"notices off", 12, 2026, false, false},
		{"no such month", 13, 2026, true, false},
		{"no expiry known", 0, 0, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p.CardExpiryNotices = c.notices
			if got := p.CardNoticeDue(c.month, c.year, now); got != c.want {
				t.Fatalf("CardNoticeDue(%d/%d) = %v, want %v", c.month, c.year, got, c.want)
			}
		})
	}
	if end, _ := dunning.CardExpiry(12, 2026); !end.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("a card expiring 12/2026 stops working at %s", end)
	}
	if a, b := dunning.CardKey("stripe", "pm_1", 12, 2026), dunning.CardKey("stripe", "pm_1", 12, 2029); a == b || a != "card-expiring:stripe:pm_1:2026-12" {
		t.Fatalf("card keys %q and %q", a, b)
	}
}

func TestFeeReminderDue(t *testing.T) {
	failed := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		after time.Duration
		day   int
		ok    bool
	}{
		{23 * time.Hour, 0, false},
		{24 * time.Hour, 1, true},
		{6 * 24 * time.Hour, 1, true},
		{10 * 24 * time.Hour, 7, true}, // a late run sends the latest, not a burst
		{90 * 24 * time.Hour, 21, true},
	} {
		day, key, ok := dunning.FeeReminderDue("in_fee", failed, failed.Add(c.after))
		if day != c.day || ok != c.ok || (ok && key != fmt.Sprintf("fee-reminder:in_fee:%d", c.day)) {
			t.Errorf("after %s: day %d %q %v, want day %d %v", c.after, day, key, ok, c.day, c.ok)
		}
	}
}
