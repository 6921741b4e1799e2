package dunning

import (
	"fmt"
	"time"
)

// The daily lifecycle run's notices are decided here, from the policy and
// what is stored; each is sent under a key that names what it is about
// (the period, the card and its expiry), so running the day's job twice,
// or every hour, sends each one once.

// cardNoticeWindow is how long before a card stops working its owner is
// told: about a month, so a renewal on any day of it finds a new card.
const cardNoticeWindow = 31 * 24 * time.Hour

// RenewalDue says whether a period ending at periodEnd should be announced
// now: within the policy's days before it ends, and not after.
func (p Policy) RenewalDue(periodEnd, now time.Time) bool {
	if p.RenewalReminderDays <= 0 || !now.Before(periodEnd) {
		return false
	}
	return periodEnd.Sub(now) <= time.Duration(p.RenewalReminderDays)*24*time.Hour
}

// RenewalKey names the notice for one period of one order.
func RenewalKey(orderID string, periodEnd time.Time) string {
	return "renewal-reminder:" + orderID + ":" + periodEnd.UTC().Format("2006-01-02")
}

// CardExpiry is the first moment a card no longer works: cards are valid
// through the last day of their expiry month (UTC, as gateways treat it).
// ok is false when the month or year is not a card's.
func CardExpiry(month, year int64) (time.Time, bool) {
	if month < 1 || month > 12 || year < 2000 || year > 2200 {
		return time.Time{}, false
	}
	return time.Date(int(year), time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC), true
}

// CardNoticeDue says whether a card's owner should be told now that it
// expires (or has expired): within the window before its expiry, or after.
func (p Policy) CardNoticeDue(month, year int64, now time.Time) bool {
	end, ok := CardExpiry(month, year)
	return ok && p.CardExpiryNotices && end.Sub(now) <= cardNoticeWindow
}

// CardKey names the notice for one card and its expiry, so a card renewed
// by the bank with a new expiry (same id at some gateways) is noticed again.
func CardKey(gateway, paymentMethod string, month, year int64) string {
	end, _ := CardExpiry(month, year)
	return "card-expiring:" + gateway + ":" + paymentMethod + ":" + end.AddDate(0, -1, 0).Format("2006-01")
}

// feeReminderDays are the days after a late fee's charge failed that its
// owner is reminded (the renewal's own reminders have ended by then when
// the renewal was paid without the fee).
var feeReminderDays = []int{1, 7, 14, 21}

// FeeReminderDue is the reminder of an unpaid fee due at now — the latest
// of its days that has passed, so a late run sends one, not a burst — and
// its key; ok is false before the first day.
func FeeReminderDue(feeInvoice string, failedAt, now time.Time) (day int, key string, ok bool) {
	for _, d := range feeReminderDays {
		if !now.Before(failedAt.Add(time.Duration(d) * 24 * time.Hour)) {
			day, ok = d, true
		}
	}
	return day, fmt.Sprintf("fee-reminder:%s:%d", feeInvoice, day), ok
}
